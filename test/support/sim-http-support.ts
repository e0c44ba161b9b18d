// Helpers for the simulator's HTTP tests: a real client (undici over 127.0.0.1) that sends the
// three key headers of a demo user, form and multipart bodies, and reads replies as text.
import { FormData, request } from 'undici';
import type { RunningSimulator } from '../../main/sim/server.js';
import type { DemoUserLine } from '../../main/sim/types.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface Send {
  as?: DemoUserLine | null; // null: no key headers at all
  form?: Record<string, string>;
  multipart?: FormData;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function keyHeaders(user: DemoUserLine): Record<string, string> {
  return { Source: user.source, Org: user.org, User: user.user };
}

/** Sends one API request (path relative to /v2) and reads the whole reply. */
export async function api(sim: RunningSimulator, method: string, path: string, send: Send = {}): Promise<Reply> {
  const user = send.as === undefined ? sim.users[0]! : send.as;
  const headers: Record<string, string> = { ...(user ? keyHeaders(user) : {}), ...send.headers };
  let body: string | Buffer | FormData | undefined = send.body;
  if (send.form) {
    body = new URLSearchParams(send.form).toString();
    headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
  }
  if (send.multipart) body = send.multipart;
  const reply = await request(`${sim.url}/${path}`, { method: method as 'GET', headers, body });
  return { status: reply.statusCode, headers: reply.headers, text: await reply.body.text() };
}

export function json<T = unknown>(reply: Reply): T {
  return JSON.parse(reply.text) as T;
}

/** A control request (path relative to /_control), JSON in and out. */
export async function control(sim: RunningSimulator, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const reply = await request(`${sim.controlUrl}/${path}`, {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await reply.body.text();
  return { status: reply.statusCode, body: text ? JSON.parse(text) : undefined };
}

export { FormData };
