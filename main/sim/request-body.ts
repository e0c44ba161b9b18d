// Reading and parsing request bodies for the simulator: size-capped reading, strict
// application/x-www-form-urlencoded, and multipart/form-data parsed by busboy. Any part with a
// filename is an uploaded file: the API does not publish the part's name (our client sends
// `files`), so the simulator must not make our own guess a rule the real server may not keep.
// Every malformed body becomes an HttpError (400/413/415) with a message, never a crash.
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { UPLOAD_FILE_PART } from '../../shared/dizions/assumptions.js';
import { HttpError } from './http-reply.js';
import type { UploadedFile } from './types.js';

/** Form bodies are small; uploads may carry documents and photos. */
export const FORM_BODY_LIMIT = 1024 * 1024;
export const MULTIPART_BODY_LIMIT = 32 * 1024 * 1024;

export interface ParsedForm {
  form: Record<string, string>;
  files: UploadedFile[];
}

/** Beyond this, an oversized body is not even read to its end: the connection is closed instead. */
const DISCARD_LIMIT = 64 * 1024 * 1024;

/** Reads the whole body; one larger than `limit` bytes is refused with 413. An oversized body is
 * still read (and thrown away) to its end, up to DISCARD_LIMIT, so that the client, still sending,
 * does not meet a reset before it can read the 413. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > DISCARD_LIMIT) return Promise.reject(tooLarge(limit, true));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > DISCARD_LIMIT) {
        cleanup();
        reject(tooLarge(limit, true));
      } else if (size <= limit) {
        chunks.push(chunk);
      } else {
        chunks.length = 0; // over the limit: keep reading to the end, keep nothing
      }
    };
    const onEnd = () => {
      cleanup();
      if (size > limit) reject(tooLarge(limit, false));
      else resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onAborted = () => onError(new Error('the client closed the connection while sending the body'));
    const onClose = () => {
      if (!req.complete) onAborted();
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
    req.on('close', onClose);
  });
}

function tooLarge(limit: number, closeConnection: boolean): HttpError {
  return new HttpError(413, `the request body is larger than the ${Math.round(limit / 1024)} KiB this server accepts`, closeConnection ? { Connection: 'close' } : {});
}

/** The body limit for a request, from its Content-Type. */
export function bodyLimitFor(contentType: string | undefined): number {
  return mediaType(contentType) === 'multipart/form-data' ? MULTIPART_BODY_LIMIT : FORM_BODY_LIMIT;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Parses a PUT/POST body into form fields and uploaded files. An empty body is an empty form. */
export async function parseFormBody(contentType: string | undefined, body: Buffer): Promise<ParsedForm> {
  if (body.length === 0) return { form: {}, files: [] };
  const type = mediaType(contentType);
  if (type === 'application/x-www-form-urlencoded') return { form: parseUrlEncoded(body), files: [] };
  if (type === 'multipart/form-data') return parseMultipart(contentType!, body);
  throw new HttpError(415, `request bodies must be application/x-www-form-urlencoded or multipart/form-data, not ${type ? `"${type}"` : 'untyped'}`);
}

/** Strict urlencoded parsing: bad UTF-8 or bad percent-encoding is a 400, not silently replaced.
 * A field given twice keeps its last value, as PHP (the real server's platform) does. */
export function parseUrlEncoded(body: Buffer): Record<string, string> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new HttpError(400, 'the form body is not valid UTF-8');
  }
  const form: Record<string, string> = Object.create(null); // a field named __proto__ stays a field
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeFormComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = decodeFormComponent(eq < 0 ? '' : pair.slice(eq + 1));
    if (key === '') throw new HttpError(400, 'the form body has a field with an empty name');
    form[key] = value;
  }
  return { ...form };
}

function decodeFormComponent(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new HttpError(400, `the form body has invalid percent-encoding near "${raw.slice(0, 40)}"`);
  }
}

function parseMultipart(contentType: string, body: Buffer): Promise<ParsedForm> {
  if (!/;\s*boundary=/i.test(contentType)) throw new HttpError(400, 'multipart/form-data needs a boundary parameter in its Content-Type');
  const form: Record<string, string> = Object.create(null); // a part named __proto__ stays a field
  const files: UploadedFile[] = [];
  return new Promise((resolve, reject) => {
    const refuse = (message: string) => reject(new HttpError(400, message));
    let parser: busboy.Busboy;
    try {
      // UTF-8 names and filenames, as browsers and undici's FormData send them.
      parser = busboy({ headers: { 'content-type': contentType }, defCharset: 'utf8', defParamCharset: 'utf8' });
    } catch (error) {
      refuse(`the multipart body could not be parsed (${(error as Error).message})`);
      return;
    }
    parser.on('field', (name, value) => {
      if (name === UPLOAD_FILE_PART || name === `${UPLOAD_FILE_PART}[]`) {
        refuse(`the part named "${name}" carries no file (it has no filename)`);
        return;
      }
      form[name] = value;
    });
    parser.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => files.push({ filename: info.filename ?? '', contentType: info.mimeType || 'application/octet-stream', data: Buffer.concat(chunks) }));
    });
    parser.on('error', (error: Error) => refuse(`the multipart body could not be parsed (${error.message})`));
    parser.on('close', () => resolve({ form: { ...form }, files }));
    parser.end(body);
  });
}
