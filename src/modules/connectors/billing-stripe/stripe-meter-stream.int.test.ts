import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.js';
import { DEFAULT_SECRET_KEY, startStripeEmulator, type StripeEmulator } from '../../../emulators/stripe/index.js';
import { DeliveryFailure } from '../connector.js';
import { createStripeMeterEventStream, type StreamedMeterEvent } from './stripe-meter-stream.js';

// The v2 meter event stream against the emulator: batches of 100, one session reused, an expired
// session renewed and the same events sent again, which Stripe then counts once by their identifiers.

const ACME = 'cus_EmulatorAcme01';
let emulator: StripeEmulator;
let clock: ManualClock;

beforeAll(async () => {
  clock = new ManualClock(new Date());
  emulator = await startStripeEmulator({ now: () => clock.now().getTime() });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const events = (count: number, from = 1): StreamedMeterEvent[] =>
  Array.from({ length: count }, (_, index) => ({
    eventName: 'api_calls',
    customer: ACME,
    value: '2',
    timestamp: new Date(clock.now().getTime() - 60_000),
    ref: { externalId: 'USG-2024-10-15', line: from + index },
  }));

const counted = () => (emulator.objects().meter_events as Array<{ error?: unknown }>).filter((event) => !event.error);

describe('the v2 meter event stream', () => {
  it('sends events in batches of 100 through one session', async () => {
    const stream = createStripeMeterEventStream({ apiBaseUrl: emulator.url }, DEFAULT_SECRET_KEY, clock);
    expect(await stream.send(events(150))).toEqual({ sent: 150, sessionsOpened: 1 });
    expect(await stream.send(events(10, 151))).toEqual({ sent: 10, sessionsOpened: 0 });
    expect(counted()).toHaveLength(160);
    const paths = emulator.requests().map((request) => request.path);
    expect(paths.filter((path) => path === '/v2/billing/meter_event_session')).toHaveLength(1);
    expect(paths.filter((path) => path === '/v2/billing/meter_event_stream')).toHaveLength(3);
  });

  it('renews an expired session, sends the batch again, and each event is counted once', async () => {
    const stream = createStripeMeterEventStream({ apiBaseUrl: emulator.url }, DEFAULT_SECRET_KEY, clock);
    await stream.send(events(5));
    emulator.expireSessions();
    expect(await stream.send(events(5, 3))).toEqual({ sent: 5, sessionsOpened: 1 });
    expect(counted()).toHaveLength(7);
    // A session near its end is renewed before it is used, not after a refusal.
    clock.advance(14.5 * 60_000);
    expect((await stream.send(events(1, 8))).sessionsOpened).toBe(1);
  });

  it('a batch whose answer was lost is an unknown outcome; sent again, its derived key replays it', async () => {
    const stream = createStripeMeterEventStream({ apiBaseUrl: emulator.url }, DEFAULT_SECRET_KEY, clock);
    await stream.send(events(1, 900));
    emulator.setFaults({ dropAfterCommitRate: 1 });
    const lost = await stream.send(events(3)).catch((error: unknown) => error);
    expect(lost).toMatchObject({ failureClass: 'unknown_outcome' });
    emulator.setFaults({ dropAfterCommitRate: 0 });
    expect(await stream.send(events(3))).toEqual({ sent: 3, sessionsOpened: 0 });
    expect(emulator.stats().outcomes.replayed).toBe(1);
    expect(counted()).toHaveLength(4);
    const keys = emulator
      .requests()
      .flatMap((request) => (request.path.endsWith('stream') ? [request.idempotencyKey] : []));
    expect(keys[1]).toMatch(/^mb1:meter_event_stream:sha256:[0-9a-f]{64}$/);
    expect(keys[2]).toBe(keys[1]);
  });

  it('refuses events Stripe would reject before opening a session, and a wrong key is auth', async () => {
    const stream = createStripeMeterEventStream({ apiBaseUrl: emulator.url }, DEFAULT_SECRET_KEY, clock);
    await expect(stream.send([{ ...events(1)[0]!, value: 'lots' }])).rejects.toMatchObject({ failureClass: 'invalid' });
    const stale = {
      ...events(1)[0]!,
      ref: { externalId: 'USG-1', line: 1, firstAttemptAt: new Date(clock.now().getTime() - 86_400_000) },
    };
    await expect(stream.send([stale])).rejects.toMatchObject({
      failureClass: 'invalid',
      message: expect.stringContaining('23 hours'),
    });
    expect(emulator.stats().requests).toBe(0);
    const wrong = createStripeMeterEventStream({ apiBaseUrl: emulator.url }, 'sk_test_notthekey000', clock);
    const refused = await wrong.send(events(1)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DeliveryFailure);
    expect(refused).toMatchObject({ failureClass: 'auth', detail: { status: 401 } });
  });
});
