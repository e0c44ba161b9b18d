CREATE TABLE `saved_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`path` text NOT NULL,
	`sums` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL
);
