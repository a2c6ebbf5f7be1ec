import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { referenceCatalogYaml } from '../fixtures/reference-catalog.js';
import { cloudEvent } from '../harness/events.js';
import { describeEachStore, POSTGRES_TEST_URL } from '../harness/stores.js';

// End to end through the published entry point: a real `node bin/meterbridge.js` child process, so
// argument parsing, exit codes, stdout/stderr, signals and the data directory lock are what an
// operator gets. The bin runs dist/, which `npm test` (and whoever runs this file) builds first.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'meterbridge.js');
const LOCK_FILE = 'meterbridge.pid';
const MIGRATIONS = readdirSync(join(ROOT, 'migrations'))
  .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
  .sort();
const LISTENING = /Meterbridge listening on (http:\/\/\S+:(\d+)) /;
const SCHEMAS_PATH = '/v1/event-types/x/schemas';

const work = mkdtempSync(join(tmpdir(), 'mb-bin-'));

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'cli.js')))
    throw new Error('dist/ is missing: run `npm run build` before these tests');
});

type Child = ChildProcessByStdio<null, Readable, Readable>;
const children = new Set<Child>();

interface BinResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface RunOptions {
  env?: Record<string, string>;
  /** The child is killed and the run fails past this bound, so a hang fails the test instead of the suite. */
  timeoutMs?: number;
}

/** The test runner's environment without any MB_* setting a developer may have exported. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MB_')));
  return { ...env, ...extra };
}

function spawnBin(args: readonly string[], env?: Record<string, string>): Child {
  // cwd is a scratch directory, so a forgotten --data-dir never creates ./.meterbridge in the repository.
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: work,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('close', () => children.delete(child));
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  return child;
}

function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/** Runs `meterbridge ...args` to completion. */
function runBin(args: readonly string[], options: RunOptions = {}): Promise<BinResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const started = performance.now();
  const child = spawnBin(args, options.env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `meterbridge ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** A `meterbridge serve` child process that has printed its listening line. */
class ServeProcess {
  private out = '';
  private err = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  url = '';
  port = 0;

  constructor(
    readonly child: Child,
    /** Shared servers live for a describe block; the others are killed after each test. */
    readonly shared: boolean,
  ) {
    child.stdout.on('data', (chunk: string) => (this.out += chunk));
    child.stderr.on('data', (chunk: string) => (this.err += chunk));
    this.exited = new Promise((resolvePromise) =>
      child.once('close', (code, signal) => resolvePromise({ code, signal })),
    );
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until stdout or stderr matches `pattern`; fails (killing the process) if it exits or times out first. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.out) ?? pattern.exec(this.err);
      if (match) return match;
      if (!this.running || Date.now() > deadline) {
        this.child.kill('SIGKILL');
        throw new Error(
          `serve never printed ${pattern} (${this.running ? `timeout ${timeoutMs} ms` : `exit ${this.child.exitCode}`})\nstdout: ${this.out}\nstderr: ${this.err}`,
        );
      }
      await new Promise((wake) => setTimeout(wake, 25));
    }
  }

  async waitUntilListening(timeoutMs: number): Promise<void> {
    const match = await this.waitFor(LISTENING, timeoutMs);
    this.url = match[1] as string;
    this.port = Number(match[2]);
  }

  /** Sends `signal` and waits for the exit; past `timeoutMs` the process is killed and the stop fails. */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
    timeoutMs = 10_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const started = performance.now();
    if (this.running) this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(
          new Error(`serve did not stop within ${timeoutMs} ms of ${signal}\nstdout: ${this.out}\nstderr: ${this.err}`),
        );
      }, timeoutMs);
    });
    try {
      const exit = await Promise.race([this.exited, timeout]);
      return { ...exit, ms: performance.now() - started };
    } finally {
      clearTimeout(timer);
    }
  }

  /** A request to the server; `key` is sent as a bearer token, `null` sends none. */
  request(path: string, options: { key: string | null; method?: string; json?: unknown }): Promise<Response> {
    const headers = new Headers();
    if (options.key !== null) headers.set('authorization', `Bearer ${options.key}`);
    if (options.json !== undefined) headers.set('content-type', 'application/json');
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    return fetch(`${this.url}${path}`, {
      method: options.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
  }
}

const servers = new Set<ServeProcess>();

/** Spawns `meterbridge serve ...args` without waiting for it. */
function spawnServe(
  args: readonly string[],
  options: { env?: Record<string, string>; shared?: boolean } = {},
): ServeProcess {
  const server = new ServeProcess(spawnBin(['serve', ...args], options.env), options.shared ?? false);
  servers.add(server);
  return server;
}

/** Starts `meterbridge serve ...args` and waits for the `listening on http://...` line. */
async function startServer(
  args: readonly string[],
  options: { env?: Record<string, string>; shared?: boolean; timeoutMs?: number } = {},
): Promise<ServeProcess> {
  const server = spawnServe(args, options);
  await server.waitUntilListening(options.timeoutMs ?? 30_000);
  return server;
}

/** `serve --port 0` on the given store. */
function serve(
  storeArgs: readonly string[],
  options: { env?: Record<string, string>; shared?: boolean } = {},
): Promise<ServeProcess> {
  return startServer(['--port', '0', ...storeArgs], options);
}

async function killServers(which: (server: ServeProcess) => boolean): Promise<void> {
  for (const server of [...servers].filter(which)) {
    servers.delete(server);
    if (server.running) await server.stop('SIGKILL', 5_000).catch(() => undefined);
  }
}

afterEach(() => killServers((server) => !server.shared));
afterAll(async () => {
  await killServers(() => true);
  killAll();
  rmSync(work, { recursive: true, force: true });
});

function writeConfig(name: string, settings: unknown): string {
  const path = join(work, name);
  writeFileSync(path, typeof settings === 'string' ? settings : toYaml(settings));
  return path;
}

function listen(port = 0): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolvePromise(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolvePromise) => server.close(() => resolvePromise()));
}

