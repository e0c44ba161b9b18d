-- clients.employment_status holds the API's flag (Y/N), so its column is text (it was declared
-- integer). SQLite cannot change a column's type, so the table is rebuilt — hand-checked:
--  * no foreign key references clients, so no foreign_keys pragma is needed (and inside the
--    migration's transaction it would be ignored anyway);
--  * a value is stored as a fresh write now would store it (CAST … AS TEXT; NULL stays NULL);
--  * DROP TABLE fires no delete trigger, so client_search keeps its rows (rowid = the same ids),
--    but it drops the table's triggers and indexes: both are created again below, triggers as in
--    0001_client_search.sql.
CREATE TABLE `__new_clients` (
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
	`employment_status` text,
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
INSERT INTO `__new_clients`("id", "first_name", "surname", "dob", "gender", "ethnicity", "religion", "sexual_orientation", "marital_status", "main_language", "main_disability", "registered_disabled", "blue_badge_holder", "accommodation", "employment_status", "people_in_household", "address1", "address2", "town", "county", "district", "postcode", "telephone", "mobile", "email", "nhs_number", "social_services_number", "external_id", "gp_name", "gp_surgery", "school", "consent", "preferred_communication_method", "usual_support_worker", "active", "deceased", "age_range", "type", "updated", "raw") SELECT "id", "first_name", "surname", "dob", "gender", "ethnicity", "religion", "sexual_orientation", "marital_status", "main_language", "main_disability", "registered_disabled", "blue_badge_holder", "accommodation", CAST("employment_status" AS TEXT), "people_in_household", "address1", "address2", "town", "county", "district", "postcode", "telephone", "mobile", "email", "nhs_number", "social_services_number", "external_id", "gp_name", "gp_surgery", "school", "consent", "preferred_communication_method", "usual_support_worker", "active", "deceased", "age_range", "type", "updated", "raw" FROM `clients`;--> statement-breakpoint
DROP TABLE `clients`;--> statement-breakpoint
ALTER TABLE `__new_clients` RENAME TO `clients`;--> statement-breakpoint
CREATE INDEX `clients_usual_support_worker` ON `clients` (`usual_support_worker`);--> statement-breakpoint
CREATE INDEX `clients_external_id` ON `clients` (`external_id`);--> statement-breakpoint
CREATE INDEX `clients_surname` ON `clients` (`surname`,`first_name`);--> statement-breakpoint
CREATE TRIGGER `client_search_insert` AFTER INSERT ON `clients` BEGIN
	INSERT INTO client_search(rowid, name, postcode, nhs_number, external_id) VALUES (
		new.id,
		trim(coalesce(new.first_name, '') || ' ' || coalesce(new.surname, '')),
		coalesce(new.postcode, '') || ' ' || replace(coalesce(new.postcode, ''), ' ', ''),
		coalesce(new.nhs_number, '') || ' ' || replace(coalesce(new.nhs_number, ''), ' ', ''),
		coalesce(new.external_id, '')
	);
END;
--> statement-breakpoint
CREATE TRIGGER `client_search_update` AFTER UPDATE ON `clients`
WHEN old.id IS NOT new.id OR old.first_name IS NOT new.first_name OR old.surname IS NOT new.surname
	OR old.postcode IS NOT new.postcode OR old.nhs_number IS NOT new.nhs_number OR old.external_id IS NOT new.external_id
BEGIN
	DELETE FROM client_search WHERE rowid = old.id;
	INSERT INTO client_search(rowid, name, postcode, nhs_number, external_id) VALUES (
		new.id,
		trim(coalesce(new.first_name, '') || ' ' || coalesce(new.surname, '')),
		coalesce(new.postcode, '') || ' ' || replace(coalesce(new.postcode, ''), ' ', ''),
		coalesce(new.nhs_number, '') || ' ' || replace(coalesce(new.nhs_number, ''), ' ', ''),
		coalesce(new.external_id, '')
	);
END;
--> statement-breakpoint
CREATE TRIGGER `client_search_delete` AFTER DELETE ON `clients` BEGIN
	DELETE FROM client_search WHERE rowid = old.id;
END;
