// The Electron shell, kept thin: one locked-down window on app://caseworker, the contract's handlers
// through the one dispatcher (sender checked by frame URL), push events to the window, a sync when
// the network returns and on an interval, and a clean close of the replica on quit. Every renderer
// is sandboxed, packaged builds have no DevTools, the data lives under %LOCALAPPDATA% on Windows,
// and the push lease is given back when the session ends. Everything it runs lives in modules that
// never import electron; `wiring` supplies them.

import fs from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, net, powerMonitor, protocol, session, shell, type IpcMain, type MenuItemConstructorOptions, type Session, type WebContents } from 'electron';
import { EVENT_WIRE_PREFIX } from '../../shared/ipc/channels.js';
import { desktopDataDir } from '../files/replica-location.js';
import { createEventHub, type EventHub } from '../ipc/event-hub.js';
import { releaseAllPushLocks } from '../outbox/push-lock.js';
import { createDispatcher, type Dispatcher } from '../ipc/register.js';
import type { Services } from '../ipc/services.js';
import { SECURITY_HEADERS } from '../../shared/security-policy.js';
import { SupportLog } from '../support-log.js';
import { resolveStatic } from '../web/static-files.js';
import { CredentialStore } from './credentials.js';
import { SPELLING_LANGUAGES, applicationMenuTemplate, contextMenuTemplate } from './menus.js';
import { NativeIntegrityError, readNativeManifest, verifyNativeModules } from './native-integrity.js';
import { createSystemNetwork, type SystemNetwork } from './network-settings.js';
import type { SaveDialogOptions } from './save-export.js';
import { createOnlineWatch } from './online-watch.js';
import { APP_ENTRY_URL, APP_SCHEME, CONTENT_SECURITY_POLICY, externalUrlToOpen, isAppFrameSender, isAppUrl, navigationDecision, permissionDecision, windowOpenDecision } from './policy.js';

export interface AppContext {
  /** app.getPath('userData'): the replica, credentials and support log live here. */
  dataDir: string;
  /** Where the packaged app's files are (drizzle migrations: path.join(appPath, 'drizzle')). */
  appPath: string;
  credentials: CredentialStore;
  log: SupportLog;
  /** Emit sync:status, sync:progress, outbox:changed and data:changed here. */
  events: EventHub;
  /** The system's proxy and trusted CAs for API clients (refresh before each sync). */
  network?: SystemNetwork | undefined;
  /** The native save dialog, parented to the app's window (report exports). */
  showSaveDialog?: ((options: SaveDialogOptions) => Promise<{ canceled: boolean; filePath?: string | undefined }>) | undefined;
  /** The person's Documents folder (the first export's starting place). */
  documentsDir?: string | undefined;
}

export interface AppRuntime {
  services: Services;
  /** One sync run (outbox first); called at start, when the network returns and on the interval. */
  sync?: () => Promise<unknown>;
  /** Minutes between automatic syncs while online (read on every tick; default 15). */
  syncIntervalMinutes?: () => number;
  /** Close the replica; awaited before the app quits. */
  close(): Promise<void> | void;
}

export interface AppWiring {
  start(context: AppContext): Promise<AppRuntime>;
}

export interface AppPaths {
  /** The built renderer (index.html …). */
  rendererDir: string;
  /** The bundled preload (dist-electron/preload.cjs). */
  preloadPath: string;
}

/** Registers the contract's channels on ipcMain, each answering through the dispatcher. */
export function registerIpcHandlers(ipc: Pick<IpcMain, 'handle'>, dispatcher: Dispatcher): void {
  for (const channel of dispatcher.channels) {
    ipc.handle(channel, (event, input: unknown) => dispatcher.dispatch(channel, input, event));
  }
}

/** Refuses every permission, every request that is not the app's own, and adds the CSP to responses. */
export function hardenSession(target: Session): void {
  target.setPermissionRequestHandler((_contents, permission, callback) => callback(permissionDecision(permission)));
  target.setPermissionCheckHandler((_contents, permission) => permissionDecision(permission));
  target.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'file://*/*'] }, (_details, callback) => {
    callback({ cancel: true }); // no remote content: the renderer talks to main over IPC only
  });
  target.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

const guarded = new WeakSet<WebContents>();

