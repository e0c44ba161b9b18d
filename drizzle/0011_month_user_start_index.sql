-- One index for reports by month (× user) and for one user's contacts by date, instead of two: with
-- start_date it covers a month × user report (no table read per group), and one user's contacts are
-- found in it by skip-scan over the months, which needs statistics: of every index on contacts, as
-- the planner misjudges an index with statistics beside ones without (ANALYZE reads the indexes only).
DROP INDEX `contacts_state_user_start`;--> statement-breakpoint
DROP INDEX `contacts_state_month_user`;--> statement-breakpoint
CREATE INDEX `contacts_state_month_user_start` ON `contacts` (`state`, substr(`start_date`, 1, 7), `user`, `start_date`);--> statement-breakpoint
ANALYZE `contacts`;
