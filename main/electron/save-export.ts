// Report exports in the desktop app: main asks where with the native save dialog (starting in the
// folder used last time, else Documents) and writes the file itself — through writeExportFile, so
// it never lands on the replica or in the app's data folder, and a file Excel holds open gets
// "close it in Excel and try again" instead of a download that fails silently after IPC said yes.
// The channel then answers with the saved path (the browser host answers with the bytes instead).

import fs from 'node:fs';
import path from 'node:path';
import type { ChannelArgs } from '../../shared/ipc/contract.js';
import { renameRetrying } from '../files/file-in-use.js';
import { ServiceError } from '../ipc/service-error.js';
import type { Services } from '../ipc/services.js';
import { ExportFileError, writeExportFile, type ExportTargetOptions } from '../reports/export-file.js';

type ExportService = Services['reports:export'];

export interface SaveDialogOptions {
  title: string;
  defaultPath: string;
  buttonLabel: string;
  filters: Array<{ name: string; extensions: string[] }>;
}

export interface SaveExportDeps {
  /** Electron's dialog.showSaveDialog, parented to the app's window. */
  showSaveDialog(options: SaveDialogOptions): Promise<{ canceled: boolean; filePath?: string | undefined }>;
  /** Where the last export went (remembered across runs). */
  folders: ExportFolderMemory;
  /** The Documents folder: the first export's starting place. */
  documentsDir: string;
  target: ExportTargetOptions;
}

const FILTERS: Record<string, { name: string; extensions: string[] }> = {
  csv: { name: 'CSV (comma-separated values)', extensions: ['csv'] },
  xlsx: { name: 'Excel workbook', extensions: ['xlsx'] },
  pdf: { name: 'PDF document', extensions: ['pdf'] },
  json: { name: 'JSON', extensions: ['json'] },
};

/** The last export folder, kept in a small JSON file in the app's data folder. */
export class ExportFolderMemory {
  constructor(private readonly file: string) {}

  last(): string | null {
    try {
      const folder = (JSON.parse(fs.readFileSync(this.file, 'utf8')) as { lastExportFolder?: unknown }).lastExportFolder;
      return typeof folder === 'string' && fs.existsSync(folder) ? folder : null;
    } catch {
      return null;
    }
  }

  remember(folder: string): void {
    try {
      const temp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(temp, JSON.stringify({ lastExportFolder: folder }), { mode: 0o600 });
      renameRetrying(temp, this.file);
    } catch {
      // Forgetting the folder costs one click next time; never fail an export over it.
    }
  }
}

/** Wraps the core's reports:export (which makes the bytes) with the save dialog and the write. */
export function saveExportService(makeFile: ExportService, deps: SaveExportDeps): ExportService {
  return async (input: ChannelArgs<'reports:export'>) => {
    const file = await makeFile(input);
    const filter = FILTERS[input.format];
    const chosen = await deps.showSaveDialog({
      title: 'Save the report',
      defaultPath: path.join(deps.folders.last() ?? deps.documentsDir, file.filename),
      buttonLabel: 'Save',
      filters: filter ? [filter] : [],
    });
    if (chosen.canceled || !chosen.filePath) return { filename: file.filename, contentType: file.contentType, savedPath: null };
    try {
      const saved = await writeExportFile(chosen.filePath, Buffer.from(file.dataBase64 ?? '', 'base64'), deps.target);
      deps.folders.remember(path.dirname(saved));
      return { filename: path.basename(saved), contentType: file.contentType, savedPath: saved };
    } catch (error) {
      if (error instanceof ExportFileError) {
        const message = error.message[0]!.toUpperCase() + error.message.slice(1);
        throw new ServiceError(error.inUse ? 'CONFLICT' : 'VALIDATION', message);
      }
      throw error;
    }
  };
}
