// The Dizions API v2 client: one typed method per endpoint over a keep-alive undici pool. Paths are
// always printed by shared/url-grammar.ts, so a hostile value or an 11th filter pair is refused with a
// GrammarError before any byte is sent. The client never retries: callers decide (see ./retry.ts).

import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { FormData, type Dispatcher } from 'undici';
import { AUTH_HEADERS, UPLOAD_FILE_PART, type IdReply } from '../../shared/dizions/assumptions.js';
import { CREATES_RECORD, printWrite, wireFields, type Dialect, type WriteOperation, type WriteTarget } from '../../shared/dizions/dialects.js';
import { isRangeKey, type RecordGroup } from '../../shared/dizions/model.js';
import {
  ResponseShapeError,
  parseDictionary,
  parseDictionaryAll,
  parseExtensionRecords,
  parseIdReply,
  parseRecords,
  parseReportRows,
  parseSelectableFields,
  type DictionaryEntryBody,
  type ExtensionRecord,
  type GroupRecord,
  type ReportRowBody,
} from '../../shared/dizions/schemas.js';
import { readUpdateReply } from '../../shared/dizions/replies.js';
import { GrammarError, parsePath, printPath, type DizionsPath, type FilterPair, type RecordsPath } from '../../shared/url-grammar.js';
import { PLAIN_HTTP_REFUSED, isRefusedPlainHttp } from '../../shared/server-address.js';
import { createServerDispatcher, type NetworkOptions } from './network.js';
import { DizionsError, errorFromBadReply, errorFromNetwork, errorFromStatus, isWriteMethod, type RequestLabel } from './errors.js';

export interface DizionsClientOptions {
  /** e.g. `https://api.dizions.co.uk/v2` or the simulator's `http://127.0.0.1:PORT/v2`. */
  baseUrl: string;
  source: string;
  org: string;
  user: string;
  dialect?: Dialect;
  /** Per request: the wait for the status line, and the longest pause between body chunks. Default 30 s. */
  timeoutMs?: number;
  /** Keep-alive connections in the pool. Default 4. */
  connections?: number;
  /** Bring your own undici dispatcher (then close() leaves it open). */
  dispatcher?: Dispatcher;
  /** Proxy and extra trusted CAs (office networks); see ./network.ts. */
  network?: NetworkOptions | undefined;
}

/** A form field: numbers are sent as decimal text, null as an empty value (clears the field), undefined is left out. */
export type FieldValue = string | number | null | undefined;
export type Fields = Record<string, FieldValue>;
/** Filters as `{religion: [1, 3, 10], date_active: ['2018-10-01', '2018-10-31']}` or as grammar pairs. */
export type Filters = Record<string, string | number | Array<string | number>> | FilterPair[];

export interface UploadFile {
  filename: string;
  data: Uint8Array;
  contentType?: string;
}

/** Who may see an upload: user ids and group ids (sent comma-separated). */
export interface UploadVisibility {
  user: number[];
  group: number[];
}

export interface GetOptions {
  fields?: string[];
  /** Dictionary fields to return as names (`ALL` for every one). */
  resolveIds?: string[];
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface RawRequestOptions extends CallOptions {
  /** Sent as multipart/form-data parts named `files`, with the fields as text parts. */
  files?: UploadFile[];
}

export interface RawReply {
  status: number;
  /** The parsed JSON body, or null when the body was empty. */
  json: unknown;
}

export interface RawBody {
  status: number;
  /** The body as text, unparsed: sync validates record by record while it ingests. */
  text: string;
  bytes: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECTIONS = 4;

export function createDizionsClient(options: DizionsClientOptions): DizionsClient {
  return new DizionsClient(options);
}

type Body = { form: Fields } | { multipart: Fields; files: UploadFile[] };

export class DizionsClient {
  readonly dialect: Dialect;
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly authHeaders: Record<string, string>;
  private readonly timeoutMs: number;
  private requestCount = 0;
  private byteCount = 0;

