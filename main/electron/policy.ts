// The Electron shell's security decisions as plain functions, so they are unit-tested without a
// window: which URL is the app itself (only app://caseworker), which IPC sender is trusted (a frame
// showing the app), which links may open in the system browser (https, an exact allowlist).

export { CONTENT_SECURITY_POLICY } from '../../shared/security-policy.js';

/** The renderer is served from this privileged scheme, never from file:// or the network. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'caseworker';
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Sites a link in the app may open in the system browser (https only, exact host names). */
export const EXTERNAL_HOSTS: ReadonlySet<string> = new Set(['www.charitylog.co.uk', 'charitylog.co.uk', 'api.dizions.co.uk', 'www.dizions.co.uk', 'dizions.co.uk']);

function parse(url: unknown): URL | null {
  if (typeof url !== 'string' || url.length > 4096) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True only for app://caseworker/… (no credentials, no port: `app:` is not a special scheme, so check each part). */
export function isAppUrl(url: unknown): boolean {
  const parsed = parse(url);
  return !!parsed && parsed.protocol === `${APP_SCHEME}:` && parsed.hostname === APP_HOST && parsed.port === '' && parsed.username === '' && parsed.password === '';
}

/** https to an allowlisted host on the default port, without credentials. */
export function isAllowedExternalUrl(url: unknown): boolean {
  const parsed = parse(url);
  return !!parsed && parsed.protocol === 'https:' && EXTERNAL_HOSTS.has(parsed.hostname) && parsed.port === '' && parsed.username === '' && parsed.password === '';
}

/** The URL to hand the OS, re-printed from the parse that was checked (never the raw string), or null. */
export function externalUrlToOpen(url: unknown): string | null {
  return isAllowedExternalUrl(url) ? parse(url)!.href : null;
}

export type NavigationDecision = 'allow' | 'open-external' | 'deny';

/** A top-level navigation: staying inside the app is allowed, an allowlisted link opens outside, anything else is refused. */
export function navigationDecision(url: unknown): NavigationDecision {
  if (isAppUrl(url)) return 'allow';
  if (isAllowedExternalUrl(url)) return 'open-external';
  return 'deny';
}

/** `window.open` and target=_blank: never a new app window; an allowlisted link opens outside. */
export function windowOpenDecision(url: unknown): 'open-external' | 'deny' {
  return isAllowedExternalUrl(url) ? 'open-external' : 'deny';
}

/**
 * The dispatcher's sender check for Electron: the invoking frame must be the app's top frame
 * showing app://caseworker. `senderFrame` is null when the frame navigated away or was destroyed.
 */
export function isAppFrameSender(event: unknown): boolean {
  const frame = (event as { senderFrame?: { url?: unknown; parent?: unknown } | null } | null)?.senderFrame;
  if (!frame) return false;
  if (frame.parent !== null && frame.parent !== undefined) return false;
  return isAppUrl(frame.url);
}

/** Every permission request (camera, notifications, geolocation, …) is refused: the app needs none. */
export function permissionDecision(_permission: string): boolean {
  return false;
}
