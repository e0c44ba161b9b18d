// The Electron shell on real laptops, with the electron module replaced by the recording stand-in
// (the binary cannot run here): menus per platform, the right-click menu with spelling suggestions,
// the system proxy and certificate store handed to the API client, the data folder under
// %LOCALAPPDATA% on Windows, the whole start-up of a packaged build (sandbox for every renderer, no
// DevTools, the unpacked native module checked against the hash inside the asar, the push lease
// given back when the Windows session ends), and report exports saved in main after the native
// save dialog, remembering the folder.
import fs from 'node:fs';
import path from 'node:path';
import { ProxyAgent, Pool } from 'undici';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('electron', async () => (await import('../support/electron-fake.js')).createFakeElectron());
import * as electron from 'electron';
import { createServerDispatcher } from '../../main/api/network.js';
import { createMainWindow, installContextMenu, runElectronApp, type AppContext, type AppWiring } from '../../main/electron/app.js';
import { applicationMenuTemplate, contextMenuTemplate } from '../../main/electron/menus.js';
import { NATIVE_MANIFEST, sha256File } from '../../main/electron/native-integrity.js';
import { createSystemNetwork, proxyFromChromium } from '../../main/electron/network-settings.js';
import { ExportFolderMemory, saveExportService, type SaveDialogOptions } from '../../main/electron/save-export.js';
import { openReplicaWithKey } from '../../main/db/open.js';
import { takePushLock } from '../../main/outbox/push-lock.js';
import { FakeBrowserWindow, FakeWebContents, appState } from '../support/electron-fake.js';
import { CredentialStore } from '../../main/electron/credentials.js';
import { electronWiring } from '../../main/electron/wiring.js';
import { createEventHub } from '../../main/ipc/event-hub.js';
import { SupportLog } from '../../main/support-log.js';
import { TEST_KEY, tempDir } from '../support/db-fixtures.js';
import { countingServices } from '../support/ipc-support.js';

type Item = { role?: string; label?: string; submenu?: Item[]; enabled?: boolean; click?: () => void; type?: string };
const roles = (items: Item[]): string[] => items.flatMap((i) => [...(i.role ? [i.role] : []), ...roles(i.submenu ?? [])]);

let dir: string;
beforeEach(() => {
  dir = tempDir('caseworker-shell-');
  FakeBrowserWindow.instances.length = 0;
  Object.assign(appState, { isPackaged: false, calls: [], setPathCalls: [], errorBoxes: [], menus: [], popups: [], saveDialogs: [] });
  (electron.ipcMain as unknown as { handlers: Map<string, unknown> }).handlers.clear(); // each start registers the channels again
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the application menu', () => {
  it('on macOS: the app menu with About, Hide and Quit (Cmd+Q), Edit with the standard roles, Window', () => {
    const menu = applicationMenuTemplate('darwin', 'Caseworker', true) as Item[];
    expect(menu.map((m) => m.label ?? m.role)).toEqual(['Caseworker', 'Edit', 'View', 'windowMenu']);
    expect(roles([menu[0]!])).toEqual(['about', 'services', 'hide', 'hideOthers', 'unhide', 'quit']);
    expect(roles([menu[1]!])).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'pasteAndMatchStyle', 'delete', 'selectAll']);
  });

  it('on Windows and Linux: File with Exit, Edit, View; no Developer Tools and no electronjs.org links in a packaged build', () => {
    for (const platform of ['win32', 'linux'] as const) {
      const menu = applicationMenuTemplate(platform, 'Caseworker', true) as Item[];
      expect(menu.map((m) => m.label)).toEqual(['&File', '&Edit', '&View']);
      expect(menu[0]!.submenu).toEqual([{ role: 'quit', label: 'E&xit' }]);
      expect(roles(menu)).not.toContain('toggleDevTools');
      expect(roles(menu)).not.toContain('help');
      expect(JSON.stringify(menu)).not.toMatch(/electron/i);
    }
    expect(roles(applicationMenuTemplate('win32', 'Caseworker', false) as Item[])).toContain('toggleDevTools'); // a development build
  });
});