/** Navigation and new windows: stay on app://caseworker; allowlisted https links open in the system browser. Idempotent. */
export function guardContents(contents: WebContents): void {
  if (guarded.has(contents)) return; // web-contents-created and createMainWindow both call it
  guarded.add(contents);
  const openOutside = (url: string) => {
    const checked = externalUrlToOpen(url);
    if (checked) void shell.openExternal(checked);
  };
  contents.setWindowOpenHandler(({ url }) => {
    if (windowOpenDecision(url) === 'open-external') openOutside(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    const decision = navigationDecision(url);
    if (decision === 'allow') return;
    event.preventDefault();
    if (decision === 'open-external') openOutside(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Right-click: edit roles, and spelling suggestions over a misspelt word. */
export function installContextMenu(contents: WebContents, popup: (template: MenuItemConstructorOptions[]) => void): void {
  contents.on('context-menu', (_event, params) => {
    const template = contextMenuTemplate(params, {
      replaceMisspelling: (word) => contents.replaceMisspelling(word),
      addToDictionary: (word) => contents.session.addWordToSpellCheckerDictionary(word),
    });
    if (template.length > 0) popup(template);
  });
}

export interface MainWindowOptions {
  /** A packaged build: no developer tools at all. */
  packaged?: boolean;
}

export function createMainWindow(preloadPath: string, options: MainWindowOptions = {}): BrowserWindow {
  const packaged = options.packaged ?? false;
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'Caseworker',
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // Middle-click would ask for a new window (refused anyway by the window-open handler).
      disableBlinkFeatures: 'Auxclick',
      spellcheck: true,
      // Packaged builds have no DevTools (no menu item, no shortcut, no API to open them).
      devTools: !packaged,
      preload: preloadPath,
    },
  });
  guardContents(window.webContents);
  installContextMenu(window.webContents, (template) => Menu.buildFromTemplate(template).popup({ window }));
  if (packaged) window.webContents.on('devtools-opened', () => window.webContents.closeDevTools());
  window.once('ready-to-show', () => window.show());
  return window;
}

/** Serves the built renderer on app://caseworker with the CSP and security headers. */
function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (!isAppUrl(request.url)) return new Response('Not found', { status: 404 });
    const answer = resolveStatic(rendererDir, new URL(request.url).pathname);
    if (answer.kind === 'not-found') return new Response('Not found', { status: 404, headers: { ...SECURITY_HEADERS } });
    try {
      const body = await fs.promises.readFile(answer.file);
      return new Response(body, { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': answer.contentType } });
    } catch {
      return new Response('Not found', { status: 404, headers: { ...SECURITY_HEADERS } });
    }
  });
}

/** The whole app lifecycle. Call once, from the entry module, before app is ready. */
export function runElectronApp(wiring: AppWiring, paths: AppPaths): void {
  // Every renderer sandboxed, whatever a window's own preferences say.
  app.enableSandbox();
  // Windows: %LOCALAPPDATA%\Caseworker, never the roaming profile (a network share for many charities).
  // Before the single-instance lock, which lives in the data folder.
  app.setPath('userData', desktopDataDir(app.getPath('userData'), { productName: 'Caseworker' }));
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

  const dataDir = app.getPath('userData');
  const log = new SupportLog({ dir: path.join(dataDir, 'logs') });
  const events = createEventHub({ log: log.writer });
  const credentials = new CredentialStore({ dir: dataDir });
  if (process.argv.includes('--store-keys-without-keychain')) credentials.acceptUnprotectedStorage();

  let window: BrowserWindow | null = null;
  let runtime: AppRuntime | null = null;
  let stopWatch: (() => void) | null = null;
  let closed = false;

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  // The OS is shutting down (macOS, Linux) or the Windows session ends (window 'session-end' below):
  // give the push lease back now — there may be no time for the push to wind down.
  powerMonitor.on('shutdown', () => releaseAllPushLocks());
  app.on('window-all-closed', () => app.quit());

  app.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    closed = true;
    stopWatch?.();
    Promise.resolve(runtime?.close())
      .catch((error: unknown) => log.write('app.close_failed', { error: error instanceof Error ? error.name : typeof error }))
      .finally(() => {
        log.write('app.quit', {});
        app.quit();
      });
  });

  void app.whenReady().then(async () => {
    log.write('app.start', { version: app.getVersion() });
    hardenSession(session.defaultSession);
    // macOS spells with the system's own languages; Windows and Linux are told British English.
    if (process.platform !== 'darwin') session.defaultSession.setSpellCheckerLanguages(SPELLING_LANGUAGES);
    Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenuTemplate(process.platform, app.name, app.isPackaged)));
    serveRenderer(paths.rendererDir);
    const network = createSystemNetwork(session.defaultSession, { log: log.writer });
    try {
      if (app.isPackaged) {
        // The unpacked native module is checked against the hash packed inside the (integrity-checked) asar.
        const manifest = readNativeManifest(app.getAppPath());
        if (!manifest) throw new NativeIntegrityError("Caseworker's installation is incomplete (its list of native modules is missing): reinstall Caseworker.");
        verifyNativeModules(app.getAppPath(), manifest);
      }
      runtime = await wiring.start({
        dataDir,
        appPath: app.getAppPath(),
        credentials,
        log,
        events,
        network,
        documentsDir: app.getPath('documents'),
        showSaveDialog: (options) => (window ? dialog.showSaveDialog(window, options) : dialog.showSaveDialog(options)),
      });
    } catch (error) {
      log.write('app.start_failed', { error: error instanceof Error ? error.name : typeof error });
      dialog.showErrorBox('Caseworker cannot start', error instanceof Error ? error.message : String(error));
      closed = true;
      app.quit();
      return;
    }
    registerIpcHandlers(ipcMain, createDispatcher(runtime.services, { isTrustedSender: isAppFrameSender, log: log.writer }));

    window = createMainWindow(paths.preloadPath, { packaged: app.isPackaged });
    // Windows log-off or shut-down: the process may be killed before the quit completes.
    window.on('session-end', () => {
      releaseAllPushLocks();
      log.write('app.session_end', {});
    });
    const contents = window.webContents;
    const unsubscribe = events.subscribe((name, payload) => {
      if (!contents.isDestroyed()) contents.send(`${EVENT_WIRE_PREFIX}${name}`, payload);
    });
    window.on('closed', () => {
      unsubscribe();
      window = null;
    });
    await window.loadURL(APP_ENTRY_URL);

    const sync = runtime.sync;
    if (sync) {
      const intervalMs = () => (runtime?.syncIntervalMinutes?.() ?? 15) * 60_000;
      const watch = createOnlineWatch({ isOnline: () => net.isOnline(), sync, intervalMs, log: log.writer });
      stopWatch = watch.start(10_000);
      powerMonitor.on('resume', () => watch.tick());
      powerMonitor.on('unlock-screen', () => watch.tick());
    }
  });
}
