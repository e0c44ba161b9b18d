// The shell's security decisions, as plain functions: which URL is the app, which IPC sender is
// trusted, which links may open in the system browser, which permissions are granted (none), and
// when the app syncs on its own (start, network back, interval; never twice at once).

import { describe, expect, it } from 'vitest';
import { createOnlineWatch } from '../../main/electron/online-watch.js';
import { APP_ENTRY_URL, externalUrlToOpen, isAllowedExternalUrl, isAppFrameSender, isAppUrl, navigationDecision, permissionDecision, windowOpenDecision } from '../../main/electron/policy.js';

describe("the app's own origin", () => {
  it('is app://caseworker and nothing that imitates it', () => {
    expect(isAppUrl(APP_ENTRY_URL)).toBe(true);
    expect(isAppUrl('app://caseworker/clients/12?tab=referrals#top')).toBe(true);
    for (const url of [
      'app://caseworker.evil/index.html',
      'app://evil/index.html',
      'app://user:pw@caseworker/',
      'app://caseworker:8080/',
      'file:///opt/caseworker/index.html',
      'http://127.0.0.1:5173/',
      'https://caseworker/',
      'APP://CASEWORKER/'.toLowerCase().replace('app', 'ap'),
      '',
      'not a url',
      undefined,
      null,
      42,
      'javascript:alert(1)',
    ]) {
      expect(isAppUrl(url), String(url)).toBe(false);
    }
  });

  it("trusts an IPC call only from the app's top frame", () => {
    expect(isAppFrameSender({ senderFrame: { url: APP_ENTRY_URL, parent: null } })).toBe(true);
    expect(isAppFrameSender({ senderFrame: { url: APP_ENTRY_URL, parent: { url: APP_ENTRY_URL } } })).toBe(false); // a sub-frame
    expect(isAppFrameSender({ senderFrame: { url: 'https://evil.example/', parent: null } })).toBe(false);
    expect(isAppFrameSender({ senderFrame: null })).toBe(false); // navigated away or destroyed
    expect(isAppFrameSender({})).toBe(false);
    expect(isAppFrameSender(null)).toBe(false);
  });
});

describe('links out', () => {
  it('open in the system browser only for https to the allowlisted hosts', () => {
    expect(isAllowedExternalUrl('https://www.charitylog.co.uk/help/api')).toBe(true);
    expect(isAllowedExternalUrl('https://api.dizions.co.uk/v2/docs')).toBe(true);
    for (const url of [
      'http://www.charitylog.co.uk/', // not https
      'https://www.charitylog.co.uk.evil.example/',
      'https://evilcharitylog.co.uk/',
      'https://evil.example/?u=https://www.charitylog.co.uk',
      'https://www.charitylog.co.uk@evil.example/',
      'https://user:pw@www.charitylog.co.uk/',
      'https://www.charitylog.co.uk:8443/',
      'file:///etc/passwd',
      'smb://server/share',
      'javascript:alert(1)',
      'mailto:someone@example.org',
      'app://caseworker/',
      '',
      undefined,
    ]) {
      expect(isAllowedExternalUrl(url), String(url)).toBe(false);
    }
  });

  it('hands the OS the URL as checked, re-printed, never the raw string', () => {
    // WHATWG URL (Chromium's parser too) reads a backslash as a path separator: this is charitylog.co.uk.
    expect(externalUrlToOpen('https://www.charitylog.co.uk\\@evil.example')).toBe('https://www.charitylog.co.uk/@evil.example');
    expect(externalUrlToOpen('https://evil.example/')).toBeNull();
  });

  it('navigation stays in the app, sends allowlisted links out, refuses the rest; window.open never opens an app window', () => {
    expect(navigationDecision('app://caseworker/caseload')).toBe('allow');
    expect(navigationDecision('https://www.charitylog.co.uk/')).toBe('open-external');
    expect(navigationDecision('https://evil.example/')).toBe('deny');
    expect(windowOpenDecision('app://caseworker/caseload')).toBe('deny');
    expect(windowOpenDecision('https://www.charitylog.co.uk/')).toBe('open-external');
    expect(windowOpenDecision('https://evil.example/')).toBe('deny');
  });
});

describe('permissions', () => {
  it('are all refused', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'unknown']) {
      expect(permissionDecision(permission)).toBe(false);
    }
  });
});

describe('automatic sync', () => {
  function watchWith(network: { online: boolean }) {
    let clock = 0;
    const runs: Array<() => void> = [];
    const changes: boolean[] = [];
    const watch = createOnlineWatch({
      isOnline: () => network.online,
      sync: () => new Promise<void>((resolve) => runs.push(resolve)),
      intervalMs: () => 15 * 60_000,
      now: () => clock,
      onChange: (online) => changes.push(online),
    });
    const settle = () => new Promise((r) => setImmediate(r));
    const finishRun = async () => {
      await settle(); // the sync starts on the next microtask
      runs.shift()!();
      await settle();
    };
    return {
      watch,
      runs,
      changes,
      advance: (ms: number) => {
        clock += ms;
      },
      finishRun,
    };
  }

  it('syncs at start when online (the outbox resumes), never twice at once, then on the interval', async () => {
    const t = watchWith({ online: true });
    expect(t.watch.tick()).toBe(true);
    expect(t.watch.tick()).toBe(false); // still running
    await t.finishRun();
    t.advance(14 * 60_000);
    expect(t.watch.tick()).toBe(false);
    t.advance(60_000);
    expect(t.watch.tick()).toBe(true);
    expect(t.changes).toEqual([true]);
  });

  it('waits while offline and syncs as soon as the network returns', async () => {
    const network = { online: false };
    const t = watchWith(network);
    expect(t.watch.tick()).toBe(false);
    t.advance(60 * 60_000);
    expect(t.watch.tick()).toBe(false);
    network.online = true;
    expect(t.watch.tick()).toBe(true);
    await t.finishRun();
    network.online = false;
    expect(t.watch.tick()).toBe(false);
    network.online = true;
    expect(t.watch.tick()).toBe(true); // back again: at once, not after the interval
    expect(t.changes).toEqual([false, true, false, true]);
  });

  it('survives a failing sync and a failing network probe', async () => {
    const watch = createOnlineWatch({
      isOnline: () => {
        throw new Error('probe failed');
      },
      sync: async () => {},
      intervalMs: () => 1,
    });
    expect(watch.tick()).toBe(false);
    const failing = createOnlineWatch({
      isOnline: () => true,
      sync: async () => {
        throw new Error('server down');
      },
      intervalMs: () => 0,
    });
    expect(failing.tick()).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(failing.running).toBe(false);
  });
});
