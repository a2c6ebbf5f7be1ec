import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { cloudEvent } from '../harness/events.js';
import { POSTGRES_TEST_URL, type StoreKind } from '../harness/stores.js';
import { killAll, ROOT, work } from './run-bin.js';
import { killServers } from './serve-process.js';

export const LOCK_FILE = 'meterbridge.pid';
export const MIGRATIONS = readdirSync(join(ROOT, 'migrations'))
  .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
  .sort();
export const SCHEMAS_PATH = '/v1/event-types/x/schemas';

/**
 * The hooks of a file of bin tests: dist/ must be built; a server a test started is killed after it
 * (unless shared by a describe block); every process and the scratch directory go after the file.
 */
export function setUpBinTests(): void {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'cli.js')))
      throw new Error('dist/ is missing: run `npm run build` before these tests');
  });
  afterEach(() => killServers((server) => !server.shared));
  afterAll(async () => {
    await killServers(() => true);
    killAll();
    rmSync(work, { recursive: true, force: true });
  });
}

export interface Store {
  args: string[];
  /** PGlite only: the data directory, as the bin resolves it. */
  dataDir: string;
  lockFile: string;
}

/**
 * Hands out stores nothing has touched, of one kind: a data directory that does not exist yet, or a
 * new PostgreSQL database. Called in a describe block, after which its servers stop and its databases
 * are dropped.
 */
export function freshStores(kind: StoreKind): () => Promise<Store> {
  const databases: string[] = [];
  let storeCount = 0;

  afterAll(async () => {
    await killServers(() => true);
    if (databases.length === 0) return;
    const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL });
    await admin.connect();
    try {
      for (const name of databases.splice(0)) await admin.query(`drop database if exists ${name} with (force)`);
    } finally {
      await admin.end();
    }
  });

  return async function freshStore(): Promise<Store> {
    storeCount += 1;
    if (kind === 'pglite') {
      const dataDir = resolve(work, `store-${storeCount}`);
      return { args: ['--data-dir', dataDir], dataDir, lockFile: join(dataDir, LOCK_FILE) };
    }
    const name = `mb_cli_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL });
    await admin.connect();
    try {
      await admin.query(`create database ${name}`);
    } finally {
      await admin.end();
    }
    databases.push(name);
    const url = new URL(POSTGRES_TEST_URL);
    url.pathname = `/${name}`;
    return { args: ['--database-url', url.toString()], dataDir: '', lockFile: '' };
  };
}

export function writeConfig(name: string, settings: unknown): string {
  const path = join(work, name);
  writeFileSync(path, typeof settings === 'string' ? settings : toYaml(settings));
  return path;
}

export function listen(port = 0): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolvePromise(server));
  });
}

export function close(server: Server): Promise<void> {
  return new Promise((resolvePromise) => server.close(() => resolvePromise()));
}

export async function freePort(): Promise<number> {
  const server = await listen();
  const port = (server.address() as { port: number }).port;
  await close(server);
  return port;
}

/** The pid of a process that has exited: a pid file naming it is stale. */
export function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid as number;
  expect(() => process.kill(pid, 0)).toThrow();
  return pid;
}

export function recentEvent(id: string): Record<string, unknown> {
  return cloudEvent({ id, time: new Date(Date.now() - 3_600_000).toISOString() });
}

export const appliedAll = new RegExp(
  `^applied ${MIGRATIONS.length} migration\\(s\\): ${MIGRATIONS.join(', ').replace(/\./g, '\\.')}\\n$`,
);
export const upToDate = `the store is up to date (${MIGRATIONS.length} migration(s) applied earlier)\n`;
