import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultSettings } from './emulator-options.js';
import { journalEntryBody, tbaRequest } from '../../../test/harness/netsuite-emulator-client.js';
import { startNetSuiteEmulator, type NetSuiteEmulator } from './netsuite-emulator.js';

// Each fault a connector must survive, seen from the client's side, and what it leaves in the store.

const started: NetSuiteEmulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((emulator) => emulator.close()));
});

async function emulatorWith(faults: Partial<FaultSettings>, seed = 7): Promise<NetSuiteEmulator> {
  const emulator = await startNetSuiteEmulator({ faults, seed });
  started.push(emulator);
  return emulator;
}

const limits = (emulator: NetSuiteEmulator) =>
  tbaRequest(emulator.url, emulator.credentials, { path: 'system/v1/governanceLimits' });
const createJournal = (emulator: NetSuiteEmulator, externalId: string, signal?: AbortSignal) =>
  tbaRequest(emulator.url, emulator.credentials, {
    method: 'PUT',
    path: `record/v1/journalEntry/eid:${externalId}`,
    json: journalEntryBody(externalId),
    signal,
  });

/** The error a failed fetch carries underneath "fetch failed". */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
    return cause?.code ?? (error instanceof Error ? error.name : String(error));
  }
  return 'answered';
}

describe('NetSuite emulator faults', () => {
  it('answers 429 CONCURRENCY_LIMIT_EXCEEDED without Retry-After past the concurrency limit', async () => {
    const emulator = await emulatorWith({ concurrency: 2, latencyMs: 200 });
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => limits(emulator)));
    const refused = answers.filter((answer) => answer.status === 429);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(2);
    expect(refused).toHaveLength(3);
    for (const answer of refused) {
      expect(answer.headers.get('retry-after')).toBeNull();
      expect(answer.body).toMatchObject({
        status: 429,
        'o:errorDetails': [{ 'o:errorCode': 'CONCURRENCY_LIMIT_EXCEEDED' }],
      });
    }
    expect(emulator.stats().outcomes).toMatchObject({ ok: 2, concurrencyLimited: 3 });
    // The slots are given back once the answers are out.
    expect((await limits(emulator)).status).toBe(200);
  });

  it('answers 429 past the requests-per-second limit', async () => {
    const emulator = await emulatorWith({ ratePerSecond: 3 });
    const statuses = [];
    for (let n = 0; n < 5; n += 1) statuses.push((await limits(emulator)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(emulator.stats().outcomes.rateLimited).toBe(2);
  });

  it('adds latency before answering', async () => {
    const emulator = await emulatorWith({ latencyMs: 250 });
    const start = Date.now();
    expect((await limits(emulator)).status).toBe(200);
    expect(Date.now() - start).toBeGreaterThanOrEqual(240);
  });

  it('answers random 500, 502 and 503, JSON or HTML, repeatably for a seed, and commits nothing', async () => {
    const run = async () => {
      const emulator = await emulatorWith({ errorRate: 0.5 }, 42);
      const statuses = [];
      for (let n = 0; n < 24; n += 1) statuses.push((await createJournal(emulator, `err-${n}`)).status);
      return { statuses, emulator };
    };
    const first = await run();
    const second = await run();
    expect(first.statuses).toEqual(second.statuses);
    const failed = first.statuses.filter((status) => status >= 500);
    expect(failed.length).toBeGreaterThan(4);
    expect(new Set(failed)).toEqual(new Set([500, 502, 503]));
    expect(first.emulator.records()).toHaveLength(first.statuses.length - failed.length);
    expect(first.emulator.stats().outcomes.injectedError).toBe(failed.length);
  });

  it('answers 503 during an outage window and recovers when it ends', async () => {
    const emulator = await emulatorWith({});
    emulator.setFaults({ outage: { mode: '503', untilMs: Date.now() + 300 } });
    const during = await limits(emulator);
    expect(during.status).toBe(503);
    expect(during.headers.get('content-type')).toMatch(/text\/html/);
    await sleep(350);
    expect((await limits(emulator)).status).toBe(200);
  });

  it('refuses connections during a refuse outage and listens again when it ends', async () => {
    const emulator = await emulatorWith({});
    emulator.setFaults({ outage: { mode: 'refuse', untilMs: Date.now() + 400 } });
    expect(['ECONNREFUSED', 'UND_ERR_SOCKET', 'ECONNRESET']).toContain(await failure(limits(emulator)));
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(emulator.port, '127.0.0.1');
      socket.once('connect', () => resolve('connected'));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    await sleep(500);
    expect((await limits(emulator)).status).toBe(200);
  });

  it('answers slower than the client waits, the record committed all the same', async () => {
    const emulator = await emulatorWith({ slowMs: 600 });
    expect(await failure(createJournal(emulator, 'slow-1', AbortSignal.timeout(150)))).toBe('TimeoutError');
    expect(emulator.records()).toMatchObject([{ externalId: 'slow-1' }]);
    expect(emulator.stats().outcomes.slowed).toBe(1);
  });

  it('commits, then drops the connection: the client sees a socket error, the record exists, an upsert retry keeps one', async () => {
    const emulator = await emulatorWith({ dropAfterCommitRate: 1 });
    const seen = await failure(createJournal(emulator, 'dropped-1'));
    expect(['UND_ERR_SOCKET', 'ECONNRESET']).toContain(seen);
    expect(emulator.records()).toMatchObject([{ externalId: 'dropped-1' }]);
    expect(emulator.stats().outcomes.droppedAfterCommit).toBe(1);

    emulator.setFaults({ dropAfterCommitRate: 0 });
    expect((await createJournal(emulator, 'dropped-1')).status).toBe(204);
    expect(emulator.records()).toHaveLength(1);
  });

  it('never drops a read: commit-then-drop applies to writes only', async () => {
    const emulator = await emulatorWith({ dropAfterCommitRate: 1 });
    expect((await limits(emulator)).status).toBe(200);
  });
});