  constructor(options: DizionsClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new Error(`the server address "${options.baseUrl}" is not a URL (expected e.g. https://api.dizions.co.uk/v2)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`the server address "${options.baseUrl}" must start with http:// or https://`);
    if (url.search || url.hash) throw new Error(`the server address "${options.baseUrl}" must not carry a query or fragment`);
    if (isRefusedPlainHttp(url)) throw new Error(`the server address "${options.baseUrl}" is refused: ${PLAIN_HTTP_REFUSED}`);
    for (const key of ['source', 'org', 'user'] as const) {
      if (!options[key]) throw new Error(`the ${AUTH_HEADERS[key]} key is empty`);
    }
    this.dialect = options.dialect ?? '2019';
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.baseUrl = this.origin + this.basePath;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.authHeaders = {
      [AUTH_HEADERS.source]: options.source,
      [AUTH_HEADERS.org]: options.org,
      [AUTH_HEADERS.user]: options.user,
    };
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      createServerDispatcher(this.origin, {
        connections: options.connections ?? DEFAULT_CONNECTIONS,
        timeoutMs: this.timeoutMs,
        network: options.network,
      });
  }

  /** HTTP requests issued (including failed ones). */
  get requests(): number {
    return this.requestCount;
  }

  /** Response body bytes received, over all requests. */
  get bytesReceived(): number {
    return this.byteCount;
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.destroy();
  }

  // ---- reads ----------------------------------------------------------------------------------

  async getRecords<G extends RecordGroup>(group: G, filters: Filters = {}, options: GetOptions = {}, call: CallOptions = {}): Promise<GroupRecord<G>[]> {
    const reply = await this.exchangeJson('GET', recordsPathOf(group, filters, options), undefined, call);
    return this.shaped(reply, () => parseRecords(group, reply.json, { resolved: options.resolveIds ?? [] }));
  }

  /** `<group>/id/X`: the record, or undefined when the server (or this user's visibility) has none. */
  async getById<G extends RecordGroup>(group: G, id: number, options: GetOptions = {}, call: CallOptions = {}): Promise<GroupRecord<G> | undefined> {
    const records = await this.getRecords(group, { id: checkId(id, `${group} id`) }, options, call);
    return records[0];
  }

  async selectableFields(group: RecordGroup, call: CallOptions = {}): Promise<string[]> {
    const reply = await this.exchangeJson('GET', { kind: 'selectable_fields', group }, undefined, call);
    return this.shaped(reply, () => parseSelectableFields(reply.json, `${group}/selectable_fields`));
  }

  /** `<group>/dimension/<d>[/metric/<m>]` plus filters: rows keyed by the dimension (and metric) plus `count`. */
  async report(group: RecordGroup, dimension: string, metric?: string, filters: Filters = {}, call: CallOptions = {}): Promise<ReportRowBody[]> {
    const path = recordsPathOf(group, filters, {});
    path.report = metric === undefined ? { dimension } : { dimension, metric };
    const reply = await this.exchangeJson('GET', path, undefined, call);
    return this.shaped(reply, () => parseReportRows(reply.json, `${group} report`));
  }

  async dictionary(apiGroup: string, table: string, call: CallOptions = {}): Promise<DictionaryEntryBody[]> {
    const reply = await this.exchangeJson('GET', { kind: 'dictionary', apiGroup, table }, undefined, call);
    return this.shaped(reply, () => parseDictionary(reply.json, `dictionary/${apiGroup}/${table}`));
  }

  /** Every datadict dictionary, keyed `<group>/<table>` (the seed: slow and heavy). */
  async dictionaryAll(call: CallOptions = {}): Promise<Record<string, DictionaryEntryBody[]>> {
    const reply = await this.exchangeJson('GET', { kind: 'dictionary_all' }, undefined, call);
    return this.shaped(reply, () => parseDictionaryAll(reply.json));
  }

  /** `dictionary/relationships`, or `dictionary/carer_relationships` when `carer`. */
  async relationships(carer = false, call: CallOptions = {}): Promise<DictionaryEntryBody[]> {
    const reply = await this.exchangeJson('GET', { kind: 'relationships', carer }, undefined, call);
    return this.shaped(reply, () => parseDictionary(reply.json, carer ? 'dictionary/carer_relationships' : 'dictionary/relationships'));
  }

  async searchDictionary(apiGroup: string, table: string, term: string, call: CallOptions = {}): Promise<DictionaryEntryBody[]> {
    const reply = await this.exchangeJson('GET', { kind: 'dictionary_search', apiGroup, table, term }, undefined, call);
    return this.shaped(reply, () => parseDictionary(reply.json, `dictionary/search/${apiGroup}/${table}`));
  }

  /** Rows of a multiple-record extension database, e.g. `wellcheck_notes_9` filtered by `{referral: 2289}`. */
  async extensionRecords(database: string, filters: Filters = {}, fields?: string[], call: CallOptions = {}): Promise<ExtensionRecord[]> {
    const path = recordsPathOf('extension_database', filters, fields ? { fields } : {});
    path.extensionDatabase = database;
    const reply = await this.exchangeJson('GET', path, undefined, call);
    return this.shaped(reply, () => parseExtensionRecords(database, reply.json));
  }

  /** A GET whose body comes back as text, unvalidated, with its size: the bulk path of sync. */
  async getRecordsRaw(path: string | DizionsPath, options: CallOptions & { onBytes?: (bytesSoFar: number) => void } = {}): Promise<RawBody> {
    const ast = typeof path === 'string' ? parsePath(path) : path;
    return this.exchange('GET', printPath(ast), undefined, options);
  }

  // ---- writes ---------------------------------------------------------------------------------

  async createClient(fields: Fields, call?: CallOptions): Promise<IdReply> {
    return this.write('create-client', {}, fields, call);
  }

  async createClientWithExternalId(externalId: string, fields: Fields, call?: CallOptions): Promise<IdReply> {
    return this.write('create-client', { externalId }, fields, call);
  }

  async updateClient(id: number, fields: Fields, call?: CallOptions): Promise<IdReply> {
    return this.write('update-client', { recordId: checkId(id, 'clients id') }, fields, call);
  }

  /** Sets a relationship between two clients; fields in the current manual's names (`relation_first_to_second`, …). */
  async setRelationship(first: number, second: number, fields: Fields, call?: CallOptions): Promise<IdReply> {
    return this.write('set-relationship', { recordId: checkId(first, 'client id'), secondId: checkId(second, 'client id') }, fields, call);
  }

  async createReferral(fields: Fields, call?: CallOptions): Promise<IdReply> {
    return this.write('create-referral', {}, fields, call);
  }

  async updateReferral(id: number, fields: Fields, call?: CallOptions): Promise<IdReply> {
    return this.write('update-referral', { recordId: checkId(id, 'referrals id') }, fields, call);
  }

  async createDueContact(referralId: number, fields: Fields, call?: CallOptions): Promise<IdReply> {
    return this.write('plan-action', { referralId: checkId(referralId, 'referral id') }, fields, call);
  }

  async updateDueContact(id: number, fields: Fields, call?: CallOptions): Promise<IdReply> {
    return this.write('edit-action', { recordId: checkId(id, 'due_contacts id') }, fields, call);
  }

  /** Completes due contact `id`: it becomes done contact `id` (needs `start_date` and `end_date`, plus user, stage, description). */
  async completeDueContact(id: number, fields: Fields, call?: CallOptions): Promise<IdReply> {
    return this.write('complete-action', { recordId: checkId(id, 'due_contacts id') }, fields, call);
  }

  async updateDoneContact(id: number, fields: Fields, call?: CallOptions): Promise<IdReply> {
    return this.write('edit-contact', { recordId: checkId(id, 'done_contacts id') }, fields, call);
  }

  /** Staged for an administrator to import (2019: org_type_id, surname, description; 2025: first_name, surname, org_type_id). */
  async createExternalReferral(fields: Fields, call?: CallOptions): Promise<IdReply> {
    return this.write('external-referral', {}, fields, call);
  }

  async createExtensionRecord(database: string, fields: Fields, call?: CallOptions): Promise<IdReply> {
    return this.write('create-extension-record', { extensionDatabase: database }, fields, call);
  }

  async updateExtensionRecord(database: string, id: number, fields: Fields, call?: CallOptions): Promise<IdReply> {
    return this.write('update-extension-record', { extensionDatabase: database, recordId: checkId(id, 'extension_database id') }, fields, call);
  }

  /** Uploads files to a client or referral; visibility goes as comma-separated `user_visibility`/`group_visibility`. */
  async upload(group: 'clients' | 'referrals', id: number, files: UploadFile[], visibility: UploadVisibility, call?: CallOptions): Promise<IdReply> {
    if (files.length === 0) throw new Error('an upload needs at least one file');
    const fields = { user_visibility: visibility.user.join(','), group_visibility: visibility.group.join(',') };
    return this.write('upload-file', { uploadGroup: group, recordId: checkId(id, `${group} id`) }, fields, call, files);
  }

  // ---- raw ------------------------------------------------------------------------------------

  /** Sends exactly `method` to a path of the grammar (the CLI `api` command, and outbox replays). */
  async request(method: string, path: string | DizionsPath, fields?: Fields, options: RawRequestOptions = {}): Promise<RawReply> {
    if (!/^[A-Za-z]+$/.test(method)) throw new GrammarError(`"${method}" is not an HTTP method`);
    const verb = method.toUpperCase();
    const ast = typeof path === 'string' ? parsePath(path) : path;
    let body: Body | undefined;
    if (options.files && options.files.length > 0) body = { multipart: fields ?? {}, files: options.files };
    else if (fields || isWriteMethod(verb)) body = { form: fields ?? {} };
    const reply = await this.exchangeJson(verb, ast, body, options);
    return { status: reply.status, json: reply.json };
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /** One write, printed in this connection's dialect (shared/dizions/dialects.ts). */
  private async write(operation: WriteOperation, target: WriteTarget, fields: Fields, call: CallOptions = {}, files?: UploadFile[]): Promise<IdReply> {
    const { method, path } = printWrite(operation, target, this.dialect);
    const text: Record<string, string | null> = {};
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) text[key] = value === null ? null : String(value);
    const wire = wireFields(operation, text, target, this.dialect);
    const body: Body = files ? { multipart: wire, files } : { form: wire };
    const reply = await this.exchangeJson(method, path, body, call);
    // A create's reply must carry the new id (read tolerantly); any other write's may be any 2xx body.
    if (CREATES_RECORD.has(operation)) return this.shaped(reply, () => ({ id: parseIdReply(reply.json, 'the reply').id }));
    return { id: readUpdateReply(reply.json) ?? target.recordId ?? 0 };
  }

  private shaped<T>(reply: { label: RequestLabel; status: number }, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof ResponseShapeError) {
        throw errorFromBadReply(reply.label, reply.status, `the reply does not have the expected shape: ${error.message}`, { wrongShape: true, cause: error });
      }
      throw error;
    }
  }

