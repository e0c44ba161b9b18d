// Simulator options that make it answer like a server that keeps to the published facts but not to
// our unpublished assumptions: `--reply-style` phrases write replies in each shape a real server may
// use (shared/dizions/replies.ts reads them all), `--timestamp-format` breaks the timestamp assumption
// on reads. Applied to a reply after the data layer answered; the stored data never changes.

import { REPLY_STYLES, TIMESTAMP_FORMATS, type SimReplyStyle, type SimResponse, type SimTimestampFormat } from './types.js';

export { REPLY_STYLES, TIMESTAMP_FORMATS, type SimReplyStyle, type SimTimestampFormat };

/** The shapes a client must accept; `none` (creates too answer an empty body) is a broken server, for tests. */

export interface ReplyVariantOptions {
  /** How creates and updates are answered; `empty`: updates answer an empty body, creates `{"id": N}` (a create must say its id); `none`: both answer an empty body. */
  replyStyle?: SimReplyStyle;
  /** `iso`: `YYYY-MM-DDTHH:MM:SS`; `no-seconds`: `YYYY-MM-DD HH:MM`; `zero`: empty values read `0000-00-00 00:00:00`. */
  timestampFormat?: SimTimestampFormat;
}

// A write names its record (an update) with `…/id/N`, or in the 2025 pages with `<group>/N`.
const UPDATE_PATH = /(^|\/)id\/\d+(\/|$|\?)|^(clients|referrals|due_contacts|done_contacts)\/\d+(\/|$|\?)|^relationship_details\//;

function styled(id: number, style: SimReplyStyle): unknown {
  switch (style) {
    case 'id':
      return { id };
    case 'id-string':
      return { id: String(id) };
    case 'bare':
      return id;
    case 'string':
      return String(id);
    case 'array':
      return [{ id }];
    case 'empty':
      return { id };
    case 'none':
      return undefined;
  }
}

/** The reply with the options applied (the same object when none applies). */
export function varyReply(options: ReplyVariantOptions, method: string, path: string, response: SimResponse): SimResponse {
  if (response.status < 200 || response.status >= 300) return response;
  const write = method === 'PUT' || method === 'POST';
  if (write && options.replyStyle && options.replyStyle !== 'id' && 'json' in response) {
    const id = (response.json as { id?: unknown } | null)?.id;
    if (typeof id !== 'number') return response;
    const isUpdate = UPDATE_PATH.test(path) && !/\/uploads(\?|$)/.test(path);
    if (isUpdate && options.replyStyle === 'empty') return { status: response.status, json: undefined };
    return { status: response.status, json: styled(id, options.replyStyle) };
  }
  if (!write && options.timestampFormat && options.timestampFormat !== 'seed') {
    const format = options.timestampFormat;
    if ('rows' in response) {
      const rows = response.rows;
      return {
        status: response.status,
        rows: {
          *[Symbol.iterator]() {
            for (const row of rows) yield reformatRow(row, format);
          },
        },
      };
    }
  }
  return response;
}

const TIMESTAMP_FIELDS = ['start_date', 'end_date', 'updated'];

function reformatRow(row: Record<string, unknown>, format: SimTimestampFormat): Record<string, unknown> {
  let out = row;
  for (const field of TIMESTAMP_FIELDS) {
    if (!(field in row)) continue;
    const value = row[field];
    let next = value;
    if (typeof value === 'string' && value.length === 19) {
      if (format === 'iso') next = `${value.slice(0, 10)}T${value.slice(11)}`;
      else if (format === 'no-seconds') next = value.slice(0, 16);
    } else if ((value === null || value === '') && format === 'zero') {
      next = '0000-00-00 00:00:00';
    }
    if (next !== value) {
      if (out === row) out = { ...row };
      out[field] = next;
    }
  }
  return out;
}
