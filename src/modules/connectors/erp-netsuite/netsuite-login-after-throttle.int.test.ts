import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodEntries } from '../../../../test/harness/netsuite-test-ledger.js';
import { startNetSuiteEmulator, type NetSuiteEmulator } from '../../../emulators/netsuite/index.js';
import { DeliveryFailure, type TargetDefinition } from '../connector.js';
import { createNetSuiteConnector, createNetSuiteContext } from './netsuite-connector.js';

// A 401 right after a 429 storm, with OAuth 2.0 machine to machine. A revoked (or early expired) bearer
// token is dropped and the request sent once more with a new one, and the posting is delivered. A 401
// that persists with a fresh token is taken for throttling while the account answered 429 within the
// last 120 s (NetSuite answers 401 under load), and is an `auth` failure once the account has been quiet
// that long: for a person to fix the integration's access.

let emulator: NetSuiteEmulator;
let privateKey = '';
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };
const signal = () => AbortSignal.timeout(10_000);

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = await exportPKCS8(pair.privateKey);
  emulator = await startNetSuiteEmulator({
    credentials: { certificates: { 'cert-1': await exportSPKI(pair.publicKey) } },
    faults: { concurrency: 1, latencyMs: 20 },
    // The emulator shares the test's clock, so tokens and assertions agree on the time.
    now: () => clock.now().getTime(),
  });
});
afterAll(() => emulator?.close());

async function outcome(promise: Promise<unknown>): Promise<DeliveryFailure | 'delivered'> {
  return promise.then(
    () => 'delivered' as const,
    (error: unknown) => {
      if (error instanceof DeliveryFailure) return error;
      throw error;
    },
  );
}

describe('a 401 after a 429 storm (OAuth 2.0 machine to machine)', () => {
  it('refreshes a revoked token once and delivers; a 401 that persists is throttling, then auth', async () => {
    const target: TargetDefinition = {
      key: 'ns-m2m',
      kind: 'netsuite',
      settings: {
        accountId: '1234567_SB1',
        baseUrl: emulator.url,
        auth: { method: 'oauth2-m2m', clientId: emulator.credentials.clientId, certificateId: 'cert-1' },
        currencies: { USD: '1' },
      },
      credentials: 'NS',
      limits: { requestsPerSecond: 1000, concurrency: 8 },
    };
    const context = createNetSuiteContext(clock);
    const connector = createNetSuiteConnector(target, async () => JSON.stringify({ privateKey }), context);
    const [storm, revoked, persisting] = [periodEntries(12, 'S'), periodEntries(1, 'R'), periodEntries(1, 'P')];

    // Given a storm: twelve deliveries at once against a concurrency limit of one.
    const stormed = await Promise.all(storm.map((entry) => outcome(connector.deliver(entry, signal()))));
    const throttled = stormed.filter((one) => one !== 'delivered' && one.failureClass === 'throttled');
    expect(throttled.length).toBeGreaterThan(0);
    expect(context.tokens.requests).toBe(1);

    // When the account revokes the token: one 401, one new token, and the posting is delivered.
    emulator.revokeTokens();
    const unauthorized = emulator.stats().outcomes.unauthorized;
    expect(await outcome(connector.deliver(revoked[0]!, signal()))).toBe('delivered');
    expect(context.tokens.requests).toBe(2);
    expect(emulator.stats().outcomes.unauthorized - unauthorized).toBe(1);
    expect(emulator.records().some((record) => record.externalId === revoked[0]!.externalId)).toBe(true);

    // When every login is refused, a new token included: throttling while the storm is recent...
    emulator.setFaults({ refuseLogins: { untilMs: clock.now().getTime() + 3_600_000 } });
    const requests = emulator.stats().requests;
    const soon = await outcome(connector.deliver(persisting[0]!, signal()));
    expect(soon).toMatchObject({ failureClass: 'throttled', detail: { status: 401, code: 'INVALID_LOGIN' } });
    // ... after exactly one refresh: the refused request, a token request, the request again.
    expect(context.tokens.requests).toBe(3);
    expect(emulator.stats().requests - requests).toBe(3);

    // ... and auth once the account has not throttled for 120 s.
    offsetMs += 121_000;
    const later = await outcome(connector.deliver(persisting[0]!, signal()));
    expect(later).toMatchObject({ failureClass: 'auth', detail: { status: 401, code: 'INVALID_LOGIN' } });
    expect((later as DeliveryFailure).detail.targetText).toContain('Invalid login attempt');

    // Once the integration's access is restored, the waiting posting is delivered.
    emulator.setFaults({ refuseLogins: undefined });
    expect(await outcome(connector.deliver(persisting[0]!, signal()))).toBe('delivered');
    expect(emulator.stats().outcomes.serverError).toBe(0);
  });
});
