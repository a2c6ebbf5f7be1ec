import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';
import type { Database } from '../../src/platform/database/database.js';
import { pgliteDatabase } from '../../src/platform/database/pglite-database.js';
import { openPostgresDatabase } from '../../src/platform/database/postgres-database.js';

export type StoreKind = 'pglite' | 'postgres';

export const POSTGRES_TEST_URL = process.env.MB_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REQUIRED = process.env.CI === 'true';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const postgresUp = await postgresReachable();

/**
 * Hands out fresh, isolated databases: each `fresh()` is a new schema, so tests never see each
 * other's rows. One PGlite instance per test file (it is slow to open and heavy); one pool per schema on PostgreSQL.
 */
export class TestStores {
  private pglite?: PGlite;
  private readonly opened: Database[] = [];
  private readonly schemas: string[] = [];

  constructor(readonly kind: StoreKind) {}

  async fresh(): Promise<Database> {
    const schema = `t_${randomBytes(5).toString('hex')}`;
    this.schemas.push(schema);
    let db: Database;
    if (this.kind === 'pglite') {
      this.pglite ??= await PGlite.create();
      db = await pgliteDatabase(this.pglite, `create schema ${schema}; set search_path to ${schema}`);
    } else {
      const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      await admin.end();
      db = await openPostgresDatabase({ connectionString: POSTGRES_TEST_URL, schema, maxConnections: 4 });
    }
    this.opened.push(db);
    return db;
  }

  async closeAll(): Promise<void> {
    for (const db of this.opened.splice(0)) await db.close();
    if (this.kind === 'postgres' && this.schemas.length > 0) {
      const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL });
      await admin.connect();
      for (const schema of this.schemas.splice(0)) await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
    await this.pglite?.close();
    this.pglite = undefined;
  }
}

/**
 * Runs the same suite on PGlite and on the PostgreSQL server (or only on the `kinds` given: what needs
 * a server, such as outages, runs on PostgreSQL alone). Without a reachable PostgreSQL the server
 * variant is skipped with a warning, except under CI=true, where it fails.
 */
export function describeEachStore(
  title: string,
  suite: (stores: TestStores) => void,
  kinds: readonly StoreKind[] = ['pglite', 'postgres'],
): void {
  for (const kind of kinds) {
    const name = `${title} [${kind}]`;
    if (kind === 'postgres' && !postgresUp) {
      if (REQUIRED) {
        describe(name, () => {
          it('needs a reachable PostgreSQL server under CI=true', () => {
            throw new Error(`PostgreSQL is required under CI=true but ${POSTGRES_TEST_URL} is unreachable`);
          });
        });
      } else {
        console.warn(`skipping "${name}": PostgreSQL at ${POSTGRES_TEST_URL} is unreachable`);
        describe.skip(name, () => suite(new TestStores(kind)));
      }
      continue;
    }
    describe(name, () => {
      const stores = new TestStores(kind);
      afterAll(() => stores.closeAll());
      suite(stores);
    });
  }
}
