-- The soonest due action of a caseload page's clients read from an index of due contacts alone,
-- instead of reading every contact of each referral from the table to see its state.
CREATE INDEX `contacts_due_referral_start` ON `contacts` (`referral`,`start_date`) WHERE state = 'due';
