import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PreconditionFailedError } from '../errors.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Directories this process holds: a pid file naming this process is only stale if we do not hold it.
const heldHere = new Set<string>();

/**
 * PGlite is one process's database: two processes opening one data directory would corrupt it.
 * A pid file taken with O_EXCL makes the second one fail with a clear message; a stale file left by a
 * killed process is taken over. One process opening it twice is refused the same way.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, 'meterbridge.pid');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(path);
      return () => {
        heldHere.delete(path);
        rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      const inUse = Number.isInteger(holder) && (holder === process.pid ? heldHere.has(path) : isAlive(holder));
      if (inUse) {
        throw new PreconditionFailedError(
          `the embedded store in ${dataDir} is in use by process ${holder}; stop it first, or run against PostgreSQL with --database-url`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new PreconditionFailedError(`cannot lock the embedded store in ${dataDir}`);
}
