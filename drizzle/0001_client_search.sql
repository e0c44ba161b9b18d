-- Full-text search for the caseload: client_search holds one row per client (rowid = client id:
-- name, postcode, NHS number, external id) and referral_search one row per referral (rowid =
-- referral id: description), both kept current by triggers on the same writes. Two tables rather
-- than one aggregated row per client, so a bulk referral ingest only appends (never rewrites a
-- client's row). Postcode and NHS number are indexed as written and without spaces.
CREATE VIRTUAL TABLE `client_search` USING fts5(
	name, postcode, nhs_number, external_id,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3'
);
--> statement-breakpoint
CREATE VIRTUAL TABLE `referral_search` USING fts5(
	description,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3'
);
--> statement-breakpoint
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
--> statement-breakpoint
CREATE TRIGGER `referral_search_insert` AFTER INSERT ON `referrals` WHEN new.description IS NOT NULL BEGIN
	INSERT INTO referral_search(rowid, description) VALUES (new.id, new.description);
END;
--> statement-breakpoint
CREATE TRIGGER `referral_search_update` AFTER UPDATE ON `referrals`
WHEN old.id IS NOT new.id OR old.description IS NOT new.description
BEGIN
	DELETE FROM referral_search WHERE rowid = old.id;
	INSERT INTO referral_search(rowid, description) SELECT new.id, new.description WHERE new.description IS NOT NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `referral_search_delete` AFTER DELETE ON `referrals` BEGIN
	DELETE FROM referral_search WHERE rowid = old.id;
END;
--> statement-breakpoint
-- Records already in the replica when this migration runs.
INSERT INTO client_search(rowid, name, postcode, nhs_number, external_id)
SELECT
	id,
	trim(coalesce(first_name, '') || ' ' || coalesce(surname, '')),
	coalesce(postcode, '') || ' ' || replace(coalesce(postcode, ''), ' ', ''),
	coalesce(nhs_number, '') || ' ' || replace(coalesce(nhs_number, ''), ' ', ''),
	coalesce(external_id, '')
FROM clients;
--> statement-breakpoint
INSERT INTO referral_search(rowid, description) SELECT id, description FROM referrals WHERE description IS NOT NULL;
