-- The search tables keep only what a search reads: the index of terms and each row's length (for
-- bm25), not a second copy of every name, postcode and referral description (content = '', with
-- contentless_delete so the triggers' DELETE by rowid still works; nothing reads a column back).
-- Referral descriptions are matched by whole words only (main/db/search.ts), so their 2- and
-- 3-letter prefix indexes, which no query used, are gone. At 20,000 clients this made the two
-- tables 11 MB → 4.6 MB and their build after a first sync's fill ~2× faster. The triggers are
-- unchanged: they name the tables, which are rebuilt here from the rows present.
DROP TABLE `client_search`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `client_search` USING fts5(
	name, postcode, nhs_number, external_id,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3',
	content = '',
	contentless_delete = 1
);
--> statement-breakpoint
INSERT INTO `client_search`(rowid, name, postcode, nhs_number, external_id)
SELECT id, trim(coalesce(first_name, '') || ' ' || coalesce(surname, '')),
	coalesce(postcode, '') || ' ' || replace(coalesce(postcode, ''), ' ', ''),
	coalesce(nhs_number, '') || ' ' || replace(coalesce(nhs_number, ''), ' ', ''),
	coalesce(external_id, '')
FROM `clients`;
--> statement-breakpoint
DROP TABLE `referral_search`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `referral_search` USING fts5(
	description,
	tokenize = 'unicode61 remove_diacritics 2',
	content = '',
	contentless_delete = 1
);
--> statement-breakpoint
INSERT INTO `referral_search`(rowid, description) SELECT id, description FROM `referrals` WHERE description IS NOT NULL;
