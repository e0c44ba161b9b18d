// A small working stand-in for the `electron` module (the binary cannot be downloaded here): the
// only mock the project uses. It records what the shell asks of Electron — window options, handlers,
// exposed bridges — and gives safeStorage a reversible cipher whose output never contains the input.
// Tests load it with: vi.mock('electron', async () => (await import('./electron-fake.js')).createFakeElectron())

import { EventEmitter } from 'node:events';

type Listener = (...args: any[]) => unknown;

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  sent: Array<{ channel: string; payload: unknown }> = [];
  replaced: string[] = [];
  devToolsClosed = 0;
  readonly session = {
    dictionary: [] as string[],
    addWordToSpellCheckerDictionary(word: string) {
      this.dictionary.push(word);
      return true;
    },
  };
  replaceMisspelling(word: string) {
    this.replaced.push(word);
  }
  closeDevTools() {
    this.devToolsClosed++;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown) {
    this.sent.push({ channel, payload });
  }
  isDestroyed() {
    return false;
  }
  /** Fires a navigation the way Chromium would; returns whether the app prevented it. */
  navigate(event: 'will-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    this.emit(
      event,
      {
        preventDefault: () => {
          prevented = true;
        },
      },
      url,
    );
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loaded: string | null = null;
  constructor(readonly options: Record<string, any>) {
    super();
    FakeBrowserWindow.instances.push(this);
  }
  async loadURL(url: string) {
    this.loaded = url;
  }
  show() {}
  focus() {}
  restore() {}
  isMinimized() {
    return false;
  }
}

export function fakeSession() {
  const handlers: Record<string, Listener> = {};
  return {
    handlers,
    spellCheckerLanguages: [] as string[],
    proxyAnswer: 'DIRECT',
    setSpellCheckerLanguages(languages: string[]) {
      this.spellCheckerLanguages = languages;
    },
    async resolveProxy(_url: string) {
      return this.proxyAnswer;
    },
    setPermissionRequestHandler(handler: Listener) {
      handlers.permissionRequest = handler;
    },
    setPermissionCheckHandler(handler: Listener) {
      handlers.permissionCheck = handler;
    },
    webRequest: {
      onBeforeRequest(filter: unknown, handler: Listener) {
        handlers.beforeRequest = handler;
        handlers.beforeRequestFilter = (() => filter) as Listener;
      },
      onHeadersReceived(handler: Listener) {
        handlers.headersReceived = handler;
      },
    },
  };
}

export interface SafeStorageState {
  available: boolean;
  backend: string;
}

export const safeStorageState: SafeStorageState = { available: true, backend: 'gnome_libsecret' };

/** What the fake app reports and records, for the lifecycle tests (runElectronApp). */
export const appState = {
  isPackaged: false,
  paths: { userData: '/nonexistent', documents: '/nonexistent', appPath: '/nonexistent' } as Record<string, string>,
  calls: [] as string[],
  setPathCalls: [] as Array<[string, string]>,
  errorBoxes: [] as Array<[string, string]>,
  menus: [] as unknown[],
  popups: [] as unknown[],
  saveDialogAnswer: { canceled: true } as { canceled: boolean; filePath?: string },
  saveDialogs: [] as unknown[],
  /** Resolves app.whenReady() (never resolved unless a test asks). */
  ready: (() => {}) as () => void,
};

/** Reversible and obviously not the plaintext: bytes XOR 0x5a, reversed, behind a marker. */
function seal(plain: string): Buffer {
  const bytes = Buffer.from(plain, 'utf8')
    .map((b) => b ^ 0x5a)
    .reverse();
  return Buffer.concat([Buffer.from('SEALED:'), bytes]);
}

function unseal(sealed: Buffer): string {
  const marker = Buffer.from('SEALED:');
  if (!sealed.subarray(0, marker.length).equals(marker)) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
  return Buffer.from(
    sealed
      .subarray(marker.length)
      .reverse()
      .map((b) => b ^ 0x5a),
  ).toString('utf8');
}

