// The Electron shell with the electron module replaced by a recording stand-in (the binary cannot
// run here): the window is created with the four locked-down flags, navigation and new windows are
// refused except allowlisted links sent to the system browser, every permission is denied, remote
// requests are cancelled, the CSP is added, and IPC from any frame but the app's is refused.

import { beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('electron', async () => (await import('../support/electron-fake.js')).createFakeElectron());
import * as electron from 'electron';
import { createMainWindow, guardContents, hardenSession, registerIpcHandlers } from '../../main/electron/app.js';
import { isAppFrameSender } from '../../main/electron/policy.js';
import { createDispatcher } from '../../main/ipc/register.js';
import { FakeBrowserWindow, FakeWebContents, fakeSession } from '../support/electron-fake.js';
import { countingServices } from '../support/ipc-support.js';

const opened = (electron.shell as unknown as { opened: string[] }).opened;

beforeEach(() => {
  opened.length = 0;
  FakeBrowserWindow.instances.length = 0;
});

describe('the main window', () => {
  it('is created with context isolation, the sandbox, no Node and web security, and our preload', () => {
    createMainWindow('/opt/caseworker/dist-electron/preload.cjs');
    const [window] = FakeBrowserWindow.instances;
    const prefs = window!.options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/opt/caseworker/dist-electron/preload.cjs',
    });
  });

  it('refuses navigation away from the app, sending only allowlisted https links to the system browser', () => {
    createMainWindow('/preload.cjs');
    const contents = FakeBrowserWindow.instances[0]!.webContents;
    expect(contents.navigate('will-navigate', 'app://caseworker/clients/3')).toBe(false);
    expect(contents.navigate('will-navigate', 'https://evil.example/phish')).toBe(true);
    expect(contents.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.navigate('will-navigate', 'https://www.charitylog.co.uk/help')).toBe(true); // not in the app window…
    expect(opened).toEqual(['https://www.charitylog.co.uk/help']); // …but in the browser
    expect(contents.navigate('will-redirect', 'https://evil.example/')).toBe(true);
  });

  it('never opens a second window; window.open of an allowlisted link goes to the system browser, once', () => {
    const contents = new FakeWebContents();
    guardContents(contents as never);
    guardContents(contents as never); // as web-contents-created and createMainWindow both do
    expect(contents.windowOpenHandler!({ url: 'app://caseworker/caseload' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'https://api.dizions.co.uk/v2/docs' })).toEqual({ action: 'deny' });
    expect(contents.navigate('will-navigate', 'https://www.charitylog.co.uk/')).toBe(true);
    expect(opened).toEqual(['https://api.dizions.co.uk/v2/docs', 'https://www.charitylog.co.uk/']);
  });

  it('refuses to attach a <webview>', () => {
    const contents = new FakeWebContents();
    guardContents(contents as never);
    let prevented = false;
    contents.emit('will-attach-webview', {
      preventDefault: () => {
        prevented = true;
      },
    });
    expect(prevented).toBe(true);
  });
});

describe('the session', () => {
  it('denies every permission request and check', () => {
    const target = fakeSession();
    hardenSession(target as never);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'pointerLock', 'openExternal']) {
      const answers: boolean[] = [];
      target.handlers.permissionRequest!({}, permission, (granted: boolean) => answers.push(granted));
      expect(answers, permission).toEqual([false]);
      expect(target.handlers.permissionCheck!({}, permission), permission).toBe(false);
    }
  });

  it('cancels every network request from the renderer and adds the CSP to responses', () => {
    const target = fakeSession();
    hardenSession(target as never);
    const filter = (target.handlers.beforeRequestFilter as () => { urls: string[] })();
    expect(filter.urls).toEqual(expect.arrayContaining(['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*']));
    const decisions: unknown[] = [];
    target.handlers.beforeRequest!({ url: 'https://cdn.example/lib.js' }, (d: unknown) => decisions.push(d));
    expect(decisions).toEqual([{ cancel: true }]);
    const responses: Array<{ responseHeaders: Record<string, string[]> }> = [];
    target.handlers.headersReceived!({ responseHeaders: { 'X-Test': ['1'] } }, (r: { responseHeaders: Record<string, string[]> }) => responses.push(r));
    expect(responses[0]!.responseHeaders['X-Test']).toEqual(['1']);
    expect(responses[0]!.responseHeaders['Content-Security-Policy']![0]).toMatch(/^default-src 'self'; script-src 'self'/);
  });
});

describe('IPC from the window', () => {
  it("answers the app's frame and refuses any other, without running the service", async () => {
    const ipc = {
      handlers: new Map<string, (event: unknown, input: unknown) => Promise<unknown>>(),
      handle(channel: string, h: (event: unknown, input: unknown) => Promise<unknown>) {
        this.handlers.set(channel, h);
      },
    };
    const counting = countingServices({ 'sync:cancel': async () => ({ cancelled: true }) });
    registerIpcHandlers(ipc as never, createDispatcher(counting.services, { isTrustedSender: isAppFrameSender }));
    const handler = ipc.handlers.get('sync:cancel')!;
    expect(await handler({ senderFrame: { url: 'app://caseworker/sync', parent: null } }, {})).toEqual({ ok: true, data: { cancelled: true } });
    expect(await handler({ senderFrame: { url: 'https://evil.example/', parent: null } }, {})).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(await handler({ senderFrame: null }, {})).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(counting.calls.get('sync:cancel')).toHaveLength(1);
  });
});