describe('NetSuite emulator admin endpoint', () => {
  const admin = async (emulator: NetSuiteEmulator, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}/__emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: response.status === 204 ? undefined : await response.json() };
  };

  it('shows and changes faults, lists records, counts requests and resets', async () => {
    const emulator = await emulatorWith({ concurrency: 3 });
    expect((await admin(emulator, 'GET', 'faults')).body).toMatchObject({ concurrency: 3, errorRate: 0, outage: null });

    const changed = await admin(emulator, 'PUT', 'faults', { errorRate: 1, outage: { mode: '503', forMs: 60_000 } });
    expect(changed.body).toMatchObject({ errorRate: 1, outage: { mode: '503' } });
    expect((await limits(emulator)).status).toBe(503);
    await admin(emulator, 'PUT', 'faults', { errorRate: 0, outage: null });
    await createJournal(emulator, 'admin-1');

    expect((await admin(emulator, 'GET', 'records')).body).toMatchObject({
      items: [{ type: 'journalEntry', externalId: 'admin-1', line: { items: [{ debit: 187 }, { credit: 187 }] } }],
    });
    expect((await admin(emulator, 'GET', 'stats')).body).toMatchObject({ requests: 2, outcomes: { outage: 1, ok: 1 } });

    expect((await admin(emulator, 'POST', 'reset')).status).toBe(204);
    expect(emulator.records()).toEqual([]);
    expect(emulator.stats().requests).toBe(0);
  });

  it('refuses bad settings, naming every problem, and changes nothing', async () => {
    const emulator = await emulatorWith({});
    const refused = await admin(emulator, 'PUT', 'faults', { errorRate: 2, latencyMs: -1, colour: 'red' });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ problems: [expect.any(String), expect.any(String), expect.any(String)] });
    expect(emulator.faults().errorRate).toBe(0);
  });
});
