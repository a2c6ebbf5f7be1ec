import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '../harness/stores.js';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.js';
import { adminClient, databaseUrl, newBatch, postgresTarget, sleep, uniqueApplicationName } from './outage-support.js';

// The published `meterbridge serve` as an operator runs it, on PostgreSQL through a proxy this test
// cuts: the process must stay up through the outage, recover without a restart, and still stop
// cleanly on SIGTERM. It runs dist/, which `npm test` builds first.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'meterbridge.js');
const ADMIN_KEY = `mb_outage_${randomBytes(24).toString('hex')}`;
const LISTENING = /Meterbridge listening on (http:\/\/\S+) /;

type Child = ChildProcessByStdio<null, Readable, Readable>;

interface Answer {
  status: number;
  retryAfter: string | null;
}

describeEachStore(
  'meterbridge serve through a database outage',
  () => {
    const work = mkdtempSync(join(tmpdir(), 'mb-serve-outage-'));
    const database = `mb_outage_${randomBytes(6).toString('hex')}`;
    let admin: pg.Client;
    let proxy: TcpProxy;
    let child: Child | undefined;
    let stdout = '';
    let stderr = '';

    beforeAll(async () => {
      if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'cli.js')))
        throw new Error('dist/ is missing: run `npm run build` before these tests');
      admin = await adminClient();
      await admin.query(`create database ${database}`);
      proxy = await startTcpProxy(postgresTarget());
    });
    afterAll(async () => {
      child?.kill('SIGKILL');
      await proxy?.close();
      await admin?.query(`drop database if exists ${database} with (force)`);
      await admin?.end();
      rmSync(work, { recursive: true, force: true });
    });

    const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
    const waitFor = async (condition: () => boolean, timeoutMs: number, what: string) => {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > deadline)
          throw new Error(`${what} within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`);
        await sleep(25);
      }
    };
    const lines = () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; time: number; msg: string; stage?: string });
    const meteringSays = (prefix: string, since: number) =>
      lines().filter((line) => line.stage === 'metering' && line.time >= since && line.msg.startsWith(prefix)).length;

    it('stays up while the database is cut, answers 503 meanwhile, recovers by itself, and still stops cleanly on SIGTERM', async () => {
      const applicationName = uniqueApplicationName('serve');
      const proxied = databaseUrl(applicationName, { port: proxy.port, database });
      child = spawn(
        process.execPath,
        [BIN, 'serve', '--port', '0', '--database-url', proxied, '--metering-poll-ms', '50'],
        {
          cwd: work,
          env: {
            ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MB_'))),
            MB_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
            MB_LOG_LEVEL: 'info',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child?.once('close', (code, signal) => resolve({ code, signal })),
      );
      await waitFor(() => LISTENING.test(stdout) || !running(), 30_000, 'serve did not start listening');
      const base = (LISTENING.exec(stdout) as RegExpExecArray)[1] as string;
      // No answer at all (the process died) is status 0, so the assertions below say what happened.
      const post = async (): Promise<Answer> => {
        try {
          const response = await fetch(`${base}/v1/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify(newBatch(10)),
            signal: AbortSignal.timeout(15_000),
          });
          await response.arrayBuffer();
          return { status: response.status, retryAfter: response.headers.get('retry-after') };
        } catch {
          return { status: 0, retryAfter: null };
        }
      };
      const probe = async (path: string) =>
        (await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) })).status;
      expect(await post()).toEqual({ status: 200, retryAfter: null });

      // When its sessions are ended again and again (what a PostgreSQL restart does) under load,
      let loading = true;
      const loaded: Answer[] = [];
      const load = Promise.all(
        [1, 2, 3].map(async () => {
          while (loading) loaded.push(await post());
        }),
      );
      let terminated = 0;
      for (let round = 0; round < 8; round += 1) {
        await sleep(200);
        const { rows } = await admin.query<{ n: number }>(
          `select count(*) filter (where pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = $1`,
          [applicationName],
        );
        terminated += rows[0]?.n ?? 0;
      }
      loading = false;
      await load;
      // the process stays up and answers 200, or 503 with Retry-After, never anything else;
      expect(running(), `serve exited: ${stderr}`).toBe(true);
      expect(terminated).toBeGreaterThan(0);
      expect(
        loaded.filter((answer) => !(answer.status === 200 || (answer.status === 503 && answer.retryAfter === '5'))),
      ).toEqual([]);

      // when, once the metering worker has resumed after that, the database goes away for 3 s,
      await waitFor(
        () => meteringSays('stage paused', 0) === meteringSays('stage resumed', 0),
        8000,
        'the metering worker did not resume after the terminations',
      );
      // From here on the worker is counted: a connection the terminations left broken may pause it just
      // before the cut, and that pause is then the cut's (one warning for the whole outage).
      const calmWall = Date.now();
      const cutWall = Date.now();
      await proxy.cut();
      const during: Answer[] = [];
      const probes: Array<[string, number]> = [];
      for (const cutAt = Date.now(); Date.now() - cutAt < 3000;) {
        during.push(await post());
        probes.push(['/readyz', await probe('/readyz')], ['/healthz', await probe('/healthz')]);
        await sleep(100);
      }
      // the process stays up, answers 503 with Retry-After, is not ready but alive,
      expect(running()).toBe(true);
      expect(during.filter((answer) => answer.status !== 503 || answer.retryAfter !== '5')).toEqual([]);
      expect(probes.filter(([path, status]) => status !== (path === '/readyz' ? 503 : 200))).toEqual([]);

      // and once the database is back, serves again without a restart, its workers resumed.
      await proxy.restore();
      const restoredAt = Date.now();
      let recovered = false;
      while (!recovered && Date.now() - restoredAt < 10_000) {
        recovered = (await post()).status === 200 && (await probe('/readyz')) === 200;
        if (!recovered) await sleep(50);
      }
      const recoveryMs = Date.now() - restoredAt;
      expect(recovered).toBe(true);
      await waitFor(() => meteringSays('stage resumed', cutWall) === 1, 8000, 'the metering worker did not resume');
      // (it warned once for the whole outage, not once per attempt, and nothing logged an error).
      expect(
        lines()
          .filter((line) => line.stage === 'metering' && line.time >= calmWall && line.level === 40)
          .map((line) => line.msg),
      ).toEqual(['stage paused: the database is unavailable; retrying with backoff']);
      expect(lines().filter((line) => line.level >= 50)).toEqual([]);
      // Every connection error was handled where it happened: none reached the process-wide guard.
      expect(lines().filter((line) => line.msg.includes('escaped its caller'))).toEqual([]);

      // A SIGTERM in the middle of another outage still stops it at once, with exit 0.
      await proxy.cut();
      await sleep(300);
      const stopAt = Date.now();
      child.kill('SIGTERM');
      const exit = await Promise.race([exited, sleep(15_000).then(() => ({ code: -1, signal: null }))]);
      expect(exit).toEqual({ code: 0, signal: null });
      console.log(
        `serve child: ${loaded.length} posts while ${terminated} sessions were terminated (${loaded.filter((answer) => answer.status === 503).length} answered 503); ` +
          `${during.length} posts during a 3 s cut, all 503 + Retry-After 5; ${probes.length / 2} readiness probes 503, liveness 200; ` +
          `recovered ${recoveryMs} ms after reopening; SIGTERM during a second cut exited 0 in ${Date.now() - stopAt} ms`,
      );
      await proxy.restore();
    });
  },
  ['postgres'],
);
