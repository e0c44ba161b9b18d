// `caseworker api <METHOD> <PATH> [field=value …] [--file PATH …]`: one raw request to a Dizions
// server, its JSON reply on stdout as one line. Sends exactly the method given (an admin's probe),
// but the path always goes through the grammar: hostile values or an 11th pair never leave the machine.

import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { createDizionsClient, type DizionsClient, type UploadFile } from '../api/client.js';
import { DizionsError } from '../api/errors.js';
import { GrammarError, parsePath, type DizionsPath } from '../../shared/url-grammar.js';
import { CONNECTION_OPTIONS, UsageError, UserFacingError, connectionFrom, parseAssignments, parseCommandArgs, printJson } from './usage.js';

const CONTENT_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...CONNECTION_OPTIONS, file: { type: 'string', multiple: true } });
  const [method, pathText, ...assignments] = positionals;
  if (!method || !pathText) throw new UsageError('give a METHOD and a PATH, e.g. caseworker api GET clients/id/1');
  if (!/^[A-Za-z]+$/.test(method)) throw new UsageError(`"${method}" is not an HTTP method`);
  const fields = parseAssignments(assignments);
  const connection = connectionFrom(values);
  const path = parseOrRefuse(pathText);
  const files = await readFiles(values.file ?? []);

  let client: DizionsClient;
  try {
    client = createDizionsClient(connection);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  try {
    const reply = await client.request(method, path, assignments.length > 0 ? fields : undefined, { files });
    printJson(reply.json);
    return 0;
  } catch (error) {
    if (error instanceof DizionsError || error instanceof GrammarError) throw new UserFacingError(error.message);
    throw error;
  } finally {
    await client.close();
  }
}

function parseOrRefuse(pathText: string): DizionsPath {
  try {
    return parsePath(pathText);
  } catch (error) {
    if (error instanceof GrammarError) throw new UsageError(`refused before sending: ${error.message}`);
    throw error;
  }
}

async function readFiles(paths: string[]): Promise<UploadFile[]> {
  return Promise.all(
    paths.map(async (path) => {
      let data: Buffer;
      try {
        data = await readFile(path);
      } catch (error) {
        throw new UserFacingError(`cannot read --file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      const contentType = CONTENT_TYPES[extname(path).toLowerCase()];
      return { filename: basename(path), data, ...(contentType ? { contentType } : {}) };
    }),
  );
}
