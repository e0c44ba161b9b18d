// Loopback checks for the simulator: which addresses it may bind without a warning, and which
// peers and Host headers the control endpoint answers (a guard against other machines and
// against DNS rebinding, where a web page reaches 127.0.0.1 under a foreign host name).
import { isIPv4, isIPv6 } from 'node:net';

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x (`::ffff:127.0.0.1`). Host names are not addresses. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIPv4(bare)) return bare.startsWith('127.');
  if (!isIPv6(bare)) return false;
  if (bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^(?:0:0:0:0:0|):ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare.replace(/^::/, ':'));
  return mapped ? isLoopbackAddress(mapped[1]) : false;
}

/** A host the simulator binds to without complaint: a loopback address or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  return host.toLowerCase() === 'localhost' || isLoopbackAddress(host);
}

/** Whether a Host header (`127.0.0.1:4000`, `[::1]:4000`, `localhost`) names this machine's loopback. */
export function isLoopbackHostHeader(header: string | undefined): boolean {
  if (!header) return false;
  const value = header.trim().toLowerCase();
  const hostname = value.startsWith('[') ? value.slice(0, value.indexOf(']') + 1) : value.replace(/:\d*$/, '');
  if (hostname === '') return false;
  return hostname === 'localhost' || isLoopbackAddress(hostname);
}

/** An address a browser or client can dial to reach a server bound to `host`. */
export function dialableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return isIPv6(host) ? `[${host}]` : host;
}
