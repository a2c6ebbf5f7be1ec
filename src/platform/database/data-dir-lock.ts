import { linkSync, mkdirSync, readFileSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PreconditionFailedError } from '../errors.js';

// Directories this process holds: a pid file naming this process is only stale if we do not hold it.
const heldHere = new Set<string>();
// A takeover in progress that is older than this was abandoned by a process that died mid-way.
const ABANDONED_TAKEOVER_MS = 10_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    // 0 and negative numbers would make kill() signal whole process groups: never a holder.
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Creates the pid file with its content already in place (link is atomic and fails if it exists). */
function tryCreate(path: string): boolean {
  const draft = `${path}.${process.pid}.draft`;
  writeFileSync(draft, String(process.pid));
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    unlinkSync(draft);
  }
}

/** Removes a stale pid file, unless another process is doing the same right now. */
function removeStale(path: string, stalePid: number | undefined): void {
  const takeover = `${path}.takeover`;
  try {
    mkdirSync(takeover);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (Date.now() - statSync(takeover).mtimeMs > ABANDONED_TAKEOVER_MS) rmdirSync(takeover);
    return;
  }
  try {
    // Still the same stale holder? Then no one replaced it between our read and our takeover.
    if (readHolder(path) === stalePid) rmSync(path, { force: true });
  } finally {
    rmdirSync(takeover);
  }
}

/**
 * PGlite is one process's database: two processes opening one data directory would corrupt it.
 * A pid file makes the second one fail with a clear message; one left by a killed process is taken
 * over (by one process only, if several start at once). One process opening it twice is refused too.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, 'meterbridge.pid');
  for (let attempt = 0; attempt < 20; attempt += 1) {
    if (tryCreate(path)) {
      heldHere.add(path);
      return () => {
        heldHere.delete(path);
        rmSync(path, { force: true });
      };
    }
    const holder = readHolder(path);
    const inUse = holder !== undefined && (holder === process.pid ? heldHere.has(path) : isAlive(holder));
    if (inUse) {
      throw new PreconditionFailedError(
        `the embedded store in ${dataDir} is in use by process ${holder}; stop it first, or run against PostgreSQL with --database-url`,
      );
    }
    removeStale(path, holder);
    // Let a concurrent takeover finish before looking again.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  throw new PreconditionFailedError(`cannot lock the embedded store in ${dataDir}: its lock file keeps changing`);
}
