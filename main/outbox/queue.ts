// Queues an edit — written in the API's own terms (method, path read in a dialect) or as a neutral
// operation (create-client, record-contact, …) — validated first (shared/edits), then in ONE SQLite
// transaction applied to the replica, recorded as a dialect-neutral outbox entry (operation, target
// records, fields) with the records it touches, and its files copied into the encrypted database.
// Either all of it is on disk or none of it is; an entry leaves `pending` only through replay.ts.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Dialect, WriteOperation, WriteTarget } from '../../shared/dizions/dialects.js';
import { createsRecord, editOf, readEdit, EditPathError, type ClassifiedEdit } from '../../shared/edits/classify.js';
import { REFERENCE_FAMILIES, formValue, type EditValue } from '../../shared/edits/field-kinds.js';
import { describeIssues, inDialectWords, validateNeutralEdit, type EditIssue } from '../../shared/edits/validate.js';
import { printEntry, targetOfEdit } from './printing.js';
import { applyEdit, formText, targetOf } from './apply.js';
import { replicaEditContext } from './context.js';
import { cached } from '../db/statement-cache.js';
import { readLocal } from '../db/local-records.js';
import { familyOf } from './families.js';
import { allocateTempId, bindTempId, landedId, replaceIdsInFields, replaceIdsInPath, replaceIdsInTarget } from './temp-ids.js';
import type { FormFields } from './entries.js';

type Handle = { sqlite: Database.Database };

/** A file to upload: a path on disk (read now), or bytes in hand (the UI). */
export type QueuedFile = string | { filename: string; data: Uint8Array; contentType?: string };

/** An edit in a dialect's words (method + path, read in `QueueOptions.dialect`), or a neutral operation. */
export type QueueEditInput = ({ method: string; path: string } | { operation: WriteOperation; target?: WriteTarget }) & {
  fields?: Record<string, EditValue>;
  file?: QueuedFile;
  files?: QueuedFile[];
};

