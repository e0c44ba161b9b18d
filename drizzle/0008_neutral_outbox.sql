ALTER TABLE `outbox_entries` ADD `target` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
-- Entries queued before dialect-neutral operations: each old operation name becomes its neutral one,
-- and the records its path named move into `target`. Old paths were always printed with `…/id/X`,
-- `due_contacts/referral/R`, `clients/external_id/X` or `extension_database/<name>`, in either dialect.
UPDATE `outbox_entries` SET
  `target` = CASE `operation`
    WHEN 'createClient' THEN CASE WHEN `path` LIKE 'clients/external_id/%' THEN json_object('externalId', substr(`path`, 21)) ELSE '{}' END
    WHEN 'updateClient' THEN CASE WHEN json_extract(`fields`, '$.id_second') IS NOT NULL
      THEN json_object('recordId', `record_id`, 'secondId', CAST(json_extract(`fields`, '$.id_second') AS INTEGER))
      ELSE json_object('recordId', `record_id`) END
    WHEN 'updateReferral' THEN json_object('recordId', `record_id`)
    WHEN 'createDueContact' THEN json_object('referralId', CAST(substr(`path`, 23) AS INTEGER))
    WHEN 'updateDueContact' THEN json_object('recordId', `record_id`)
    WHEN 'updateDoneContact' THEN json_object('recordId', `record_id`)
    WHEN 'createExtensionRecord' THEN json_object('extensionDatabase', substr(`record_family`, 20))
    WHEN 'updateExtensionRecord' THEN json_object('extensionDatabase', substr(`record_family`, 20), 'recordId', `record_id`)
    WHEN 'upload' THEN json_object('uploadGroup', `record_family`, 'recordId', `record_id`)
    ELSE '{}' END,
  `fields` = CASE WHEN `operation` = 'updateClient' AND json_extract(`fields`, '$.id_second') IS NOT NULL
    THEN json_remove(replace(replace(replace(replace(`fields`,
      '"relationship_first_to_second_carer":', '"carer_relation_first_to_second":'),
      '"relationship_second_to_first_carer":', '"carer_relation_second_to_first":'),
      '"relationship_first_to_second":', '"relation_first_to_second":'),
      '"relationship_second_to_first":', '"relation_second_to_first":'), '$.id_second')
    ELSE `fields` END,
  `operation` = CASE `operation`
    WHEN 'createClient' THEN 'create-client'
    WHEN 'updateClient' THEN CASE WHEN json_extract(`fields`, '$.id_second') IS NOT NULL THEN 'set-relationship' ELSE 'update-client' END
    WHEN 'createReferral' THEN 'create-referral'
    WHEN 'updateReferral' THEN 'update-referral'
    WHEN 'createDueContact' THEN 'plan-action'
    WHEN 'updateDueContact' THEN 'edit-action'
    WHEN 'updateDoneContact' THEN CASE WHEN json_extract(`before`, '$.state') = 'due' THEN 'complete-action' ELSE 'edit-contact' END
    WHEN 'createExternalReferral' THEN 'external-referral'
    WHEN 'createExtensionRecord' THEN 'create-extension-record'
    WHEN 'updateExtensionRecord' THEN 'update-extension-record'
    WHEN 'upload' THEN 'upload-file'
    ELSE `operation` END;
