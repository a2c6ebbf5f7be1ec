import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { FailedDependencyError } from '../errors.js';
import type { Database } from './database.js';
import { lockDataDir } from './data-dir-lock.js';
import { openPGliteWorkerDatabase } from './pglite-worker-database.js';
import { openPostgresDatabase } from './postgres-database.js';

export interface StoreLocation {
  databaseUrl?: string;
  dataDir: string;
}

/** The URL without its password, fit for an error message. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured database URL';
  }
}

/** PostgreSQL when a URL is configured, else the embedded PGlite store in the data directory. */
export async function openStore(location: StoreLocation): Promise<Database> {
  if (location.databaseUrl) {
    try {
      return await openPostgresDatabase({ connectionString: location.databaseUrl });
    } catch (error) {
      throw new FailedDependencyError(`cannot open the store at ${redacted(location.databaseUrl)}: ${(error as Error).message}`);
    }
  }
  const dataDir = resolve(location.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataDir(dataDir);
  try {
    const db = await openPGliteWorkerDatabase({ dataDir });
    return {
      ...db,
      close: async () => {
        await db.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}
