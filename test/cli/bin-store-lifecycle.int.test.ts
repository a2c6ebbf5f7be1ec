import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachStore } from '../harness/stores.js';
import {
  appliedAll,
  freshStores,
  MIGRATIONS,
  recentEvent,
  SCHEMAS_PATH,
  setUpBinTests,
  upToDate,
  type Store,
} from './bin-support.js';
import { runBin, type BinResult } from './run-bin.js';
import { killServers, serve, type ServeProcess } from './serve-process.js';

setUpBinTests();

describeEachStore('meterbridge bin', (stores) => {
  const kind = stores.kind;
  const freshStore = freshStores(kind);

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
});
