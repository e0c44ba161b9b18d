// Helpers for the IPC and browser-host tests: a complete Services object whose every function
// counts its calls (and answers NOT_FOUND unless a test supplies a real one), and a raw HTTP client
// that can send any Host, Origin or Authorization header (fetch would not let a test forge Host).

import http from 'node:http';
import { CHANNELS } from '../../shared/ipc/channels.js';
import { ServiceError } from '../../main/ipc/service-error.js';
import type { Services } from '../../main/ipc/services.js';

export interface CountingServices {
  services: Services;
  calls: Map<string, unknown[]>;
  total(): number;
}

export function countingServices(real: Partial<Services> = {}): CountingServices {
  const calls = new Map<string, unknown[]>();
  const services: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const channel of CHANNELS) {
    services[channel] = async (input: unknown) => {
      const list = calls.get(channel) ?? [];
      list.push(input);
      calls.set(channel, list);
      const service = (real as Record<string, ((input: unknown) => Promise<unknown>) | undefined>)[channel];
      if (service) return service(input);
      throw new ServiceError('NOT_FOUND', `nothing behind ${channel} in this test`);
    };
  }
  return {
    services: services as unknown as Services,
    calls,
    total: () => [...calls.values()].reduce((n, list) => n + list.length, 0),
  };
}

export const trustEveryone = () => true;

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function rawRequest(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** The token a host printed in its URL. */
export function tokenOf(url: string): string {
  return new URL(url).searchParams.get('token')!;
}

/** Headers of a legitimate call from the app's own page. */
export function appHeaders(port: number, token: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    Host: `127.0.0.1:${port}`,
    Origin: `http://127.0.0.1:${port}`,
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
    ...extra,
  };
}