export interface QueueOptions {
  /** The dialect a method + path is written in, and whose field rules apply now (default 2019, the seed). */
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

const tooLarge = () => new EditValidationError([{ field: 'file', message: `uploads are limited to ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB per edit` }]);

/** Reads a file only once its size is known to fit in `room` bytes: a 200 MB file is refused unread. */
function readBoundedFile(file: string, room: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    throw new EditValidationError([{ field: 'file', message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new EditValidationError([{ field: 'file', message: `cannot read ${file}: it is not a file` }]);
    if (stat.size > room) throw tooLarge();
    // Read at most one byte past the room: a file that grew since fstat is still refused, unread beyond that.
    const buffer = Buffer.alloc(Math.min(stat.size + 1, room + 1));
    let length = 0;
    while (length < buffer.length) {
      const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > room) throw tooLarge();
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof EditValidationError) throw error;
    throw new EditValidationError([{ field: 'file', message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
  } finally {
    fs.closeSync(fd);
  }
}

interface LoadedFile {
  filename: string;
  contentType: string | null;
  data: Buffer;
  sha256: string;
}

function loadFiles(input: QueueEditInput): LoadedFile[] {
  const list = [...(input.file !== undefined ? [input.file] : []), ...(input.files ?? [])];
  let total = 0;
  return list.map((file) => {
    let loaded: LoadedFile;
    if (typeof file === 'string') {
      const data = readBoundedFile(file, MAX_UPLOAD_BYTES - total);
      loaded = { filename: path.basename(file), contentType: null, data, sha256: '' };
    } else {
      loaded = { filename: file.filename, contentType: file.contentType ?? null, data: Buffer.from(file.data), sha256: '' };
    }
    total += loaded.data.length;
    if (total > MAX_UPLOAD_BYTES) throw tooLarge();
    loaded.sha256 = crypto.createHash('sha256').update(loaded.data).digest('hex');
    return loaded;
  });
}

/** Temp ids whose create already landed are replaced by the server id before anything else. */
function landedSwap(sqlite: Database.Database): (v: string) => string {
  return (v: string) => {
    if (!/^-\d+$/.test(v)) return v;
    const landed = landedId(sqlite, Number(v));
    return landed === undefined ? v : String(landed);
  };
}

function normaliseFields(fields: Record<string, EditValue>): FormFields {
  const out: FormFields = {};
  for (const [key, value] of Object.entries(fields)) {
    // Copying by assignment would turn `__proto__` into a prototype and drop it silently: refuse it here.
    if (key === '__proto__') throw new EditValidationError([{ field: key, message: 'is not a field name (lowercase letters, digits and _)' }]);
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

/** Reads the input as a neutral edit (EditValidationError naming the field when it is not a write). */
function neutralEdit(sqlite: Database.Database, input: QueueEditInput, dialect: Dialect): { edit: ClassifiedEdit; fields: FormFields } {
  const swap = landedSwap(sqlite);
  const fields = replaceIdsInFields(normaliseFields(input.fields ?? {}), swap);
  if ('operation' in input) {
    return { edit: editOf(input.operation, replaceIdsInTarget(input.target ?? {}, swap)), fields };
  }
  try {
    const read = readEdit(input.method, replaceIdsInPath(input.path, swap), fields, dialect);
    return { edit: { ...read.edit, ...replaceIdsInTarget(targetOfEdit(read.edit), swap) }, fields: read.fields };
  } catch (error) {
    if (error instanceof EditPathError) throw new EditValidationError([{ field: error.field, message: error.message }]);
    throw error;
  }
}

/** Validates, applies and queues one edit; throws EditValidationError (nothing written) when refused. */
export function queueEdit(replica: Handle, input: QueueEditInput, options: QueueOptions = {}): QueueResult {
  const sqlite = replica.sqlite;
  const dialect = options.dialect ?? '2019';
  const read = neutralEdit(sqlite, input, dialect);
  let fields = read.fields;
  const edit = read.edit;
  const contactState = (id: number) => readLocal(sqlite, { family: 'contacts', id })?.state;
  if (edit.alsoMeans) {
    // The seed's done-contact POST: completes a due contact, edits a done one.
    if (contactState(edit.recordId!) === 'done') edit.operation = edit.alsoMeans;
    delete edit.alsoMeans;
  }
  if (edit.operation === 'complete-action' && contactState(edit.recordId!) === 'done') {
    throw new EditValidationError([
      {
        field: 'path',
        message: `contact ${edit.recordId} is already done: edit it (${printEntry('edit-contact', targetOfEdit(edit), dialect).method} ${printEntry('edit-contact', targetOfEdit(edit), dialect).path})`,
      },
    ]);
  }
  if (edit.operation === 'edit-contact' && contactState(edit.recordId!) === 'due') {
    throw new EditValidationError([
      {
        field: 'path',
        message: `contact ${edit.recordId} is still due: complete it (${printEntry('complete-action', targetOfEdit(edit), dialect).method} ${printEntry('complete-action', targetOfEdit(edit), dialect).path})`,
      },
    ]);
  }
  if (edit.operation === 'complete-action') fields = completionDefaults(sqlite, edit.recordId!, fields);
  const validation = validateNeutralEdit(edit, fields, replicaEditContext(replica), dialect);
  if (!validation.ok) throw new EditValidationError('operation' in input ? validation.issues : inDialectWords(validation.issues, edit.operation, dialect));
  fields = validation.value.fields;

  if (edit.operation === 'upload-file') requireLocal(sqlite, edit.uploadGroup!, edit.recordId!, edit.uploadGroup === 'clients' ? 'client' : 'referral');
  else if (edit.operation === 'plan-action' || edit.operation === 'record-contact') requireLocal(sqlite, 'referrals', edit.referralId!, 'referral');
  else if (edit.operation === 'set-relationship') {
    requireLocal(sqlite, 'clients', edit.recordId!, 'client');
    requireLocal(sqlite, 'clients', edit.secondId!, 'client');
  } else if (edit.recordId !== undefined) {
    const family = familyOf(edit.group, edit.extensionDatabase);
    requireLocal(sqlite, family, edit.recordId, family === 'contacts' ? 'contact' : family.replace(/s$/, ''));
    if (edit.operation === 'edit-action' && contactState(edit.recordId) !== 'due') {
      const printed = printEntry('edit-contact', targetOfEdit(edit), dialect);
      throw new EditValidationError([{ field: 'path', message: `contact ${edit.recordId} is already done: update it through ${printed.method} ${printed.path}` }]);
    }
  }
  const files = loadFiles(input);
  if (edit.operation === 'upload-file' && files.length === 0) throw new EditValidationError([{ field: 'file', message: 'an upload needs at least one file (--file PATH)' }]);
  if (edit.operation !== 'upload-file' && files.length > 0) throw new EditValidationError([{ field: 'file', message: 'files go to clients/id/X/uploads or referrals/id/X/uploads only' }]);

  const now = (options.now ?? (() => new Date()))();
  const target = targetOfEdit(edit);
  const printed = printEntry(edit.operation, target, dialect);
  return sqlite
    .transaction((): QueueResult => {
      const family = edit.uploadGroup ?? familyOf(edit.group, edit.extensionDatabase);
      const tempId = createsRecord(edit.operation) ? allocateTempId(sqlite, family) : null;
      const change = applyEdit(sqlite, edit, fields, tempId);
      const written = targetOf(edit, tempId);
      const entryId = Number(
        cached(
          sqlite,
          `INSERT INTO outbox_entries (created_at, method, path, fields, operation, dialect, target, record_family, record_id, temp_id, state, base, base_updated, before)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
        ).run(
          now.toISOString(),
          printed.method,
          printed.path,
          JSON.stringify(fields),
          edit.operation,
          dialect,
          JSON.stringify(target),
          family,
          written?.id ?? edit.recordId ?? null,
          tempId,
          change.base ? JSON.stringify(change.base) : null,
          change.baseUpdated,
          change.before ? JSON.stringify(change.before) : null,
        ).lastInsertRowid,
      );
      if (tempId !== null) bindTempId(sqlite, tempId, entryId);

      const addRecord = cached(sqlite, 'INSERT OR IGNORE INTO outbox_records (entry_id, family, record_id, role) VALUES (?, ?, ?, ?)');
      if (written) addRecord.run(entryId, written.family, written.id, 'target');
      if (edit.operation === 'upload-file') addRecord.run(entryId, edit.uploadGroup!, edit.recordId!, 'reference');
      if (edit.referralId !== undefined && edit.referralId < 0) addRecord.run(entryId, 'referrals', edit.referralId, 'reference');
      if (edit.secondId !== undefined && edit.secondId < 0) addRecord.run(entryId, 'clients', edit.secondId, 'reference');
      for (const [field, familyName] of Object.entries(REFERENCE_FAMILIES)) {
        const value = fields[field];
        if (value != null && Number(value) < 0) addRecord.run(entryId, familyName, Number(value), 'reference');
      }
      const addFile = cached(sqlite, 'INSERT INTO outbox_files (entry_id, seq, filename, content_type, bytes, sha256, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
      files.forEach((file, i) => addFile.run(entryId, i, file.filename, file.contentType, file.data.length, file.sha256, file.data));
      return { temp_id: tempId, entry: entryId };
    })
    .immediate();
}