  private async exchangeJson(method: string, path: DizionsPath, body: Body | undefined, call: CallOptions): Promise<{ label: RequestLabel; status: number; json: unknown }> {
    const printed = printPath(path); // throws GrammarError before anything is sent
    const label = { method, path: printed };
    const raw = await this.exchange(method, printed, body, call);
    if (raw.text.trim() === '') return { label, status: raw.status, json: null };
    try {
      return { label, status: raw.status, json: JSON.parse(raw.text) };
    } catch (error) {
      throw errorFromBadReply(label, raw.status, `the reply is not valid JSON (${raw.bytes} bytes; ${(error as Error).message})`, { wrongShape: false, cause: error });
    }
  }

  private async send(method: string, printed: string, body: Body | undefined, call: CallOptions): Promise<{ label: RequestLabel; response: Dispatcher.ResponseData; timeoutMs: number }> {
    const label = { method, path: printed };
    const timeoutMs = call.timeoutMs ?? this.timeoutMs;
    // gzip asked for on every request: a listing of a million (id, updated) pairs shrinks ~5×.
    const headers: Record<string, string> = { ...this.authHeaders, accept: 'application/json', 'accept-encoding': 'gzip' };
    let payload: string | FormData | undefined;
    if (body && 'form' in body) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = formEncode(body.form);
    } else if (body) {
      payload = multipart(body.multipart, body.files);
    }
    this.requestCount++;
    try {
      const response = await this.dispatcher.request({
        origin: this.origin,
        path: `${this.basePath}/${printed}`,
        method: method as Dispatcher.HttpMethod,
        headers,
        body: payload ?? null,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: call.signal ?? null,
      });
      return { label, response, timeoutMs };
    } catch (error) {
      throw this.cancelledOr(label, call, () => errorFromNetwork(label, error, { phase: 'sent', timeoutMs, origin: this.origin }));
    }
  }