async function freePort(): Promise<number> {
  const server = await listen();
  const port = (server.address() as { port: number }).port;
  await close(server);
  return port;
}

/** The pid of a process that has exited: a pid file naming it is stale. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid as number;
  expect(() => process.kill(pid, 0)).toThrow();
  return pid;
}

function recentEvent(id: string): Record<string, unknown> {
  return cloudEvent({ id, time: new Date(Date.now() - 3_600_000).toISOString() });
}

const appliedAll = new RegExp(
  `^applied ${MIGRATIONS.length} migration\\(s\\): ${MIGRATIONS.join(', ').replace(/\./g, '\\.')}\\n$`,
);
const upToDate = `the store is up to date (${MIGRATIONS.length} migration(s) applied earlier)\n`;

// Independent short-lived processes: run side by side; assertions use the test's own `expect`.
describe.concurrent('meterbridge bin without a store', () => {
  it('--help lists the serve, migrate, keys and ingest commands', async ({ expect }) => {
    const result = await runBin(['--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    for (const command of ['serve', 'migrate', 'keys', 'ingest'])
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('--version prints the package version', async ({ expect }) => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await runBin(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('an unknown command exits non-zero and names it', async ({ expect }) => {
    const result = await runBin(['srve']);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: unknown command 'srve'/);
  });

  it('keys create --role bogus exits non-zero naming the allowed roles, before opening the store', async ({
    expect,
  }) => {
    const dataDir = join(work, 'never-created-by-keys');
    const result = await runBin(['keys', 'create', '--role', 'bogus', '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/'bogus' is invalid/);
    expect(result.stderr).toMatch(/ingest, read, finance, admin/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('keys create without --role fails, before opening the store', async ({ expect }) => {
    const dataDir = join(work, 'never-created-by-keys-without-role');
    const result = await runBin(['keys', 'create', '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/required option '--role <role>' not specified/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('serve reports every invalid flag and environment value together, each with its origin, and starts nothing', async ({
    expect,
  }) => {
    const dataDir = join(work, 'never-created-by-serve');
    const shortSecret = 'short-secret-value';
    const result = await runBin(['serve', '--port', '99999', '--max-event-bytes', '12', '--data-dir', dataDir], {
      env: { MB_MAX_BATCH_EVENTS: '0', MB_UNKNOWN_TYPES: 'maybe', MB_BOOTSTRAP_ADMIN_KEY: shortSecret },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      'error: invalid configuration (5 errors)',
      '  flag --port: must be an integer from 0 to 65535, got "99999"',
      '  env MB_BOOTSTRAP_ADMIN_KEY: must be at least 32 characters long',
      '  env MB_UNKNOWN_TYPES: must be one of accept, reject, got "maybe"',
      '  flag --max-event-bytes: must be an integer from 256 to 16777216, got "12"',
      '  env MB_MAX_BATCH_EVENTS: must be an integer from 1 to 1000000, got "0"',
      '',
    ]);
    // A rejected secret is not echoed back.
    expect(result.stderr).not.toContain(shortSecret);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('serve --port 99999 --unknown-types maybe with MB_MAX_BATCH_EVENTS=0 reports all three problems together with their origins', async ({
    expect,
  }) => {
    const dataDir = join(work, 'never-created-by-serve-choices');
    const result = await runBin(['serve', '--port', '99999', '--unknown-types', 'maybe', '--data-dir', dataDir], {
      env: { MB_MAX_BATCH_EVENTS: '0' },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(existsSync(dataDir)).toBe(false);
    expect(result.stderr).toMatch(/^error: invalid configuration \(3 errors\)\n/);
    expect(result.stderr).toContain('  flag --port: must be an integer from 0 to 65535, got "99999"\n');
    expect(result.stderr).toContain('  flag --unknown-types: must be one of accept, reject, got "maybe"\n');
    expect(result.stderr).toContain('  env MB_MAX_BATCH_EVENTS: must be an integer from 1 to 1000000, got "0"\n');
  });

  it('serve --config refuses a YAML file with an unknown setting or section, naming the file and each one', async ({
    expect,
  }) => {
    const dataDir = join(work, 'never-created-by-config');
    const file = writeConfig(
      'unknown-setting.yaml',
      'server:\n  port: 0\n  prot: 8080\ndatabse:\n  url: postgres://localhost/x\n',
    );
    const result = await runBin(['serve', '--config', file, '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error: invalid configuration (2 errors)\n' +
        `  file ${file}: server.prot: is not a known setting\n` +
        `  file ${file}: databse: is not a known section\n`,
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it('serve --database-url to a server that refuses connections fails with exit 1 and the reason, without hanging', async ({
    expect,
  }) => {
    const result = await runBin(['serve', '--port', '0', '--database-url', 'postgres://127.0.0.1:1/nope'], {
      timeoutMs: 15_000,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: .*ECONNREFUSED 127\.0\.0\.1:1/);
  });
});

describeEachStore('meterbridge bin', (stores) => {
  const kind = stores.kind;
  const databases: string[] = [];
  let storeCount = 0;

  interface Store {
    args: string[];
    /** PGlite only: the data directory, as the bin resolves it. */
    dataDir: string;
    lockFile: string;
  }

  /** A store nothing has touched: a data directory that does not exist yet, or a new PostgreSQL database. */
  async function freshStore(): Promise<Store> {
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
  }

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

  // One store through its life: migrate, keys create, serve, SIGTERM, migrate again. The steps share
  // the store and the server because each PGlite open costs 2-3 s; each step is its own test.
  describe('a store from migrate to shutdown', () => {
    let store: Store;
    let server: ServeProcess;
    let created: BinResult;

    beforeAll(async () => {
      store = await freshStore();
    });

    afterAll(() => killServers((candidate) => candidate === server));

    it('migrate on a new store applies 0001_init and says so', async () => {
      const result = await runBin(['migrate', ...store.args]);

      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(MIGRATIONS[0]).toBe('0001_init.sql');
      expect(result.stdout).toMatch(appliedAll);
      if (kind === 'pglite') expect(existsSync(store.lockFile)).toBe(false);
    });

    it('keys create --role ingest prints exactly one line, the key, on stdout and its message on stderr', async () => {
      if (kind === 'pglite') {
        // The embedded store is locked while serve runs, so the key is created first.
        created = await runBin(['keys', 'create', '--role', 'ingest', '--name', 'bin test', ...store.args]);
        server = await serve(store.args, { shared: true });
      } else {
        // PostgreSQL takes any number of processes: the key is created while the server runs.
        server = await serve(store.args, { shared: true });
        created = await runBin(['keys', 'create', '--role', 'ingest', '--name', 'bin test', ...store.args]);
      }

      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/^mb_ingest_[A-Za-z0-9_-]{32}\n$/);
      expect(created.stderr).toMatch(
        /^created API key key_[0-9a-f]{12} with role ingest; it is shown once, store it now:\n$/,
      );
    });

    it('the ingest key sends events to the running server and may not read', async () => {
      const ingestKey = created.stdout.trim();
      const sent = await server.request('/v1/events', { key: ingestKey, json: recentEvent('from-ingest-key') });
      expect(sent.status).toBe(200);
      expect(await sent.json()).toMatchObject({ accepted: 1, duplicates: 0 });
      expect((await server.request(SCHEMAS_PATH, { key: ingestKey })).status).toBe(403);
      expect((await server.request('/v1/events', { key: null, json: recentEvent('anonymous') })).status).toBe(401);
    });

    it.runIf(kind === 'pglite')(
      'a second process on the data directory fails fast with exit 1, naming the directory and the pid of the server',
      async () => {
        const expected = `error: the embedded store in ${store.dataDir} is in use by process ${server.pid}; stop it first, or run against PostgreSQL with --database-url\n`;

        // A run that opens no store at all, side by side, is the yardstick: on a busy machine both slow down.
        const [migrate, keys, baseline] = await Promise.all([
          runBin(['migrate', ...store.args], { timeoutMs: 10_000 }),
          runBin(['keys', 'create', '--role', 'read', ...store.args], { timeoutMs: 10_000 }),
          runBin(['--version'], { timeoutMs: 10_000 }),
        ]);

        for (const result of [migrate, keys]) {
          expect(result).toMatchObject({ code: 1, stdout: '', stderr: expected });
          // Refused at the lock, before the 2-3 s it takes to open the embedded database.
          expect(result.ms).toBeLessThan(baseline.ms + 1_500);
        }
        expect(readFileSync(store.lockFile, 'utf8')).toBe(String(server.pid));
        expect((await server.request(SCHEMAS_PATH, { key: null })).status).toBe(401);
      },
    );

    it.runIf(kind === 'postgres')(
      'other processes may use the PostgreSQL database while serve runs: migrate, keys create and a second serve',
      async () => {
        expect(await runBin(['migrate', ...store.args])).toMatchObject({ code: 0, stdout: upToDate, stderr: '' });
        const second = await serve(store.args);

        const readKey = await runBin(['keys', 'create', '--role', 'read', ...store.args]);
        expect(readKey.code).toBe(0);
        const key = readKey.stdout.trim();
        // A key created by one process works at once on both servers; an event sent to one is a duplicate on the other.
        expect((await server.request(SCHEMAS_PATH, { key })).status).toBe(404);
        expect((await second.request(SCHEMAS_PATH, { key })).status).toBe(404);
        const ingestKey = created.stdout.trim();
        const event = recentEvent('on-both-servers');
        expect(await (await server.request('/v1/events', { key: ingestKey, json: event })).json()).toMatchObject({
          accepted: 1,
        });
        expect(await (await second.request('/v1/events', { key: ingestKey, json: event })).json()).toMatchObject({
          accepted: 0,
          duplicates: 1,
        });
        expect(await second.stop('SIGTERM')).toMatchObject({ code: 0, signal: null });
      },
    );

    it('SIGTERM stops the server within a few seconds with exit 0, and migrate, run right after, says the store is up to date', async () => {
      const stopped = await server.stop('SIGTERM');
      expect(stopped).toMatchObject({ code: 0, signal: null });
      expect(stopped.ms).toBeLessThan(5_000);
      expect(server.stdout).toContain('"msg":"shutting down"');
      if (kind === 'pglite') expect(existsSync(store.lockFile)).toBe(false);

      expect(await runBin(['migrate', ...store.args])).toMatchObject({ code: 0, stdout: upToDate, stderr: '' });
    });
  });

  it('ingest FILE stores 3 good NDJSON lines and rejects 1 (exit 2, summary, side file); a re-run reports duplicates', async () => {
    const store = await freshStore();
    const file = join(work, `events-${kind}.ndjson`);
    const sideFile = `${file}.rejected.ndjson`;
    const lines = [
      JSON.stringify(recentEvent('bin-1')),
      JSON.stringify(recentEvent('bin-2')),
      '{"id": "broken",',
      JSON.stringify(recentEvent('bin-3')),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const expectedRejects = [
      {
        line: 3,
        errors: [{ path: '', message: expect.stringMatching(/^line 3 is not valid JSON/) }],
        raw: '{"id": "broken",',
      },
    ];
    const readRejects = () =>
      readFileSync(sideFile, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown);

    const first = await runBin(['ingest', file, ...store.args]);

    expect(first.code).toBe(2);
    expect(first.stdout).toMatch(
      /^accepted 3, duplicates 0 \(conflicts 0\), rejected 1 in \d+\.\d\d s \(\d+ events\/s\)\n$/,
    );
    expect(first.stderr).toBe(`wrote 1 rejected or conflicting line(s) to ${sideFile}\n`);
    expect(readRejects()).toEqual(expectedRejects);

    rmSync(sideFile);
    const again = await runBin(['ingest', file, ...store.args]);

    expect(again.code).toBe(2);
    expect(again.stdout).toMatch(/^accepted 0, duplicates 3 \(conflicts 0\), rejected 1 in /);
    expect(again.stderr).toBe(`wrote 1 rejected or conflicting line(s) to ${sideFile}\n`);
    expect(readRejects()).toEqual(expectedRejects);
  });

  it(
    kind === 'pglite'
      ? 'serve on a new store prints the bootstrap admin key once and it authenticates; after SIGTERM (lock released) a restart over a stale pid file prints none'
      : 'serve on a new store prints the bootstrap admin key once and it authenticates; after SIGTERM a restart prints none',
    async () => {
      const store = await freshStore();
      const first = await serve(store.args);

      const printed = first.stdout.match(/mb_admin_[A-Za-z0-9_-]+/g) ?? [];
      expect(printed).toHaveLength(1);
      const adminKey = printed[0] as string;
      expect(first.stdout).toContain(`created the first admin API key (shown once, store it now):\n\n  ${adminKey}\n`);
      expect(first.stderr).not.toContain(adminKey);

      const withKey = await first.request(SCHEMAS_PATH, { key: adminKey });
      expect(withKey.status).toBe(404);
      expect(withKey.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await withKey.json()).toMatchObject({ status: 404, title: 'Not Found' });
      const without = await first.request(SCHEMAS_PATH, { key: null });
      expect(without.status).toBe(401);
      expect(without.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await first.request(SCHEMAS_PATH, { key: `mb_admin_${'x'.repeat(32)}` })).status).toBe(401);

      if (kind === 'pglite') expect(readFileSync(store.lockFile, 'utf8')).toBe(String(first.pid));
      expect(await first.stop('SIGTERM')).toMatchObject({ code: 0, signal: null });
      if (kind === 'pglite') {
        expect(existsSync(store.lockFile)).toBe(false);
        // A process killed without a chance to clean up leaves its pid behind; the next start takes it over.
        writeFileSync(store.lockFile, String(deadPid()));
      }

      // Given a config file naming a port that is taken, --port 0 on the command line must win over it.
      const taken = await listen();
      try {
        const takenPort = (taken.address() as { port: number }).port;
        const config = writeConfig(`taken-port-${kind}.yaml`, { server: { port: takenPort } });
        const again = await serve([...store.args, '--config', config]);
        expect(again.port).not.toBe(takenPort);
        expect(again.stdout).not.toMatch(/mb_admin_|admin API key/);
        if (kind === 'pglite') expect(readFileSync(store.lockFile, 'utf8')).toBe(String(again.pid));
        expect((await again.request(SCHEMAS_PATH, { key: adminKey })).status).toBe(404);
        expect(await again.stop('SIGTERM')).toMatchObject({ code: 0, signal: null });
      } finally {
        await close(taken);
      }
    },
  );

  it('serve meters in the background: killed mid-stream and restarted, every event is counted exactly once', async () => {
    const store = await freshStore();
    const secret = `preset-admin-${randomBytes(24).toString('hex')}`;
    const env = { MB_BOOTSTRAP_ADMIN_KEY: secret };
    const args = [...store.args, '--metering-batch-size', '100', '--metering-poll-ms', '20'];
    let server = await serve(args, { env });
    const applied = await fetch(`${server.url}/v1/catalog`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/yaml' },
      body: referenceCatalogYaml(),
    });
    expect(applied.status).toBe(201);
    const time = new Date(Date.now() - 3_600_000).toISOString();
    const events = Array.from({ length: 3000 }, (_, i) =>
      cloudEvent({
        id: `metered-${i}`,
        type: 'com.example.api.request',
        subject: 'acct_1001',
        time,
        data: { status: 200, billable: true, region: 'us' },
      }),
    );
    for (let i = 0; i < events.length; i += 1000) {
      const sent = await server.request('/v1/events', { key: secret, json: events.slice(i, i + 1000) });
      expect(sent.status).toBe(200);
    }
    // Killed without warning while the worker is (most likely) between batches or inside one.
    expect(await server.stop('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
    server = await serve(args, { env });
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const counted = async () => {
      const response = await server.request(`/v1/usage?meter=api_calls&from=${from}&to=${to}`, { key: secret });
      const body = (await response.json()) as { rows: { value: string }[] };
      return body.rows.reduce((sum, row) => sum + Number(row.value), 0);
    };
    await expect.poll(counted, { timeout: 20_000, interval: 200 }).toBe(3000);
    const metrics = await (await server.request('/metrics', { key: null })).text();
    expect(metrics).toMatch(/^meterbridge_metering_lag_events 0$/m);
    expect(await server.stop('SIGTERM')).toMatchObject({ code: 0, signal: null });
  });

  it('with MB_BOOTSTRAP_ADMIN_KEY a new store prints no secret and that key works; a YAML config file sets the port, flags win over it', async () => {
    const store = await freshStore();
    const secret = `preset-admin-${randomBytes(24).toString('hex')}`;
    const port = await freePort();
    // The file allows one event per request; the flag allows three, and flags win over the file.
    const config = writeConfig(`port-${kind}.yaml`, { server: { port }, ingestion: { maxBatchEvents: 1 } });

    const server = await startServer(
      [...store.args, '--config', config, '--max-batch-events', '3', '--log-level', 'trace'],
      { env: { MB_BOOTSTRAP_ADMIN_KEY: secret } },
    );

    expect(server.port).toBe(port);
    // Logs are written asynchronously: the line may arrive just after the "listening" line.
    await expect
      .poll(() => server.stdout, { timeout: 5_000 })
      .toContain('registered the admin key given in MB_BOOTSTRAP_ADMIN_KEY');
    expect(server.stdout).not.toMatch(/mb_admin_|admin API key/);
    expect((await server.request(SCHEMAS_PATH, { key: secret })).status).toBe(404);
    expect((await server.request(SCHEMAS_PATH, { key: `${secret}x` })).status).toBe(401);
    const batch = await server.request('/v1/events', {
      key: secret,
      json: [recentEvent('env-1'), recentEvent('env-2')],
    });
    expect(batch.status).toBe(200);
    expect(await batch.json()).toMatchObject({ accepted: 2 });
    expect(await server.stop('SIGTERM')).toMatchObject({ code: 0, signal: null });

    expect(server.stdout).not.toContain(secret);
    expect(server.stderr).not.toContain(secret);
  });

  it.runIf(kind === 'pglite')('an empty pid file is taken over like a stale one', async () => {
    const store = await freshStore();
    mkdirSync(store.dataDir, { recursive: true });
    writeFileSync(store.lockFile, '');

    const result = await runBin(['migrate', ...store.args]);

    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it('serve on a port already in use exits 1 right after reporting it, and releases the store', async () => {
    const store = await freshStore();
    const taken = await listen();
    try {
      const port = String((taken.address() as { port: number }).port);
      const server = spawnServe(['--port', port, ...store.args]);
      await server.waitFor(/EADDRINUSE/, 30_000);
      const exit = await Promise.race([
        server.exited,
        new Promise((wake) => setTimeout(() => wake('still running 2 s after the error'), 2_000)),
      ]);
      expect(exit).toEqual({ code: 1, signal: null });
      if (kind === 'pglite') expect(existsSync(store.lockFile)).toBe(false);
    } finally {
      await close(taken);
    }
  });
});
