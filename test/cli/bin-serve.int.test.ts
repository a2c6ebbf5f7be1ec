import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { referenceCatalogYaml } from '../fixtures/reference-catalog.js';
import { cloudEvent } from '../harness/events.js';
import { describeEachStore } from '../harness/stores.js';
import {
  close,
  deadPid,
  freePort,
  freshStores,
  listen,
  recentEvent,
  SCHEMAS_PATH,
  setUpBinTests,
  writeConfig,
} from './bin-support.js';
import { serve, spawnServe, startServer } from './serve-process.js';

setUpBinTests();

describeEachStore('meterbridge bin', (stores) => {
  const kind = stores.kind;
  const freshStore = freshStores(kind);

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