describe('the right-click menu', () => {
  const flags = { canUndo: true, canRedo: false, canCut: true, canCopy: true, canPaste: true, canDelete: true, canSelectAll: true, canEditRichly: false };

  it("over a misspelt word offers the spell checker's suggestions, Add to dictionary, and the edit roles", () => {
    const contents = new FakeWebContents();
    installContextMenu(contents as never, (template) => appState.popups.push(template));
    contents.emit('context-menu', {}, { misspelledWord: 'neighbor', dictionarySuggestions: ['neighbour', 'neighbours'], isEditable: true, selectionText: '', editFlags: flags });
    const template = appState.popups[0] as Item[];
    expect(template.slice(0, 3).map((i) => i.label)).toEqual(['neighbour', 'neighbours', 'Add to dictionary']);
    template[0]!.click!();
    template[2]!.click!();
    expect(contents.replaced).toEqual(['neighbour']);
    expect(contents.session.dictionary).toEqual(['neighbor']);
    expect(roles(template)).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']);
    expect(template.find((i) => i.role === 'redo')!.enabled).toBe(false);
  });

  it('says when there are no suggestions; offers Copy over selected text; and shows nothing over plain page', () => {
    const none = contextMenuTemplate(
      { misspelledWord: 'Pwllheli', dictionarySuggestions: [], isEditable: true, selectionText: '', editFlags: flags },
      { replaceMisspelling: () => {}, addToDictionary: () => {} },
    ) as Item[];
    expect(none[0]).toMatchObject({ label: 'No spelling suggestions', enabled: false });
    const selected = contextMenuTemplate(
      { misspelledWord: '', dictionarySuggestions: [], isEditable: false, selectionText: 'Ann Lee', editFlags: flags },
      { replaceMisspelling: () => {}, addToDictionary: () => {} },
    ) as Item[];
    expect(roles(selected)).toEqual(['copy']);
    const contents = new FakeWebContents();
    installContextMenu(contents as never, (template) => appState.popups.push(template));
    contents.emit('context-menu', {}, { misspelledWord: '', dictionarySuggestions: [], isEditable: false, selectionText: '  ', editFlags: flags });
    expect(appState.popups).toEqual([]);
  });
});

describe('the network as the system has it', () => {
  it("reads Chromium's proxy answer: the first HTTP proxy, direct, or SOCKS skipped as unsupported", () => {
    expect(proxyFromChromium('PROXY proxy.hillside.example:8080; DIRECT')).toEqual({ proxy: 'http://proxy.hillside.example:8080', skipped: [] });
    expect(proxyFromChromium('HTTPS secure-proxy.example:443')).toEqual({ proxy: 'https://secure-proxy.example:443', skipped: [] });
    expect(proxyFromChromium('DIRECT')).toEqual({ proxy: null, skipped: [] });
    expect(proxyFromChromium('SOCKS5 socks.example:1080; PROXY fallback.example:3128')).toEqual({ proxy: 'http://fallback.example:3128', skipped: ['SOCKS5'] });
  });

  it("hands the API client the system proxy (resolved again before each sync) and the system's trusted CAs", async () => {
    const session = electron.session.defaultSession as unknown as { proxyAnswer: string; resolveProxy(url: string): Promise<string> };
    const logged: Array<[string, Record<string, unknown>]> = [];
    const network = createSystemNetwork(session, { certificates: () => ['-----BEGIN CERTIFICATE-----\nOFFICE\n-----END CERTIFICATE-----'], log: (e, f) => logged.push([e, f]) });
    session.proxyAnswer = 'PROXY proxy.hillside.example:8080';
    expect(await network.refresh('https://api.dizions.co.uk/v2')).toEqual({ proxy: 'http://proxy.hillside.example:8080', ca: [expect.stringContaining('OFFICE')] });
    const viaProxy = createServerDispatcher('https://api.dizions.co.uk', { connections: 2, timeoutMs: 1000, network: network.current() });
    expect(viaProxy).toBeInstanceOf(ProxyAgent);
    session.proxyAnswer = 'SOCKS5 socks.example:1080';
    expect((await network.refresh('https://api.dizions.co.uk/v2')).proxy).toBeNull();
    expect(logged).toEqual([['network.proxy_unsupported', { kinds: ['SOCKS5'] }]]);
    const direct = createServerDispatcher('https://api.dizions.co.uk', { connections: 2, timeoutMs: 1000, network: network.current() });
    expect(direct).toBeInstanceOf(Pool);
    await Promise.all([viaProxy.close(), direct.close()]);
  });
});

