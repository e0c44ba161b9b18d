// The desktop app's network, as the rest of the computer has it: the proxy Chromium resolves for
// the server (system settings, PAC files and WPAD included) and the system's certificate store (an
// office that inspects HTTPS installs its CA there), handed to the API client's undici dispatcher
// (main/api/network.ts). Resolved again before every sync, since both change with the network.
// Proxies that need Windows sign-in (NTLM/Kerberos) or SOCKS are not supported: the sync then
// fails with the proxy's refusal in words (docs/packaging.md).

import tls from 'node:tls';
import type { NetworkOptions } from '../api/network.js';

/** Chromium's answer ("PROXY host:port; DIRECT") as the proxy URL undici takes; null = direct. */
export function proxyFromChromium(answer: string): { proxy: string | null; skipped: string[] } {
  const skipped: string[] = [];
  for (const rule of answer
    .split(';')
    .map((r) => r.trim())
    .filter(Boolean)) {
    const [kind, hostPort] = rule.split(/\s+/, 2) as [string, string | undefined];
    const upper = kind.toUpperCase();
    if (upper === 'DIRECT') return { proxy: null, skipped };
    if ((upper === 'PROXY' || upper === 'HTTPS') && hostPort) return { proxy: `${upper === 'HTTPS' ? 'https' : 'http'}://${hostPort}`, skipped };
    skipped.push(upper); // SOCKS, SOCKS4, SOCKS5, QUIC: not something undici can tunnel through
  }
  return { proxy: null, skipped };
}

type CaLister = (type: 'default' | 'system' | 'bundled' | 'extra') => string[];

/** The system's trusted CAs (Windows certificate store, macOS Keychain, /etc/ssl), or [] where Node cannot list them. */
export function systemCertificates(list: CaLister | undefined = (tls as unknown as { getCACertificates?: CaLister }).getCACertificates): string[] {
  if (typeof list !== 'function') return [];
  try {
    return list('system');
  } catch {
    return [];
  }
}

export interface SystemNetwork {
  /** The settings the next client is made with. */
  current(): NetworkOptions;
  /** Asks Chromium again for the proxy of `url` (call before each sync). */
  refresh(url: string): Promise<NetworkOptions>;
}

export function createSystemNetwork(
  session: { resolveProxy(url: string): Promise<string> },
  options: { certificates?: () => string[]; log?: (event: string, fields: Record<string, unknown>) => void } = {},
): SystemNetwork {
  const ca = (options.certificates ?? systemCertificates)();
  // Chromium already decided about this computer: the proxy it names applies to every host asked for.
  let settings: NetworkOptions = { proxy: null, ...(ca.length > 0 ? { ca } : {}) };
  return {
    current: () => settings,
    async refresh(url: string) {
      let answer = 'DIRECT';
      try {
        answer = await session.resolveProxy(url);
      } catch (error) {
        options.log?.('network.proxy_unresolved', { error: error instanceof Error ? error.name : typeof error });
      }
      const { proxy, skipped } = proxyFromChromium(answer);
      if (skipped.length > 0) options.log?.('network.proxy_unsupported', { kinds: skipped });
      settings = { proxy, ...(ca.length > 0 ? { ca } : {}) };
      return settings;
    },
  };
}
