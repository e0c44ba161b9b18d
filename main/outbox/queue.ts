// Queues an edit written in the API's own terms (method, path, fields, files): validated first
// (shared/edits), then — in ONE SQLite transaction — applied to the replica, recorded as an outbox
// entry with the records it touches, and its files copied into the encrypted database. Either all
// of it is on disk or none of it is; an entry leaves `pending` only through replay.ts.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Dialect } from '../../shared/dizions/assumptions.js';
import { createsRecord, classifyEdit, EditPathError, type ClassifiedEdit } from '../../shared/edits/classify.js';
import { REFERENCE_FAMILIES, formValue, type EditValue } from '../../shared/edits/field-kinds.js';
import { describeIssues, validateEdit, type EditIssue } from '../../shared/edits/validate.js';
import { applyEdit, formText, targetOf } from './apply.js';
import { replicaEditContext } from './context.js';
import { cached } from '../db/statement-cache.js';
import { readLocal } from '../db/local-records.js';
import { familyOf } from './families.js';
import { allocateTempId, bindTempId, landedId, replaceIdsInFields, replaceIdsInPath } from './temp-ids.js';
import type { FormFields } from './entries.js';

type Handle = { sqlite: Database.Database };

/** A file to upload: a path on disk (read now), or bytes in hand (the UI). */
export type QueuedFile = string | { filename: string; data: Uint8Array; contentType?: string };

export interface QueueEditInput {
  method: string;
  path: string;
  fields?: Record<string, EditValue>;
  file?: QueuedFile;
  files?: QueuedFile[];
}

export interface QueueOptions {
  dialect?: Dialect;
  now?: () => Date;
}

export interface QueueResult {
  /** The new record's temporary (negative) id, or null for updates, uploads and external referrals. */
  temp_id: number | null;
  entry: number;
}

/** The edit is refused before anything was written; `issues` name the fields. */
export class EditValidationError extends Error {
  override name = 'EditValidationError';
  constructor(readonly issues: EditIssue[]) {
    super(describeIssues(issues));
  }
}

/** The multipart cap of the API we know (the simulator's 32 MiB); bigger uploads are refused at queue time. */
export const MAX_UPLOAD_BYTES = 32 * 1024 * 1024;

interface LoadedFile { filename: string; contentType: string | null; data: Buffer; sha256: string }

