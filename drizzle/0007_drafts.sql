CREATE TABLE `drafts` (
	`key` text PRIMARY KEY NOT NULL,
	`fields` text NOT NULL,
	`saved_at` text NOT NULL
);