export function createFakeElectron() {
  const ipcHandlers = new Map<string, Listener>();
  const rendererListeners = new Map<string, Set<Listener>>();
  const exposed: Record<string, unknown> = {};
  const openedExternally: string[] = [];
  const defaultSession = fakeSession();
  const appEvents = new EventEmitter();

  // A getter, not a value: Object.assign below would copy a value once.
  Object.defineProperty(appEvents, 'isPackaged', { get: () => appState.isPackaged });
  const electron = {
    app: Object.assign(appEvents, {
      name: 'Caseworker',
      enableSandbox: () => {
        appState.calls.push('enableSandbox');
      },
      setPath: (name: string, value: string) => {
        appState.calls.push(`setPath:${name}`);
        appState.setPathCalls.push([name, value]);
      },
      requestSingleInstanceLock: () => {
        appState.calls.push('requestSingleInstanceLock');
        return true;
      },
      quit: () => {
        appState.calls.push('quit');
      },
      getPath: (name: string) => appState.paths[name] ?? '/nonexistent',
      getAppPath: () => appState.paths.appPath!,
      getVersion: () => '0.0.0-test',
      whenReady: () =>
        new Promise<void>((resolve) => {
          appState.ready = resolve;
        }),
    }),
    Menu: {
      buildFromTemplate: (template: unknown[]) => ({ template, popup: (options: unknown) => appState.popups.push({ template, options }) }),
      setApplicationMenu: (menu: { template: unknown[] }) => {
        appState.menus.push(menu.template);
      },
    },
    BrowserWindow: FakeBrowserWindow,
    dialog: {
      showErrorBox: (title: string, text: string) => {
        appState.errorBoxes.push([title, text]);
      },
      showSaveDialog: async (...args: unknown[]) => {
        appState.saveDialogs.push(args.at(-1));
        return appState.saveDialogAnswer;
      },
    },
    ipcMain: {
      handlers: ipcHandlers,
      handle(channel: string, handler: Listener) {
        if (ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        ipcHandlers.set(channel, handler);
      },
    },
    net: { isOnline: () => true },
    powerMonitor: new EventEmitter(),
    protocol: { registerSchemesAsPrivileged: () => {}, handle: () => {} },
    session: { defaultSession },
    shell: {
      opened: openedExternally,
      async openExternal(url: string) {
        openedExternally.push(url);
      },
    },
    safeStorage: {
      isEncryptionAvailable: () => safeStorageState.available,
      getSelectedStorageBackend: () => safeStorageState.backend,
      encryptString: (plain: string) => {
        if (!safeStorageState.available) throw new Error('Encryption is not available.');
        return seal(plain);
      },
      decryptString: (sealed: Buffer) => unseal(sealed),
    },
    contextBridge: {
      exposed,
      exposeInMainWorld(key: string, api: unknown) {
        exposed[key] = api;
      },
    },
    ipcRenderer: {
      invoked: [] as Array<{ channel: string; input: unknown }>,
      async invoke(channel: string, input: unknown) {
        this.invoked.push({ channel, input });
        return { ok: true, data: { channel } };
      },
      on(channel: string, listener: Listener) {
        if (!rendererListeners.has(channel)) rendererListeners.set(channel, new Set());
        rendererListeners.get(channel)!.add(listener);
      },
      removeListener(channel: string, listener: Listener) {
        rendererListeners.get(channel)?.delete(listener);
      },
      /** What main's webContents.send would deliver. */
      deliver(channel: string, payload: unknown) {
        for (const listener of rendererListeners.get(channel) ?? []) listener({ sender: 'secret-event-object' }, payload);
      },
      listenerCount(channel: string) {
        return rendererListeners.get(channel)?.size ?? 0;
      },
    },
  };
  return { ...electron, default: electron };
}
