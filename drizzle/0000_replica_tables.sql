CREATE TABLE `clients` (
	`id` integer PRIMARY KEY NOT NULL,
	`first_name` text,
	`surname` text,
	`dob` text,
	`gender` integer,
	`ethnicity` integer,
	`religion` integer,
	`sexual_orientation` integer,
	`marital_status` integer,
	`main_language` integer,
	`main_disability` integer,
	`registered_disabled` text,
	`blue_badge_holder` text,
	`accommodation` integer,
	`employment_status` integer,
	`people_in_household` integer,
	`address1` text,
	`address2` text,
	`town` text,
	`county` integer,
	`district` integer,
	`postcode` text,
	`telephone` text,
	`mobile` text,
	`email` text,
	`nhs_number` text,
	`social_services_number` text,
	`external_id` text,
	`gp_name` text,
	`gp_surgery` integer,
	`school` integer,
	`consent` text,
	`preferred_communication_method` integer,
	`usual_support_worker` integer,
	`active` text,
	`deceased` text,
	`age_range` integer,
	`type` integer,
	`updated` text,
	`raw` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `clients_usual_support_worker` ON `clients` (`usual_support_worker`);--> statement-breakpoint
CREATE INDEX `clients_external_id` ON `clients` (`external_id`);--> statement-breakpoint
CREATE INDEX `clients_surname` ON `clients` (`surname`,`first_name`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` integer PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`referral` integer,
	`client` integer,
	`user` integer,
	`project` integer,
	`start_date` text,
	`end_date` text,
	`description` text,
	`stage` integer,
	`due_stage` integer,
	`contact_type` integer,
	`contact_method` integer,
	`travel_time` real,
	`travel_mileage` real,
	`transport_method` integer,
	`priority` integer,
	`updated` text,
	`raw` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `contacts_state_user_start` ON `contacts` (`state`,`user`,`start_date`);--> statement-breakpoint
CREATE INDEX `contacts_referral_start` ON `contacts` (`referral`,`start_date`);--> statement-breakpoint
CREATE TABLE `dictionaries` (
	`table_ref` text NOT NULL,
	`id` integer NOT NULL,
	`name` text NOT NULL,
	`extra` text,
	PRIMARY KEY(`table_ref`, `id`)
);
--> statement-breakpoint
CREATE TABLE `extension_records` (
	`database` text NOT NULL,
	`id` integer NOT NULL,
	`referral` integer,
	`client` integer,
	`updated` text,
	`raw` text NOT NULL,
	PRIMARY KEY(`database`, `id`)
);
--> statement-breakpoint
CREATE INDEX `extension_records_referral` ON `extension_records` (`database`,`referral`);--> statement-breakpoint
CREATE INDEX `extension_records_client` ON `extension_records` (`database`,`client`);--> statement-breakpoint
CREATE TABLE `referrals` (
	`id` integer PRIMARY KEY NOT NULL,
	`client` integer,
	`client_type` integer,
	`date` text,
	`project` integer,
	`template` integer,
	`stage` integer,
	`description` text,
	`project_category` integer,
	`contact_method` integer,
	`funding_sponsor` integer,
	`contact_type` integer,
	`referrer` integer,
	`introduction_source` integer,
	`additional_org_person` integer,
	`priority` integer,
	`response_method` integer,
	`referral_complete` text,
	`updated` text,
	`raw` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `referrals_client` ON `referrals` (`client`);--> statement-breakpoint
CREATE INDEX `referrals_project_stage` ON `referrals` (`project`,`stage`);--> statement-breakpoint
CREATE INDEX `referrals_date` ON `referrals` (`date`);--> statement-breakpoint
CREATE TABLE `schedules` (
	`id` integer PRIMARY KEY NOT NULL,
	`client` integer,
	`referral` integer,
	`worker` integer,
	`start_date` text,
	`end_date` text,
	`frequency` integer,
	`description` text,
	`updated` text,
	`raw` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `schedules_client` ON `schedules` (`client`);--> statement-breakpoint
CREATE INDEX `schedules_worker_start` ON `schedules` (`worker`,`start_date`);--> statement-breakpoint
CREATE INDEX `schedules_start_date` ON `schedules` (`start_date`);--> statement-breakpoint
CREATE TABLE `selectable_fields` (
	`group` text PRIMARY KEY NOT NULL,
	`reply` text NOT NULL,
	`fetched_at` text DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sync_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `workers` (
	`id` integer PRIMARY KEY NOT NULL,
	`first_name` text,
	`surname` text,
	`user` integer,
	`email` text,
	`telephone` text,
	`job_title` text,
	`active` text,
	`updated` text,
	`raw` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `workers_user` ON `workers` (`user`);