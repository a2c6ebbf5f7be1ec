import { randomUUID } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeliveryFailure } from '../connector.js';
import { errorCode } from './file-errors.js';

// One writer per export file across every process on the machine (and on a shared filesystem that keeps
// O_EXCL atomic, as NFSv3+ does): a lock file created with O_CREAT|O_EXCL holding a random token. Without
// it two processes would each read the file, each add their rows and each rename: the second rename
// would drop the first one's rows.
//
// A writer that dies leaves its lock behind; a lock untouched for `staleMs` is taken to be such a one and
// broken. A live holder touches its lock every staleMs / 3, so a long rewrite never looks stale. Breaking
// moves the lock aside first (rename is atomic: of two breakers, one wins) and puts it back if what it
// moved turns out to be a fresh lock taken meanwhile. The holder checks its token just before it renames
// its file into place, so a holder whose lock was broken (paused longer than staleMs) gives up instead
// of overwriting another writer's rows.
//
// Time here is the filesystem's (mtimes), so it is read from the real clock, not an injected one.

export interface HeldLock {
  /** Throws DeliveryFailure('unavailable') when the lock is no longer this holder's. */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
}

const FIRST_WAIT_MS = 2;
const LONGEST_WAIT_MS = 50;

export async function acquireLock(lockPath: string, staleMs: number, signal: AbortSignal): Promise<HeldLock> {
  const token = `${process.pid}@${hostname()} ${randomUUID()}\n`;
  for (let attempt = 0; ; attempt += 1) {
    if (await tryCreate(lockPath, token)) return held(lockPath, token, staleMs);
    const seen = await stat(lockPath).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    });
    if (seen === undefined) continue;
    if (Date.now() - seen.mtimeMs > staleMs) {
      await breakStale(lockPath, seen.ino);
      continue;
    }
    const wait = Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** attempt) * (0.5 + Math.random());
    try {
      await sleep(wait, undefined, { signal });
    } catch {
      throw new DeliveryFailure('unavailable', `${lockPath} is held by another writer; nothing was written`, {
        path: lockPath,
      });
    }
  }
}

async function tryCreate(lockPath: string, token: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx', 0o640);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(token);
    await handle.close();
  } catch (error) {
    // A lock we could not fill (a full disk) must not stay behind until it turns stale.
    await handle.close().catch(() => undefined);
    await unlink(lockPath).catch(() => undefined);
    throw error;
  }
  return true;
}

async function breakStale(lockPath: string, staleIno: number): Promise<void> {
  const aside = `${lockPath}.stale-${randomUUID()}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return; // another writer broke it first
    throw error;
  }
  const moved = await stat(aside);
  // Between our stat and our rename another writer broke the stale lock and took a fresh one: give it back.
  // If a third writer took the name meanwhile, link fails and the fresh holder's assertHeld() notices.
  if (moved.ino !== staleIno) await link(aside, lockPath).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

function held(lockPath: string, token: string, staleMs: number): HeldLock {
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(lockPath, now, now).catch(() => undefined);
    },
    Math.max(1, Math.floor(staleMs / 3)),
  );
  heartbeat.unref();
  const isOurs = async () => (await readFile(lockPath, 'utf8').catch(() => '')) === token;
  return {
    async assertHeld() {
      if (!(await isOurs()))
        throw new DeliveryFailure(
          'unavailable',
          `${lockPath} was broken as stale while this writer held it; nothing was written`,
          { path: lockPath },
        );
    },
    async release() {
      clearInterval(heartbeat);
      if (await isOurs()) await unlink(lockPath).catch(() => undefined);
    },
  };
}
