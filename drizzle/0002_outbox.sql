CREATE TABLE `outbox_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`fields` text NOT NULL,
	`operation` text NOT NULL,
	`dialect` text NOT NULL,
	`record_family` text NOT NULL,
	`record_id` integer,
	`temp_id` integer,
	`server_id` integer,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer DEFAULT 0 NOT NULL,
	`first_sent_at` text,
	`last_attempt_at` text,
	`error_code` text,
	`error` text,
	`blocked_by` integer,
	`base` text,
	`base_updated` text,
	`before` text,
	`conflict` text,
	`confirmed_at` text,
	`outcome` text
);
--> statement-breakpoint
CREATE INDEX `outbox_entries_state` ON `outbox_entries` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `outbox_files` (
	`entry_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`filename` text NOT NULL,
	`content_type` text,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`data` blob,
	PRIMARY KEY(`entry_id`, `seq`),
	FOREIGN KEY (`entry_id`) REFERENCES `outbox_entries`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `outbox_records` (
	`entry_id` integer NOT NULL,
	`family` text NOT NULL,
	`record_id` integer NOT NULL,
	`role` text NOT NULL,
	PRIMARY KEY(`entry_id`, `family`, `record_id`),
	FOREIGN KEY (`entry_id`) REFERENCES `outbox_entries`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `outbox_records_record` ON `outbox_records` (`family`,`record_id`);--> statement-breakpoint
CREATE TABLE `outbox_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox_temp_ids` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`family` text NOT NULL,
	`entry_id` integer,
	`server_id` integer
);
