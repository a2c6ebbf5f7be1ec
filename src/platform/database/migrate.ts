import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import type { Database } from './database.js';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
// Any fixed number: every process migrating the same database takes the same lock.
const MIGRATION_LOCK_KEY = 7_240_415_001;

function migrationsDir(): string {
  return join(packageRoot(), 'migrations');
}

function loadMigrations(dir = migrationsDir()): Migration[] {
  return readdirSync(dir)
    .filter((file) => FILE_PATTERN.test(file))
    .sort()
    .map((file) => {
      const match = FILE_PATTERN.exec(file) as RegExpExecArray;
      return { version: Number(match[1]), name: file, sql: readFileSync(join(dir, file), 'utf8') };
    });
}

const CREATE_LEDGER = `create table if not exists schema_migrations (
  version integer primary key,
  name text not null,
  applied_at timestamptz not null default now()
)`;

/**
 * Applies pending migrations in order, each in its own transaction. Forward-only. Several processes
 * starting together serialize on an advisory lock, so each migration runs exactly once.
 */
export async function migrate(db: Database, migrations = loadMigrations()): Promise<MigrationResult> {
  const applied: string[] = [];
  let alreadyApplied = 0;
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(CREATE_LEDGER);
    const done = new Set(
      (await tx.query<{ version: number }>('select version from schema_migrations')).rows.map((row) => row.version),
    );
    for (const migration of migrations) {
      if (done.has(migration.version)) {
        alreadyApplied += 1;
        continue;
      }
      await tx.exec(migration.sql);
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.name);
    }
  });
  return { applied, alreadyApplied };
}

/** Names of migrations shipped with this build but not yet applied to the store (readiness check). */
export async function pendingMigrations(db: Database, migrations = loadMigrations()): Promise<string[]> {
  const exists = await db.query<{ present: boolean }>(`select to_regclass('schema_migrations') is not null as present`);
  if (!exists.rows[0]?.present) return migrations.map((migration) => migration.name);
  const done = new Set(
    (await db.query<{ version: number }>('select version from schema_migrations')).rows.map((row) => row.version),
  );
  return migrations.filter((migration) => !done.has(migration.version)).map((migration) => migration.name);
}