function loadFiles(input: QueueEditInput): LoadedFile[] {
  const list = [...(input.file !== undefined ? [input.file] : []), ...(input.files ?? [])];
  let total = 0;
  return list.map((file) => {
    let loaded: LoadedFile;
    if (typeof file === 'string') {
      let data: Buffer;
      try {
        data = fs.readFileSync(file);
      } catch (error) {
        throw new EditValidationError([{ field: 'file', message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
      }
      loaded = { filename: path.basename(file), contentType: null, data, sha256: '' };
    } else {
      loaded = { filename: file.filename, contentType: file.contentType ?? null, data: Buffer.from(file.data), sha256: '' };
    }
    total += loaded.data.length;
    if (total > MAX_UPLOAD_BYTES) throw new EditValidationError([{ field: 'file', message: `uploads are limited to ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB per edit` }]);
    loaded.sha256 = crypto.createHash('sha256').update(loaded.data).digest('hex');
    return loaded;
  });
}

/** Temp ids whose create already landed are replaced by the server id before anything else. */
function substituteLanded(sqlite: Database.Database, pathText: string, fields: FormFields): { path: string; fields: FormFields } {
  const swap = (v: string) => {
    if (!/^-\d+$/.test(v)) return v;
    const landed = landedId(sqlite, Number(v));
    return landed === undefined ? v : String(landed);
  };
  return { path: replaceIdsInPath(pathText, swap), fields: replaceIdsInFields(fields, swap) };
}

function normaliseFields(fields: Record<string, EditValue>): FormFields {
  const out: FormFields = {};
  for (const [key, value] of Object.entries(fields)) {
    const parsed = formValue.safeParse(value);
    if (!parsed.success) throw new EditValidationError([{ field: key, message: 'expected text, a number or nothing' }]);
    out[key] = parsed.data;
  }
  return out;
}

/** For a completion, the due contact's user, description and stage stand in for fields not given. */
function completionDefaults(sqlite: Database.Database, id: number, fields: FormFields): FormFields {
  const contact = readLocal(sqlite, { family: 'contacts', id });
  if (!contact || contact.state !== 'due') return fields;
  const out = { ...fields };
  const fill = (field: string, value: unknown) => {
    if (out[field] === undefined && formText(value) !== null) out[field] = formText(value);
  };
  fill('user', contact.raw.user);
  fill('description', contact.raw.description);
  fill('stage', contact.raw.stage ?? contact.raw.due_stage);
  return out;
}

function requireLocal(sqlite: Database.Database, family: string, id: number, what: string): void {
  if (!readLocal(sqlite, { family, id })) {
    throw new EditValidationError([{ field: 'path', message: `${what} ${id} is not in the replica: sync it (or create it) first` }]);
  }
}

/** Validates, applies and queues one edit; throws EditValidationError (nothing written) when refused. */
export function queueEdit(replica: Handle, input: QueueEditInput, options: QueueOptions = {}): QueueResult {
  const sqlite = replica.sqlite;
  const dialect = options.dialect ?? '2019';
  const substituted = substituteLanded(sqlite, input.path, normaliseFields(input.fields ?? {}));
  let fields = substituted.fields;
  let classified: ClassifiedEdit;
  try {
    classified = classifyEdit(input.method, substituted.path, dialect);
  } catch (error) {
    if (error instanceof EditPathError) throw new EditValidationError([{ field: error.field, message: error.message }]);
    throw error;
  }
  let completion = false;
  if (classified.operation === 'updateDoneContact') {
    completion = readLocal(sqlite, { family: 'contacts', id: classified.recordId! })?.state === 'due';
    if (completion) fields = completionDefaults(sqlite, classified.recordId!, fields);
  }
  const validation = validateEdit({ method: input.method, path: substituted.path, fields }, replicaEditContext(replica), { dialect, completion });
  if (!validation.ok) throw new EditValidationError(validation.issues);
  const edit = validation.value.edit;
  fields = validation.value.fields;

  if (edit.operation === 'upload') requireLocal(sqlite, edit.uploadGroup!, edit.recordId!, edit.uploadGroup === 'clients' ? 'client' : 'referral');
  else if (edit.operation === 'createDueContact') requireLocal(sqlite, 'referrals', edit.referralId!, 'referral');
  else if (edit.recordId !== undefined) {
    const family = familyOf(edit.group, edit.extensionDatabase);
    requireLocal(sqlite, family, edit.recordId, family === 'contacts' ? 'contact' : family.replace(/s$/, ''));
    if (edit.operation === 'updateDueContact' && readLocal(sqlite, { family, id: edit.recordId })?.state !== 'due') {
      throw new EditValidationError([{ field: 'path', message: `contact ${edit.recordId} is already done: update it through done_contacts/id/${edit.recordId}` }]);
    }
  }
  const files = loadFiles(input);
  if (edit.operation === 'upload' && files.length === 0) throw new EditValidationError([{ field: 'file', message: 'an upload needs at least one file (--file PATH)' }]);
  if (edit.operation !== 'upload' && files.length > 0) throw new EditValidationError([{ field: 'file', message: 'files go to clients/id/X/uploads or referrals/id/X/uploads only' }]);

  const now = (options.now ?? (() => new Date()))();
  return sqlite.transaction((): QueueResult => {
    const family = edit.uploadGroup ?? familyOf(edit.group, edit.extensionDatabase);
    const tempId = createsRecord(edit.operation) ? allocateTempId(sqlite, family) : null;
    const change = applyEdit(sqlite, edit, fields, tempId);
    const target = targetOf(edit, tempId);
    const entryId = Number(cached(sqlite, 
      `INSERT INTO outbox_entries (created_at, method, path, fields, operation, dialect, record_family, record_id, temp_id, state, base, base_updated, before)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
    ).run(
      now.toISOString(), edit.method, substituted.path, JSON.stringify(fields), edit.operation, dialect,
      family, target?.id ?? edit.recordId ?? null, tempId,
      change.base ? JSON.stringify(change.base) : null, change.baseUpdated, change.before ? JSON.stringify(change.before) : null,
    ).lastInsertRowid);
    if (tempId !== null) bindTempId(sqlite, tempId, entryId);

    const addRecord = cached(sqlite, 'INSERT OR IGNORE INTO outbox_records (entry_id, family, record_id, role) VALUES (?, ?, ?, ?)');
    if (target) addRecord.run(entryId, target.family, target.id, 'target');
    if (edit.operation === 'upload') addRecord.run(entryId, edit.uploadGroup!, edit.recordId!, 'reference');
    if (edit.referralId !== undefined && edit.referralId < 0) addRecord.run(entryId, 'referrals', edit.referralId, 'reference');
    for (const [field, familyName] of Object.entries(REFERENCE_FAMILIES)) {
      const value = fields[field];
      if (value != null && Number(value) < 0) addRecord.run(entryId, familyName, Number(value), 'reference');
    }
    const addFile = cached(sqlite, 'INSERT INTO outbox_files (entry_id, seq, filename, content_type, bytes, sha256, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
    files.forEach((file, i) => addFile.run(entryId, i, file.filename, file.contentType, file.data.length, file.sha256, file.data));
    return { temp_id: tempId, entry: entryId };
  }).immediate();
}
