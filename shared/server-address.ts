// Which server addresses Caseworker will send the API keys and casework to: https anywhere, plain
// http only to this machine (the simulator and the demo). One rule and one message, used by the API
// client, the CLI's --server / CASEWORKER_SERVER and the IPC settings schema alike.

/** The one sentence every entry point shows when it refuses a plain http:// address. */
export const PLAIN_HTTP_REFUSED = 'plain http:// would send the API keys and casework unencrypted: use an https:// address (plain http is allowed only to this machine, 127.0.0.1 or localhost)';

/** `localhost`, `[::1]` or an IPv4 literal in 127.0.0.0/8 (URL.hostname spelling). */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets !== null && octets.slice(1).every((o) => Number(o) <= 255);
}

/** True when `address` is plain http to another machine: the keys would cross the network in clear. */
export function isRefusedPlainHttp(address: URL | string): boolean {
  let url: URL;
  try {
    url = typeof address === 'string' ? new URL(address) : address;
  } catch {
    return false; // not a URL at all: the caller's own check says so
  }
  return url.protocol === 'http:' && !isLoopbackHostname(url.hostname);
}

/** The refusal as a sentence for a person (capitalised, full stop). */
export function plainHttpRefusedSentence(): string {
  return `${PLAIN_HTTP_REFUSED[0]!.toUpperCase()}${PLAIN_HTTP_REFUSED.slice(1)}.`;
}
