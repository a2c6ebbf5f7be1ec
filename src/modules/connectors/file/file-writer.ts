import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { errorCode, fileFailure } from './file-errors.js';
import { encodeRows, holdsExternalId } from './file-format.js';
import type { ExportFormat, Row } from './file-mapping.js';
import { acquireLock } from './file-lock.js';

// Adds a posting's rows to one export file, at most once, so that a reader only ever sees the old file or
// the new one whole: under the file's lock, read what is there, stop if the external id is already in it,
// else write old bytes + new rows to a temporary file beside it, fsync it, rename it over the file and
// fsync the directory (the rename is durable only once the directory is). A crash at any point leaves
// the old file as it was, or the new one; a retry then finds the rows or writes them.

export const DIRECTORY_MODE = 0o750;
export const FILE_MODE = 0o640;

export interface AppendRequest {
  /** Absolute path of the export file. */
  path: string;
  format: ExportFormat;
  columns: readonly string[];
  externalId: string;
  rows: readonly Row[];
  staleLockMs: number;
  signal: AbortSignal;
}

/** 'present' when the file already held the external id: nothing was written. Throws DeliveryFailure. */
export async function appendIfAbsent(request: AppendRequest): Promise<'written' | 'present'> {
  const { path } = request;
  const folder = dirname(path);
  try {
    await makeFolder(folder);
    const lock = await acquireLock(lockPathOf(path), request.staleLockMs, request.signal);
    try {
      await removeOrphanTemporaries(path);
      const existing = await readExisting(path);
      if (holdsExternalId(request.format, request.columns, existing, request.externalId)) return 'present';
      const added = encodeRows(request.format, request.columns, request.rows, existing.length === 0);
      const temporary = join(folder, `.${basename(path)}.${randomUUID()}.tmp`);
      try {
        await writeSynced(temporary, Buffer.concat([existing, Buffer.from(added, 'utf8')]));
        await lock.assertHeld();
        await rename(temporary, path);
      } catch (error) {
        await unlink(temporary).catch(() => undefined);
        throw error;
      }
      await syncFolder(folder);
      return 'written';
    } finally {
      await lock.release();
    }
  } catch (error) {
    throw fileFailure(error, path);
  }
}

/** The file's bytes, or none when it does not exist yet. Throws DeliveryFailure. */
export async function readExisting(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return Buffer.alloc(0);
    throw fileFailure(error, path);
  }
}

const lockPathOf = (path: string) => join(dirname(path), `.${basename(path)}.lock`);

/** mkdir -p, then fsync the parent of each folder it made, so a new folder survives a crash with its file. */
async function makeFolder(folder: string): Promise<void> {
  const first = await mkdir(folder, { recursive: true, mode: DIRECTORY_MODE });
  if (first === undefined) return;
  const made = relative(dirname(first), folder).split(sep);
  let parent = dirname(first);
  for (const segment of made) {
    await syncFolder(parent);
    parent = join(parent, segment);
  }
}

/**
 * Temporary files of this export file left by a writer that died between writing and renaming. Only the
 * lock holder writes one, so while we hold the lock every one there is an orphan.
 */
async function removeOrphanTemporaries(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`;
  const names = await readdir(dirname(path));
  for (const name of names)
    if (name.startsWith(prefix) && name.endsWith('.tmp'))
      await unlink(join(dirname(path), name)).catch(() => undefined);
}

async function writeSynced(path: string, content: Buffer): Promise<void> {
  const handle = await open(path, 'wx', FILE_MODE);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
