import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database } from './database.js';
import { lockDataDir } from './data-dir-lock.js';
import { openPGliteWorkerDatabase } from './pglite-worker-database.js';
import { openPostgresDatabase } from './postgres-database.js';

export interface StoreLocation {
  databaseUrl?: string;
  dataDir: string;
}

/** PostgreSQL when a URL is configured, else the embedded PGlite store in the data directory. */
export async function openStore(location: StoreLocation): Promise<Database> {
  if (location.databaseUrl) return openPostgresDatabase({ connectionString: location.databaseUrl });
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
