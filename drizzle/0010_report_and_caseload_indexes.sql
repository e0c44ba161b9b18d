-- The caseload's first page in index order (names compared without case, as the caseload sorts),
-- and reports by month (× user) over every contact read in index order instead of sorting them all.
DROP INDEX `clients_surname`;--> statement-breakpoint
CREATE INDEX `clients_surname` ON `clients` ("surname" COLLATE NOCASE,"first_name" COLLATE NOCASE);--> statement-breakpoint
CREATE INDEX `contacts_state_month_user` ON `contacts` (`state`, substr(`start_date`, 1, 7), `user`);