describe('a packaged build starting up', () => {
  function packagedApp(options: { tamper?: boolean } = {}) {
    const appPath = path.join(dir, 'resources', 'app.asar');
    fs.mkdirSync(path.join(appPath, 'dist-electron'), { recursive: true });
    const native = path.join(`${appPath}.unpacked`, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    fs.mkdirSync(path.dirname(native), { recursive: true });
    fs.writeFileSync(native, 'the SQLCipher build');
    fs.writeFileSync(path.join(appPath, 'dist-electron', NATIVE_MANIFEST), JSON.stringify({ modules: { 'better-sqlite3/build/Release/better_sqlite3.node': sha256File(native) } }));
    if (options.tamper) fs.writeFileSync(native, 'a replaced module');
    Object.assign(appState, { isPackaged: true, paths: { userData: path.join(dir, 'data'), documents: path.join(dir, 'Documents'), appPath } });
  }

  async function start(wiring: AppWiring) {
    runElectronApp(wiring, { rendererDir: path.join(dir, 'renderer'), preloadPath: '/opt/caseworker/preload.cjs' });
    appState.ready();
    await vi.waitFor(() => expect(appState.calls.includes('quit') || FakeBrowserWindow.instances.length > 0).toBe(true));
  }

  it('sandboxes every renderer, keeps its data under %LOCALAPPDATA%\\Caseworker on Windows, and sets the platform menu without DevTools', async () => {
    packagedApp();
    const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
    const saved = process.env.LOCALAPPDATA;
    const contexts: AppContext[] = [];
    try {
      Object.defineProperty(process, 'platform', { value: 'win32' });
      process.env.LOCALAPPDATA = 'C:\\Users\\ann.lee\\AppData\\Local';
      runElectronApp(
        {
          start: async (context) => {
            contexts.push(context);
            return { services: countingServices({}).services, close: () => {} };
          },
        },
        { rendererDir: dir, preloadPath: '/p.cjs' },
      );
    } finally {
      Object.defineProperty(process, 'platform', platform);
      if (saved === undefined) delete process.env.LOCALAPPDATA;
      else process.env.LOCALAPPDATA = saved;
    }
    expect(appState.calls.slice(0, 3)).toEqual(['enableSandbox', 'setPath:userData', 'requestSingleInstanceLock']);
    expect(appState.setPathCalls).toEqual([['userData', 'C:\\Users\\ann.lee\\AppData\\Local\\Caseworker']]);
    appState.ready();
    await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1));
    const window = FakeBrowserWindow.instances[0]!;
    expect(window.options.webPreferences).toMatchObject({ devTools: false, sandbox: true });
    window.webContents.emit('devtools-opened');
    expect(window.webContents.devToolsClosed).toBe(1);
    expect(roles(appState.menus[0] as Item[])).not.toContain('toggleDevTools');
    const session = electron.session.defaultSession as unknown as { spellCheckerLanguages: string[] };
    expect(session.spellCheckerLanguages).toEqual(['en-GB']);
    expect(contexts[0]!.network).toBeDefined();
    expect(contexts[0]!.showSaveDialog).toBeTypeOf('function');
    expect(contexts[0]!.documentsDir).toBe(path.join(dir, 'Documents'));
  });

  it('gives the push lease back when the Windows session ends', async () => {
    packagedApp();
    const replica = openReplicaWithKey({ file: path.join(dir, 'replica.db'), key: TEST_KEY });
    try {
      await start({ start: async () => ({ services: countingServices({}).services, close: () => {} }) });
      expect(takePushLock(replica.sqlite).ok).toBe(true); // a push is running
      FakeBrowserWindow.instances[0]!.emit('session-end');
      expect(replica.sqlite.prepare(`SELECT count(*) FROM outbox_state WHERE key = 'push_lock'`).pluck().get()).toBe(0);
    } finally {
      replica.close();
    }
  });

  it('refuses to start when the unpacked native module is not the one packed with it', async () => {
    packagedApp({ tamper: true });
    let started = false;
    await start({
      start: async () => {
        started = true;
        return { services: countingServices({}).services, close: () => {} };
      },
    });
    expect(started).toBe(false);
    expect(appState.errorBoxes).toEqual([
      ['Caseworker cannot start', expect.stringMatching(/installation has been changed \(better-sqlite3\/build\/Release\/better_sqlite3\.node is not the file it was built with\): reinstall/)],
    ]);
  });
});

