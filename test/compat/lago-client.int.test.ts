import { Client } from 'lago-javascript-client';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { countRawEvents } from '../harness/events.js';
import { readJson, type Json } from '../harness/read-json.js';
import { describeEachStore } from '../harness/stores.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

type Lago = ReturnType<typeof Client>;

/** The Lago client throws the Response itself, with the parsed error body in `error`. */
async function thrownBy(promise: Promise<unknown>): Promise<{ status: number; error: Json }> {
  const thrown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(thrown instanceof Response)) throw new Error(`expected a thrown Response, got ${String(thrown)}`);
  return { status: thrown.status, error: (thrown as Response & { error: Json }).error };
}

const event = (overrides: Record<string, unknown> = {}) => ({
  transaction_id: 'tx-1',
  external_subscription_id: 'sub-1',
  code: 'storage',
  timestamp: 1704164645,
  properties: { gb: 10 },
  ...overrides,
});

describeEachStore('Lago client against /compat/lago/api/v1', (stores) => {
  let t: TestApp;
  let lago: Lago;
  let before: number;
  const post = (path: string, body: string) =>
    t.request(`/compat/lago/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  beforeAll(async () => {
    t = await startTestApp(stores);
    lago = Client(await t.keyFor('ingest'), { baseUrl: `${t.baseUrl}/compat/lago/api/v1` });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    before = await countRawEvents(t.app.db);
  });

  it('creates one event, answers in Lago shape and stores it as a CloudEvent', async () => {
    const response = await lago.events.createEvent({ event: event({ transaction_id: 'tx-one' }) });
    expect(response.status).toBe(200);
    expect(response.data.event).toEqual({
      lago_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      transaction_id: 'tx-one',
      lago_customer_id: null,
      code: 'storage',
      timestamp: '2024-01-02T03:04:05.000Z',
      precise_total_amount_cents: null,
      properties: { gb: 10 },
      lago_subscription_id: null,
      external_subscription_id: 'sub-1',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    const { rows } = await t.app.db.query<Json>(
      `select id, type, subject, time, data, source from raw_events where id = 'tx-one'`,
    );
    expect(rows).toHaveLength(1);
    expect({ ...rows[0], time: new Date(rows[0].time).toISOString() }).toEqual({
      id: 'tx-one',
      type: 'storage',
      subject: 'sub-1',
      time: '2024-01-02T03:04:05.000Z',
      data: { gb: 10 },
      source: 'lago/subscription/sub-1',
    });
  });

  it('reads float and numeric-string timestamps and keeps precise_total_amount_cents', async () => {
    const response = await lago.events.createEvent({
      event: event({ transaction_id: 'tx-float', timestamp: '1704164645.123', precise_total_amount_cents: '1234.56' }),
    });
    expect(response.data.event).toMatchObject({
      timestamp: '2024-01-02T03:04:05.123Z',
      precise_total_amount_cents: '1234.56',
    });
    const { rows } = await t.app.db.query<Json>(`select time, extensions from raw_events where id = 'tx-float'`);
    expect(new Date(rows[0].time).toISOString()).toBe('2024-01-02T03:04:05.123Z');
    expect(rows[0].extensions).toEqual({ totalamountcents: '1234.56' });
  });

  it('stamps the receipt time when there is no timestamp, and a retry of such an event is still idempotent', async () => {
    const sent = { transaction_id: 'tx-now', external_subscription_id: 'sub-1', code: 'storage' };
    const first = await lago.events.createEvent({ event: sent });
    const stamped = Date.parse(first.data.event.timestamp);
    expect(Math.abs(stamped - Date.now())).toBeLessThan(60_000);
    const { rows } = await t.app.db.query<Json>(`select time, data from raw_events where id = 'tx-now'`);
    expect(Math.abs(new Date(rows[0].time).getTime() - stamped)).toBeLessThan(5_000);
    expect(rows[0].data).toEqual({});
    expect((await lago.events.createEvent({ event: sent })).status).toBe(200);
    expect(await countRawEvents(t.app.db)).toBe(before + 1);
  });

  it('creates a batch', async () => {
    const response = await lago.events.createBatchEvents({
      events: [
        event({ transaction_id: 'tx-b1', timestamp: 1704164645.5 }),
        { transaction_id: 'tx-b2', external_subscription_id: 'sub-2', code: 'api_calls' },
      ],
    });
    expect(response.status).toBe(200);
    expect(
      response.data.events.map((e) => [e.transaction_id, e.external_subscription_id, e.timestamp.slice(0, 23)]),
    ).toEqual([
      ['tx-b1', 'sub-1', '2024-01-02T03:04:05.500'],
      ['tx-b2', 'sub-2', expect.any(String)],
    ]);
    expect(await countRawEvents(t.app.db)).toBe(before + 2);
  });

  it('answers an exact retry with the same event and stores nothing new (single and batch)', async () => {
    const first = await lago.events.createEvent({ event: event({ transaction_id: 'tx-retry' }) });
    const again = await lago.events.createEvent({ event: event({ transaction_id: 'tx-retry' }) });
    expect(again.status).toBe(200);
    expect(again.data.event.lago_id).toBe(first.data.event.lago_id);
    const batch = { events: [event({ transaction_id: 'tx-retry' }), event({ transaction_id: 'tx-retry-2' })] };
    expect((await lago.events.createBatchEvents(batch)).status).toBe(200);
    expect((await lago.events.createBatchEvents(batch)).data.events).toHaveLength(2);
    expect(await countRawEvents(t.app.db)).toBe(before + 2);
  });

  it('refuses a reused transaction_id with other content with value_already_exist and keeps the original', async () => {
    await lago.events.createEvent({ event: event({ transaction_id: 'tx-reuse' }) });
    const { status, error } = await thrownBy(
      lago.events.createEvent({ event: event({ transaction_id: 'tx-reuse', properties: { gb: 99 } }) }),
    );
    expect(status).toBe(422);
    expect(error).toEqual({
      status: 422,
      error: 'Unprocessable Entity',
      code: 'validation_errors',
      error_details: { transaction_id: ['value_already_exist'] },
    });
    const { rows } = await t.app.db.query<Json>(`select data from raw_events where id = 'tx-reuse'`);
    expect(rows).toEqual([{ data: { gb: 10 } }]);
    // Lago's key is (external_subscription_id, transaction_id): another subscription may use the same id.
    expect(
      (
        await lago.events.createEvent({
          event: event({ transaction_id: 'tx-reuse', external_subscription_id: 'sub-9' }),
        })
      ).status,
    ).toBe(200);
  });

  it('refuses an ISO timestamp with invalid_format', async () => {
    const { status, error } = await thrownBy(
      lago.events.createEvent({ event: event({ transaction_id: 'tx-iso', timestamp: '2024-01-02T03:04:05Z' }) }),
    );
    expect(status).toBe(422);
    expect(error.error_details).toEqual({ timestamp: ['invalid_format'] });
    expect(await countRawEvents(t.app.db)).toBe(before);
  });

  it('reports missing fields with value_is_mandatory', async () => {
    const { status, error } = await thrownBy(
      lago.events.createEvent({ event: { transaction_id: '', external_subscription_id: 'sub-1', code: '' } }),
    );
    expect(status).toBe(422);
    expect(error.error_details).toEqual({ transaction_id: ['value_is_mandatory'], code: ['value_is_mandatory'] });
  });

  it('refuses a whole batch when one event is bad, keyed by its index, and stores nothing', async () => {
    const { status, error } = await thrownBy(
      lago.events.createBatchEvents({
        events: [
          event({ transaction_id: 'tx-ok' }),
          event({ transaction_id: 'tx-bad', timestamp: 'soon' }),
          event({ transaction_id: 'tx-ok-2' }),
        ],
      }),
    );
    expect(status).toBe(422);
    expect(error).toEqual({
      status: 422,
      error: 'Unprocessable Entity',
      code: 'validation_errors',
      error_details: { '1': { timestamp: ['invalid_format'] } },
    });
    expect(await countRawEvents(t.app.db)).toBe(before);
  });

  it('refuses a batch that repeats a transaction_id with other content, storing nothing', async () => {
    const { error } = await thrownBy(
      lago.events.createBatchEvents({
        events: [event({ transaction_id: 'tx-twice' }), event({ transaction_id: 'tx-twice', properties: { gb: 1 } })],
      }),
    );
    expect(error.error_details).toEqual({ '1': { transaction_id: ['value_already_exist'] } });
    expect(await countRawEvents(t.app.db)).toBe(before);
  });

  it('stores nothing of a batch whose event conflicts with a stored one, like Lago', async () => {
    await lago.events.createEvent({ event: event({ transaction_id: 'tx-stored' }) });
    const { error } = await thrownBy(
      lago.events.createBatchEvents({
        events: [event({ transaction_id: 'tx-new' }), event({ transaction_id: 'tx-stored', properties: { gb: 2 } })],
      }),
    );
    expect(error.error_details).toEqual({ '1': { transaction_id: ['value_already_exist'] } });
    expect(await countRawEvents(t.app.db)).toBe(before + 1);
    const fixed = await lago.events.createBatchEvents({
      events: [event({ transaction_id: 'tx-new' }), event({ transaction_id: 'tx-stored' })],
    });
    expect(fixed.status).toBe(200);
    expect(await countRawEvents(t.app.db)).toBe(before + 2);
  });

  it('refuses more than 100 events and an empty batch', async () => {
    const many = Array.from({ length: 101 }, (_, index) => event({ transaction_id: `tx-many-${index}` }));
    const tooMany = await thrownBy(lago.events.createBatchEvents({ events: many }));
    expect(tooMany.status).toBe(422);
    expect(tooMany.error.error_details).toEqual({ events: ['too_many_events'] });
    const empty = await thrownBy(lago.events.createBatchEvents({ events: [] }));
    expect(empty.error.error_details).toEqual({ events: ['no_events'] });
    expect(await countRawEvents(t.app.db)).toBe(before);
  });

  it('answers a missing event key with 400 in the Rails shape Lago returns', async () => {
    const response = await post('/events', JSON.stringify({ events: [event()] }));
    expect(response.status).toBe(400);
    expect(await readJson(response)).toEqual({
      status: 400,
      error: 'BadRequest: param is missing or the value is empty or invalid: event',
    });
    expect((await post('/events', '{"event": {}}')).status).toBe(400);
    const malformed = await post('/events', '{"event": ');
    expect(malformed.status).toBe(400);
    expect((await readJson(malformed)).error).toMatch(/^BadRequest: body is not valid JSON/);
    const notJson = await t.request('/compat/lago/api/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(notJson.status).toBe(415);
    expect(await readJson(notJson)).toEqual({ status: 415, error: 'Unsupported Media Type' });
  });

  it('refuses __proto__ in properties with a 422 naming the field', async () => {
    const hostile = JSON.parse('{"gb": 1, "__proto__": {"admin": true}}') as Record<string, unknown>;
    const { status, error } = await thrownBy(
      lago.events.createEvent({ event: event({ transaction_id: 'tx-proto', properties: hostile }) }),
    );
    expect(status).toBe(422);
    expect(error.error_details).toEqual({ properties: ['/__proto__: key "__proto__" is not allowed'] });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(await countRawEvents(t.app.db)).toBe(before);
  });

  it('surfaces our own CloudEvents checks as 422 on the Lago field: event size and the registered schema', async () => {
    const big = await thrownBy(
      lago.events.createEvent({ event: event({ transaction_id: 'tx-big', properties: { pad: 'x'.repeat(70_000) } }) }),
    );
    expect(big.status).toBe(422);
    expect(big.error.error_details).toEqual({
      properties: [expect.stringMatching(/^event is \d+ bytes; the limit is 65536$/)],
    });

    const schema = { type: 'object', required: ['gb'], properties: { gb: { type: 'number' } } };
    const registered = await t.request('/v1/event-types/metered_storage/schemas/1', { method: 'PUT', json: schema });
    expect(registered.status).toBe(201);
    const invalid = await thrownBy(
      lago.events.createEvent({
        event: event({ transaction_id: 'tx-schema', code: 'metered_storage', properties: { gb: 'ten' } }),
      }),
    );
    expect(invalid.status).toBe(422);
    expect(invalid.error.error_details).toEqual({ properties: [expect.stringMatching(/^\/gb: /)] });
    expect(
      (await lago.events.createEvent({ event: event({ transaction_id: 'tx-schema', code: 'metered_storage' }) }))
        .status,
    ).toBe(200);
  });

  it('falls back to external_customer_id for subject and source, which older clients send', async () => {
    const response = await post(
      '/events',
      JSON.stringify({ event: { transaction_id: 'tx-cust', external_customer_id: 'cust-7', code: 'storage' } }),
    );
    expect(response.status).toBe(200);
    expect((await readJson(response)).event).toMatchObject({
      external_subscription_id: null,
      external_customer_id: 'cust-7',
    });
    const { rows } = await t.app.db.query<Json>(`select subject, source from raw_events where id = 'tx-cust'`);
    expect(rows).toEqual([{ subject: 'cust-7', source: 'lago/customer/cust-7' }]);
  });

  it('refuses a wrong API key with 401 in Lago shape', async () => {
    const wrong = Client('not-a-key', { baseUrl: `${t.baseUrl}/compat/lago/api/v1` });
    const { status, error } = await thrownBy(wrong.events.createEvent({ event: event({ transaction_id: 'tx-401' }) }));
    expect(status).toBe(401);
    expect(error).toEqual({ status: 401, error: 'Unauthorized' });
    const reader = Client(await t.keyFor('read'), { baseUrl: `${t.baseUrl}/compat/lago/api/v1` });
    expect((await thrownBy(reader.events.createBatchEvents({ events: [event()] }))).status).toBe(403);
    expect(await countRawEvents(t.app.db)).toBe(before);
  });

  it('publishes the compat routes in /openapi.json', async () => {
    const spec = await readJson(await t.request('/openapi.json'));
    for (const path of [
      '/compat/openmeter/api/v1/events',
      '/compat/lago/api/v1/events',
      '/compat/lago/api/v1/events/batch',
    ]) {
      expect(spec.paths[path].post.tags).toEqual(['compat']);
      expect(spec.paths[path].post.security).toEqual([{ bearer: [] }]);
    }
    expect(spec.paths['/compat/lago/api/v1/events'].post.description).toMatch(/exact retry/);
  });
});
