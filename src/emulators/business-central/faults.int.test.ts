import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startBusinessCentralEmulator, type BusinessCentralEmulator } from './business-central-emulator.js';
import type { FaultSettings } from './emulator-options.js';

// Each fault a connector must survive, seen from the client's side, and what it leaves in the company.

const started: BusinessCentralEmulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((emulator) => emulator.close()));
});

async function emulatorWith(faults: Partial<FaultSettings>, seed = 7): Promise<BusinessCentralEmulator> {
  const emulator = await startBusinessCentralEmulator({ faults, seed });
  started.push(emulator);
  return emulator;
}

async function tokenFor(emulator: BusinessCentralEmulator): Promise<string> {
  const response = await fetch(emulator.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: emulator.credentials.clientId,
      client_secret: emulator.credentials.clientSecret,
      scope: 'https://api.businesscentral.dynamics.com/.default',
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function call(
  emulator: BusinessCentralEmulator,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<Answer> {
  const { tenant, environment } = emulator.credentials;
  const response = await fetch(
    `${emulator.url}/v2.0/${tenant}/${environment}/api/v2.0/companies(${emulator.company.id})/${path}`,
    {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    },
  );
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const list = (emulator: BusinessCentralEmulator, token: string) => call(emulator, token, 'GET', 'generalLedgerEntries');
const createJournal = (emulator: BusinessCentralEmulator, token: string, code: string, signal?: AbortSignal) =>
  call(emulator, token, 'POST', 'journals', { code }, signal);

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

describe('Business Central emulator faults', () => {
  it('answers 429 Application_TooManyRequests past the simultaneous-request limit, as BC words it', async () => {
    const emulator = await emulatorWith({ concurrency: 2, latencyMs: 200 });
    const token = await tokenFor(emulator);
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => list(emulator, token)));
    const refused = answers.filter((answer) => answer.status === 429);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(2);
    expect(refused).toHaveLength(3);
    for (const answer of refused) {
      expect(answer.headers.get('retry-after')).toBeNull();
      expect(JSON.parse(answer.text)).toMatchObject({
        error: {
          code: 'Application_TooManyRequests',
          message: expect.stringMatching(/^Too many requests reached\. {2}Actual \(3\)\. {2}Maximum \(2\)\./),
        },
      });
    }
    expect(emulator.stats().outcomes).toMatchObject({ ok: 2, concurrencyLimited: 3 });
    expect((await list(emulator, token)).status).toBe(200);
  });

  it('answers 429 past the requests of the sliding window, with Retry-After when configured, and admits again as it slides', async () => {
    const emulator = await emulatorWith({ windowRequests: 3, windowMs: 400, retryAfterSeconds: 2 });
    const token = await tokenFor(emulator);
    const statuses = [];
    for (let n = 0; n < 5; n += 1) statuses.push((await list(emulator, token)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await list(emulator, token);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(refused.text).toContain('Maximum (3)');
    expect(emulator.stats().outcomes.rateLimited).toBe(3);
    await sleep(450);
    expect((await list(emulator, token)).status).toBe(200);
  });

  it('counts neither token requests nor refused logins toward the limits', async () => {
    const emulator = await emulatorWith({ windowRequests: 1 });
    const token = await tokenFor(emulator);
    expect((await list(emulator, 'not-a-token')).status).toBe(401);
    expect((await list(emulator, token)).status).toBe(200);
    expect(emulator.stats()).toMatchObject({ tokenRequests: 1, outcomes: { unauthorized: 1, ok: 1 } });
  });

  it('adds latency before answering', async () => {
    const emulator = await emulatorWith({ latencyMs: 250 });
    const token = await tokenFor(emulator);
    const start = Date.now();
    expect((await list(emulator, token)).status).toBe(200);
    expect(Date.now() - start).toBeGreaterThanOrEqual(240);
  });

  it('answers random 500 (JSON), 502, 503 and 504 (HTML), repeatably for a seed, and commits nothing for them', async () => {
    const run = async () => {
      const emulator = await emulatorWith({ errorRate: 0.5 }, 42);
      const token = await tokenFor(emulator);
      const answers: Answer[] = [];
      for (let n = 0; n < 32; n += 1) answers.push(await createJournal(emulator, token, `E${n}`));
      return { answers, emulator };
    };
    const first = await run();
    const second = await run();
    expect(first.answers.map((answer) => answer.status)).toEqual(second.answers.map((answer) => answer.status));
    const failed = first.answers.filter((answer) => answer.status >= 500);
    expect(failed.length).toBeGreaterThan(6);
    expect(new Set(failed.map((answer) => answer.status))).toEqual(new Set([500, 502, 503, 504]));
    expect(failed.find((answer) => answer.status === 500)?.text).toContain('Internal_ServerError');
    expect(failed.find((answer) => answer.status === 502)?.headers.get('content-type')).toMatch(/text\/html/);
    expect(first.emulator.entities().journals).toHaveLength(first.answers.length - failed.length);
    expect(first.emulator.stats().outcomes.injectedError).toBe(failed.length);
  });

  it('answers 503 Internal_TenantUnavailable during an outage and recovers when it ends', async () => {
    const emulator = await emulatorWith({});
    const token = await tokenFor(emulator);
    emulator.setFaults({ outage: { mode: '503', untilMs: Date.now() + 300 } });
    const during = await list(emulator, token);
    expect(during.status).toBe(503);
    expect(JSON.parse(during.text)).toMatchObject({ error: { code: 'Internal_TenantUnavailable' } });
    await sleep(350);
    expect((await list(emulator, token)).status).toBe(200);
  });

  it('refuses connections during a refuse outage and listens again when it ends', async () => {
    const emulator = await emulatorWith({});
    const token = await tokenFor(emulator);
    emulator.setFaults({ outage: { mode: 'refuse', untilMs: Date.now() + 400 } });
    expect(['ECONNREFUSED', 'UND_ERR_SOCKET', 'ECONNRESET']).toContain(await failure(list(emulator, token)));
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(emulator.port, '127.0.0.1');
      socket.once('connect', () => resolve('connected'));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    await sleep(500);
    expect((await list(emulator, token)).status).toBe(200);
  });

  it('answers slower than the client waits, the change committed all the same', async () => {
    const emulator = await emulatorWith({ slowMs: 600 });
    const token = await tokenFor(emulator);
    expect(await failure(createJournal(emulator, token, 'SLOW', AbortSignal.timeout(150)))).toBe('TimeoutError');
    expect(emulator.entities().journals).toMatchObject([{ code: 'SLOW' }]);
    expect(emulator.stats().outcomes.slowed).toBe(1);
  });

  it('commits, then drops the connection: the journal exists, and creating it again is a duplicate key', async () => {
    const emulator = await emulatorWith({ dropAfterCommitRate: 1 });
    const token = await tokenFor(emulator);
    expect(['UND_ERR_SOCKET', 'ECONNRESET']).toContain(await failure(createJournal(emulator, token, 'DROPPED')));
    expect(emulator.entities().journals).toMatchObject([{ code: 'DROPPED' }]);
    expect(emulator.stats().outcomes.droppedAfterCommit).toBe(1);
    // Reads are never dropped; a second create says the batch exists (409 here, as BC has been seen to).
    expect((await list(emulator, token)).status).toBe(200);
    emulator.setFaults({ dropAfterCommitRate: 0 });
    const again = await createJournal(emulator, token, 'DROPPED');
    expect(again.status).toBe(409);
    expect(JSON.parse(again.text)).toMatchObject({ error: { code: 'Internal_EntityWithSameKeyExists' } });
  });
});

describe('Business Central emulator admin endpoint', () => {
  const admin = async (emulator: BusinessCentralEmulator, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}/__emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: response.status === 204 ? undefined : await response.json() };
  };

  it('shows and changes faults, lists entities and the ledger, counts requests, revokes tokens and resets', async () => {
    const emulator = await emulatorWith({ concurrency: 3 });
    const token = await tokenFor(emulator);
    expect((await admin(emulator, 'GET', 'faults')).body).toMatchObject({
      concurrency: 3,
      windowRequests: 6000,
      windowMs: 300_000,
      errorRate: 0,
      outage: null,
      retryAfterSeconds: null,
    });
    const changed = await admin(emulator, 'PUT', 'faults', { errorRate: 1, outage: { mode: '503', forMs: 60_000 } });
    expect(changed.body).toMatchObject({ errorRate: 1, outage: { mode: '503' } });
    expect((await list(emulator, token)).status).toBe(503);
    await admin(emulator, 'PUT', 'faults', { errorRate: 0, outage: null });
    await createJournal(emulator, token, 'ADMIN');
    expect((await admin(emulator, 'GET', 'entities')).body).toMatchObject({
      journals: [{ code: 'ADMIN' }],
      generalLedgerEntries: [],
    });
    expect((await admin(emulator, 'GET', 'ledger')).body).toEqual({ items: [] });
    expect((await admin(emulator, 'GET', 'chart')).body).toMatchObject({
      localCurrency: 'USD',
      company: { id: emulator.company.id },
    });
    expect((await admin(emulator, 'GET', 'stats')).body).toMatchObject({ requests: 2, outcomes: { outage: 1, ok: 1 } });
    expect((await admin(emulator, 'POST', 'tokens/revoke')).body).toEqual({ revoked: 1 });
    expect((await list(emulator, token)).status).toBe(401);
    expect((await admin(emulator, 'POST', 'reset')).status).toBe(204);
    expect(emulator.entities().journals).toEqual([]);
    expect(emulator.stats().requests).toBe(0);
  });

  it('refuses bad settings, naming every problem, and changes nothing', async () => {
    const emulator = await emulatorWith({});
    const refused = await admin(emulator, 'PUT', 'faults', { errorRate: 2, latencyMs: -1, windowMs: 0, colour: 'red' });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      problems: [expect.any(String), expect.any(String), expect.any(String), expect.any(String)],
    });
    expect(emulator.faults().errorRate).toBe(0);
  });
});
