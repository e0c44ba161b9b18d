// The doctor's own small HTTP layer: it must see what the API client hides on purpose — status,
// headers (compression), timings, bodies that are not what we assume — and send the 2025 manual's
// forms even where our URL grammar does not know them yet. Paths are printed by the caller from
// fixed words and ids the server itself gave; every request and its time is recorded.

import { gunzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { AUTH_HEADERS } from '../../shared/dizions/assumptions.js';

export interface DoctorConnection {
  /** e.g. `https://api.dizions.co.uk/v2`. */
  baseUrl: string;
  source: string;
  org: string;
  user: string;
}

export interface ProbeReply {
  method: string;
  path: string;
  /** 0 when the request never got an answer (network, timeout). */
  status: number;
  ms: number;
  text: string;
  /** The parsed body; undefined when it was empty or not JSON (`parseError` says which). */
  json: unknown;
  parseError?: string;
  /** `content-encoding` of the reply (gzip when the server compresses). */
  encoding: string | undefined;
  bytes: number;
  /** Set when status is 0. */
  networkError?: string;
}

/** The server address is unusable before anything is sent. */
export class ConnectionSettingsError extends Error {
  override name = 'ConnectionSettingsError';
}

export class Prober {
  readonly replies: ProbeReply[] = [];
  private readonly origin: string;
  private readonly basePath: string;
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;

  constructor(
    connection: DoctorConnection,
    private readonly timeoutMs = 30_000,
  ) {
    let url: URL;
    try {
      url = new URL(connection.baseUrl);
    } catch {
      throw new ConnectionSettingsError(`the server address "${connection.baseUrl}" is not a URL (expected e.g. https://api.dizions.co.uk/v2)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConnectionSettingsError(`the server address "${connection.baseUrl}" must start with http:// or https://`);
    for (const key of ['source', 'org', 'user'] as const) {
      if (!connection[key]) throw new ConnectionSettingsError(`the ${AUTH_HEADERS[key]} key is empty`);
    }
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(this.origin, { connections: 2, connect: { timeout: timeoutMs } });
    this.headers = {
      [AUTH_HEADERS.source]: connection.source,
      [AUTH_HEADERS.org]: connection.org,
      [AUTH_HEADERS.user]: connection.user,
      accept: 'application/json',
      'accept-encoding': 'gzip',
    };
  }

  get(path: string): Promise<ProbeReply> {
    return this.exchange('GET', path);
  }

  /** A write (only `--write-probes` sends one): form-encoded fields. */
  send(method: 'PUT' | 'POST', path: string, fields: Record<string, string>): Promise<ProbeReply> {
    return this.exchange(method, path, new URLSearchParams(fields).toString());
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }

  private async exchange(method: string, path: string, form?: string): Promise<ProbeReply> {
    const started = performance.now();
    const reply: ProbeReply = { method, path, status: 0, ms: 0, text: '', json: undefined, encoding: undefined, bytes: 0 };
    try {
      const response = await this.pool.request({
        origin: this.origin,
        path: `${this.basePath}/${path}`,
        method: method as 'GET',
        headers: form === undefined ? this.headers : { ...this.headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: form ?? null,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const raw = Buffer.from(await response.body.arrayBuffer());
      const encoding = response.headers['content-encoding'];
      reply.encoding = Array.isArray(encoding) ? encoding[0] : encoding;
      reply.status = response.statusCode;
      reply.bytes = raw.length;
      reply.text = (reply.encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      if (reply.text.trim() !== '') {
        try {
          reply.json = JSON.parse(reply.text);
        } catch (error) {
          reply.parseError = `not JSON (${(error as Error).message})`;
        }
      }
    } catch (error) {
      reply.networkError = describeNetworkError(error, this.origin, this.timeoutMs);
    }
    reply.ms = performance.now() - started;
    this.replies.push(reply);
    return reply;
  }
}

function describeNetworkError(error: unknown, origin: string, timeoutMs: number): string {
  const code = (error as { code?: string })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return `nothing answers at ${origin} (connection refused)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the name in ${origin} does not resolve (check the address, or the network)`;
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `${origin} did not answer within ${Math.round(timeoutMs / 1000)} s`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `${origin} dropped the connection`;
    default: {
      const message = (error as Error)?.message ?? String(error);
      return `cannot reach ${origin}: ${code ? `${code} ` : ''}${message}`;
    }
  }
}
