// How the API client reaches the server on an office network: through an HTTP proxy (CONNECT for
// https) and trusting extra certificate authorities (an office that inspects HTTPS re-signs every
// site with its own CA). The CLI takes the proxy from --proxy or HTTPS_PROXY/HTTP_PROXY (NO_PROXY
// honoured; loopback never proxied unless --proxy says so) and extra CAs from NODE_EXTRA_CA_CERTS,
// which Node itself adds to its trust store. The desktop app hands in the system's proxy (resolved
// by Chromium, PAC files included) and the system's trust store (main/electron/network-settings.ts).

import tls from 'node:tls';
import { Pool, ProxyAgent, type Dispatcher } from 'undici';

export interface NetworkOptions {
  /** `http://[user:password@]host:port` of an HTTP proxy, or null/undefined for a direct connection. */
  proxy?: string | null | undefined;
  /** Hosts that bypass the proxy, NO_PROXY syntax: `intranet.example,.internal.example,*`. */
  noProxy?: string | undefined;
  /** When true, loopback hosts go through the proxy too (an explicit --proxy); default: they never do. */
  proxyLoopback?: boolean | undefined;
  /** Extra trusted certificate authorities (PEM), added to Node's own list, never replacing it. */
  ca?: readonly string[] | undefined;
}

export class NetworkSettingsError extends Error {
  override name = 'NetworkSettingsError';
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/i;

/** Whether `host` (with `port`) matches a NO_PROXY list. */
export function bypassesProxy(host: string, port: string, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const [entryHost, entryPort] = entry.startsWith('[') ? [entry.slice(1, entry.indexOf(']')), entry.split(']:')[1]] : (entry.split(':') as [string, string | undefined]);
    if (entryPort && entryPort !== port) continue;
    const suffix = entryHost!.replace(/^\*?\./, '');
    if (name === suffix || name.endsWith(`.${suffix}`)) return true;
  }
  return false;
}

/** The proxy for `target`, or null: explicit options first, then the environment (HTTPS_PROXY for https, HTTP_PROXY for http). */
export function proxyFor(target: URL, options: NetworkOptions = {}, env: Record<string, string | undefined> = process.env): string | null {
  const explicit = options.proxy !== undefined;
  const proxy = explicit
    ? options.proxy
    : target.protocol === 'https:'
      ? (env.HTTPS_PROXY ?? env.https_proxy ?? env.ALL_PROXY ?? env.all_proxy)
      : (env.HTTP_PROXY ?? env.http_proxy ?? env.ALL_PROXY ?? env.all_proxy);
  if (!proxy) return null;
  const noProxy = options.noProxy ?? env.NO_PROXY ?? env.no_proxy;
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  if (bypassesProxy(target.hostname, port, noProxy)) return null;
  // A simulator or a test server on this computer is never sent to the office proxy unless asked.
  if (LOOPBACK.test(target.hostname) && !(explicit && options.proxyLoopback)) return null;
  return checkProxyUrl(proxy);
}

/** A proxy address as undici takes it; `host:port` alone means http://host:port. */
export function checkProxyUrl(proxy: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new NetworkSettingsError(`the proxy address "${proxy}" is not a URL (expected e.g. http://proxy.example.org:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NetworkSettingsError(`the proxy "${proxy}" is a ${url.protocol.replace(':', '')} proxy; Caseworker speaks to HTTP proxies only (http://host:port)`);
  }
  return url.href;
}

/** The trust list to hand TLS: Node's own roots plus the extra CAs, or undefined to keep Node's default (NODE_EXTRA_CA_CERTS included). */
function trustList(ca: readonly string[] | undefined): string[] | undefined {
  if (!ca || ca.length === 0) return undefined;
  return [...tls.rootCertificates, ...ca];
}

/** The undici dispatcher for one server origin: a keep-alive pool, or a proxy agent tunnelling to it. */
export function createServerDispatcher(origin: string, options: { connections: number; timeoutMs: number; network?: NetworkOptions | undefined }): Dispatcher {
  const network = options.network ?? {};
  const ca = trustList(network.ca);
  const proxy = proxyFor(new URL(origin), network);
  if (proxy) {
    return new ProxyAgent({
      uri: proxy,
      connections: options.connections,
      requestTls: { timeout: options.timeoutMs, ...(ca ? { ca } : {}) },
      proxyTls: { timeout: options.timeoutMs, ...(ca ? { ca } : {}) },
    });
  }
  return new Pool(origin, {
    connections: options.connections,
    connect: { timeout: options.timeoutMs, ...(ca ? { ca } : {}) },
  });
}