  private async exchange(method: string, printed: string, body: Body | undefined, call: CallOptions & { onBytes?: (n: number) => void }): Promise<RawBody> {
    const { label, response, timeoutMs } = await this.send(method, printed, body, call);
    const status = response.statusCode;
    const chunks: Buffer[] = [];
    let bytes = 0;
    try {
      for await (const chunk of decodedBody(response, (n) => {
        bytes += n;
        this.byteCount += n;
        call.onBytes?.(bytes);
      }))
        chunks.push(chunk);
    } catch (error) {
      // An error status says enough on its own, even with its body cut short.
      if (status < 200 || status >= 300) throw errorFromStatus(label, status, response.headers, Buffer.concat(chunks).toString('utf8'));
      throw this.cancelledOr(label, call, () => errorFromNetwork(label, error, { phase: 'reply', status, bytesReceived: bytes, timeoutMs }));
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (status < 200 || status >= 300) throw errorFromStatus(label, status, response.headers, text);
    return { status, text, bytes };
  }

  /**
   * A GET whose body is handed over as text while it arrives (decoded, decompressed), each piece
   * awaited before the next is read: the bulk path of an initial fill, never holding a whole reply.
   * An error status is thrown before any text is handed over; a failure half-way is a DizionsError
   * (retryable) after the pieces already handed over.
   */
  async streamRecordsRaw(path: string | DizionsPath, onText: (text: string) => void | Promise<void>, call: CallOptions = {}): Promise<{ status: number; bytes: number }> {
    const ast = typeof path === 'string' ? parsePath(path) : path;
    const { label, response, timeoutMs } = await this.send('GET', printPath(ast), undefined, call);
    const status = response.statusCode;
    if (status < 200 || status >= 300) {
      const text = await this.exchangeRest(response);
      throw errorFromStatus(label, status, response.headers, text);
    }
    const decoder = new StringDecoder('utf8');
    let bytes = 0;
    const chunks = decodedBody(response, (n) => {
      bytes += n;
      this.byteCount += n;
    });
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (error) {
        throw this.cancelledOr(label, call, () => errorFromNetwork(label, error, { phase: 'reply', status, bytesReceived: bytes, timeoutMs }));
      }
      if (next.done) break;
      const text = decoder.write(next.value);
      if (text !== '') {
        try {
          await onText(text);
        } catch (error) {
          await chunks.return(undefined); // stop reading: the connection is dropped, not drained
          throw error;
        }
      }
    }
    const rest = decoder.end();
    if (rest !== '') await onText(rest);
    return { status, bytes };
  }

