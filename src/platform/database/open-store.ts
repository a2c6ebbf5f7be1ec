import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { FailedDependencyError } from '../errors.js';
import { DatabaseUnavailableError } from './connection-errors.js';
import type { Database } from './database.js';
import { lockDataDir } from './data-dir-lock.js';
import { openPGliteWorkerDatabase } from './pglite-worker-database.js';
import { openPostgresDatabase } from './postgres-database.js';

interface StoreLocation {
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

/**
 * Why the store could not be opened, for the operator who configured it: the driver's own words
 * (`connect ECONNREFUSED 10.0.0.5:5432`) rather than the client-facing summary of an outage.
 */
function startupReason(error: unknown): string {
  if (error instanceof DatabaseUnavailableError) {
    const cause = (error.cause as { message?: unknown } | undefined)?.message;
    return typeof cause === 'string' && cause.length > 0 ? cause : error.reason;
  }
  return (error as Error).message;
}

/** PostgreSQL when a URL is configured, else the embedded PGlite store in the data directory. */
export async function openStore(location: StoreLocation): Promise<Database> {
  if (location.databaseUrl) {
    try {
      return await openPostgresDatabase({ connectionString: location.databaseUrl });
    } catch (error) {
      throw new FailedDependencyError(
        `cannot open the store at ${redacted(location.databaseUrl)}: ${startupReason(error)}`,
      );
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
