// The menus, per platform: on macOS the app menu (About, Hide, Quit with Cmd+Q), Edit and Window;
// on Windows and Linux a File menu with Exit, and Edit; View has zoom only (Toggle Developer Tools
// only in a development build); no links to electronjs.org. Right-click gives a context menu with
// the standard edit roles and, over a misspelt word, the spell checker's suggestions (en-GB).
// The templates are plain data, built from plain inputs, so the unit tests read them directly.

import type { ContextMenuParams, MenuItemConstructorOptions } from 'electron';

/** The spell checker's language on Windows and Linux (macOS uses the system's own choice). */
export const SPELLING_LANGUAGES = ['en-GB'];
const MAX_SUGGESTIONS = 5;

function editMenu(platform: NodeJS.Platform): MenuItemConstructorOptions {
  return {
    label: platform === 'darwin' ? 'Edit' : '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(platform === 'darwin' ? [{ role: 'pasteAndMatchStyle' } as MenuItemConstructorOptions] : []),
      { role: 'delete' },
      { type: 'separator' },
      { role: 'selectAll' },
    ],
  };
}

function viewMenu(platform: NodeJS.Platform, packaged: boolean): MenuItemConstructorOptions {
  return {
    label: platform === 'darwin' ? 'View' : '&View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(packaged ? [] : [{ type: 'separator' } as MenuItemConstructorOptions, { role: 'reload' } as MenuItemConstructorOptions, { role: 'toggleDevTools' } as MenuItemConstructorOptions]),
    ],
  };
}

/** The application menu for `platform`; `packaged` builds have no reload or developer tools. */
export function applicationMenuTemplate(platform: NodeJS.Platform, appName: string, packaged: boolean): MenuItemConstructorOptions[] {
  if (platform === 'darwin') {
    return [
      {
        label: appName,
        submenu: [
          { role: 'about' },
          { type: 'separator' },
          { role: 'services' },
          { type: 'separator' },
          { role: 'hide' },
          { role: 'hideOthers' },
          { role: 'unhide' },
          { type: 'separator' },
          { role: 'quit' }, // Cmd+Q
        ],
      },
      editMenu(platform),
      viewMenu(platform, packaged),
      { role: 'windowMenu' },
    ];
  }
  return [{ label: '&File', submenu: [{ role: 'quit', label: 'E&xit' }] }, editMenu(platform), viewMenu(platform, packaged)];
}

export interface ContextMenuActions {
  replaceMisspelling(word: string): void;
  addToDictionary(word: string): void;
}

type MenuParams = Pick<ContextMenuParams, 'misspelledWord' | 'dictionarySuggestions' | 'isEditable' | 'selectionText' | 'editFlags'>;

/** What right-click offers here; empty when there is nothing to offer (no menu is shown). */
export function contextMenuTemplate(params: MenuParams, actions: ContextMenuActions): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = [];
  if (params.isEditable && params.misspelledWord) {
    const suggestions = params.dictionarySuggestions.slice(0, MAX_SUGGESTIONS);
    for (const suggestion of suggestions) items.push({ label: suggestion, click: () => actions.replaceMisspelling(suggestion) });
    if (suggestions.length === 0) items.push({ label: 'No spelling suggestions', enabled: false });
    items.push({ label: 'Add to dictionary', click: () => actions.addToDictionary(params.misspelledWord) });
    items.push({ type: 'separator' });
  }
  if (params.isEditable) {
    items.push(
      { role: 'undo', enabled: params.editFlags.canUndo },
      { role: 'redo', enabled: params.editFlags.canRedo },
      { type: 'separator' },
      { role: 'cut', enabled: params.editFlags.canCut },
      { role: 'copy', enabled: params.editFlags.canCopy },
      { role: 'paste', enabled: params.editFlags.canPaste },
      { type: 'separator' },
      { role: 'selectAll', enabled: params.editFlags.canSelectAll },
    );
  } else if (params.selectionText.trim() !== '') {
    items.push({ role: 'copy', enabled: params.editFlags.canCopy });
  }
  return items;
}