  /** The rest of an error reply's body, as text (best effort: a failure leaves what was read). */
  private async exchangeRest(response: Dispatcher.ResponseData): Promise<string> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of decodedBody(response, (n) => (this.byteCount += n))) chunks.push(chunk);
    } catch {
      // what arrived is enough to report
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private cancelledOr(label: RequestLabel, call: CallOptions, classify: () => DizionsError): DizionsError {
    if (!call.signal?.aborted) return classify();
    const write = isWriteMethod(label.method);
    return new DizionsError({
      ...label,
      kind: 'retryable',
      status: 0,
      phase: 'sent',
      mayHaveCommitted: write,
      cause: call.signal.reason,
      message: `the request was cancelled${write ? '; the change may have been saved' : ''}`,
    });
  }
}

// ---- helpers --------------------------------------------------------------------------------------

/**
 * A reply's body, decompressed when the server gzipped it (undici's request() hands over the bytes
 * as sent); `onWire` counts the bytes as they came over the network. Stopping early drops the body.
 */
async function* decodedBody(response: Dispatcher.ResponseData, onWire: (bytes: number) => void): AsyncGenerator<Buffer> {
  const body = response.body as AsyncIterable<Buffer> & { destroy(): void };
  const encoding = String(response.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  let complete = false;
  if (encoding === '' || encoding === 'identity') {
    try {
      for await (const chunk of body) {
        onWire(chunk.length);
        yield chunk;
      }
      complete = true;
    } finally {
      if (!complete) body.destroy(); // read to the end, the connection goes back to the pool
    }
    return;
  }
  if (encoding !== 'gzip' && encoding !== 'x-gzip') {
    body.destroy();
    throw new Error(`the server sent a body encoded as "${encoding}", which this client cannot read`);
  }
  const gunzip = createGunzip();
  const feeding = (async () => {
    try {
      for await (const chunk of body) {
        onWire(chunk.length);
        if (!gunzip.write(chunk)) await once(gunzip, 'drain');
      }
      gunzip.end();
    } catch (error) {
      gunzip.destroy(error as Error);
    }
  })();
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
    await feeding;
    complete = true;
  } finally {
    if (!complete) {
      gunzip.destroy();
      body.destroy();
    }
  }
}