describe('the main window', () => {
  it('has DevTools in a development build only', () => {
    createMainWindow('/p.cjs');
    createMainWindow('/p.cjs', { packaged: true });
    expect(FakeBrowserWindow.instances.map((w) => w.options.webPreferences.devTools)).toEqual([true, false]);
  });
});

describe('saving a report export', () => {
  function setup() {
    const dataDir = path.join(dir, 'data');
    const documents = path.join(dir, 'Documents');
    fs.mkdirSync(dataDir);
    fs.mkdirSync(documents);
    const replicaFile = path.join(dataDir, 'replica.db');
    fs.writeFileSync(replicaFile, Buffer.alloc(8192, 7));
    const dialogs: SaveDialogOptions[] = [];
    let answer: { canceled: boolean; filePath?: string } = { canceled: true };
    const makeFile = vi.fn(async () => ({
      filename: 'clients-by-district.xlsx',
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      dataBase64: Buffer.from('PK workbook').toString('base64'),
    }));
    const service = saveExportService(makeFile, {
      showSaveDialog: async (options) => {
        dialogs.push(options);
        return answer;
      },
      folders: new ExportFolderMemory(path.join(dataDir, 'export-folder.json')),
      documentsDir: documents,
      target: { protectedFiles: [replicaFile], protectedDirs: [dataDir] },
    });
    const input = { path: 'clients/dimension/district', format: 'xlsx' as const };
    return {
      service,
      dialogs,
      documents,
      dataDir,
      replicaFile,
      input,
      answer: (a: typeof answer) => {
        answer = a;
      },
    };
  }

  it('asks where with the native dialog (Documents first, then the folder used last), writes the file in main and answers with its path', async () => {
    const t = setup();
    const reports = path.join(dir, 'Reports for trustees');
    fs.mkdirSync(reports);
    t.answer({ canceled: false, filePath: path.join(reports, 'districts.xlsx') });
    const saved = await t.service(t.input);
    expect(saved).toEqual({ filename: 'districts.xlsx', contentType: expect.stringContaining('spreadsheetml'), savedPath: path.join(reports, 'districts.xlsx') });
    expect(fs.readFileSync(path.join(reports, 'districts.xlsx'), 'utf8')).toBe('PK workbook');
    expect(t.dialogs[0]).toMatchObject({ defaultPath: path.join(t.documents, 'clients-by-district.xlsx'), filters: [{ name: 'Excel workbook', extensions: ['xlsx'] }] });
    t.answer({ canceled: true });
    expect(await t.service(t.input)).toEqual({ filename: 'clients-by-district.xlsx', contentType: expect.any(String), savedPath: null });
    expect(t.dialogs[1]!.defaultPath).toBe(path.join(reports, 'clients-by-district.xlsx')); // remembered
  });

  it('refuses the replica and the data folder, and says "close it in Excel" when the file is held open', async () => {
    const t = setup();
    const before = fs.readFileSync(t.replicaFile);
    t.answer({ canceled: false, filePath: t.replicaFile });
    await expect(t.service(t.input)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/it is the replica/) });
    t.answer({ canceled: false, filePath: path.join(t.dataDir, 'report.xlsx') });
    await expect(t.service(t.input)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/inside Caseworker's own data folder/) });
    expect(fs.readFileSync(t.replicaFile).equals(before)).toBe(true);

    const open = path.join(t.documents, 'open-in-excel.xlsx');
    fs.writeFileSync(open, 'PK the old workbook');
    const rename = fs.promises.rename;
    vi.spyOn(fs.promises, 'rename').mockImplementation(async (from, to) => {
      if (String(to) === open) throw Object.assign(new Error('EBUSY: resource busy or locked'), { code: 'EBUSY' });
      return rename(from, to);
    });
    t.answer({ canceled: false, filePath: open });
    await expect(t.service(t.input)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/^Cannot save open-in-excel\.xlsx: another program has it open .*Close it in Excel/) });
    expect(fs.readFileSync(open, 'utf8')).toBe('PK the old workbook');
    expect(fs.readdirSync(t.documents).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe("the shell's wiring of the app core", () => {
  it('saves exports through the save dialog, names the key store in words, and resolves the system proxy for the server at start and before each sync', { timeout: 60_000 }, async () => {
    const dataDir = path.join(dir, 'data');
    const documents = path.join(dir, 'Documents');
    fs.mkdirSync(documents, { recursive: true });
    const asked: string[] = [];
    const network = createSystemNetwork(
      {
        resolveProxy: async (url) => {
          asked.push(url);
          return 'PROXY proxy.hillside.example:8080';
        },
      },
      { certificates: () => [] },
    );
    const dialogs: SaveDialogOptions[] = [];
    let answer: { canceled: boolean; filePath?: string } = { canceled: false, filePath: path.join(documents, 'districts.csv') };
    const runtime = await electronWiring.start({
      dataDir,
      appPath: process.cwd(),
      credentials: new CredentialStore({ dir: dataDir, platform: 'linux' }),
      log: new SupportLog({ dir: path.join(dataDir, 'logs') }),
      events: createEventHub(),
      network,
      documentsDir: documents,
      showSaveDialog: async (options) => {
        dialogs.push(options);
        return answer;
      },
    });
    try {
      expect(asked).toEqual(['https://api.dizions.co.uk/v2']);
      expect(network.current().proxy).toBe('http://proxy.hillside.example:8080');
      const saved = await runtime.services['reports:export']({ path: 'clients/dimension/district', format: 'csv' });
      expect(saved).toMatchObject({ savedPath: path.join(documents, 'districts.csv') });
      expect(saved.dataBase64).toBeUndefined(); // nothing for the renderer to download
      expect(fs.readFileSync(path.join(documents, 'districts.csv'), 'utf8')).toMatch(/district/i);
      expect(dialogs[0]!.defaultPath).toBe(path.join(documents, 'clients-by-district.csv'));
      answer = { canceled: false, filePath: path.join(dataDir, 'replica.db') };
      await expect(runtime.services['reports:export']({ path: 'clients/dimension/district', format: 'csv' })).rejects.toMatchObject({ code: 'VALIDATION' });
      const settings = await runtime.services['settings:get']({});
      expect(settings.encryption.keySource).toBe("this computer's key store: GNOME Keyring (libsecret)");
      await runtime.sync?.().catch(() => undefined); // not connected: refused, but the proxy was looked up again first
      expect(asked).toHaveLength(2);
    } finally {
      await runtime.close();
    }
  });
});