function checkId(id: number, what: string): number {
  if (!Number.isSafeInteger(id) || id <= 0) throw new GrammarError(`${what} must be a positive whole number, got ${String(id)}`);
  return id;
}

function recordsPathOf(group: string, filters: Filters, options: GetOptions): RecordsPath {
  let pairs: FilterPair[];
  if (Array.isArray(filters)) {
    pairs = filters;
  } else {
    pairs = Object.entries(filters).map(([key, value]): FilterPair => {
      const values = (Array.isArray(value) ? value : [value]).map(String);
      return isRangeKey(key) ? { key, range: rangeOf(key, values) } : { key, values };
    });
  }
  const path: RecordsPath = { kind: 'records', group, pairs };
  if (options.fields) path.fields = options.fields;
  if (options.resolveIds && options.resolveIds.length > 0) path.resolveIds = options.resolveIds;
  return path;
}

function rangeOf(key: string, values: string[]): [string, string] {
  const bounds = values.length === 1 ? values[0]!.split(',') : values;
  if (bounds.length !== 2) throw new GrammarError(`${key} takes a range: [from, to] or "from,to"`);
  return [bounds[0]!, bounds[1]!];
}

function formEncode(fields: Fields): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    form.append(key, value === null ? '' : String(value));
  }
  return form.toString();
}

function multipart(fields: Fields, files: UploadFile[]): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    form.append(key, value === null ? '' : String(value));
  }
  for (const file of files) {
    const blob = new Blob([file.data as Uint8Array<ArrayBuffer>], { type: file.contentType ?? 'application/octet-stream' });
    form.append(UPLOAD_FILE_PART, blob, file.filename);
  }
  return form;
}
