import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.js';
import { cloudEvent, countRawEvents } from '../../../../test/harness/events.js';
import { readJson } from '../../../../test/harness/read-json.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../../test/harness/test-app.js';

const NOW = '2026-11-01T00:00:00Z';

describeEachStore('POST /v1/events', (stores) => {
  let t: TestApp;
  const clock = new ManualClock(NOW);
  const post = (body: unknown, contentType = 'application/json', key?: string) =>
    t.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
      key,
    });

  beforeAll(async () => {
    t = await startTestApp(stores, { clock });
  });
  afterAll(() => t.close());
  beforeEach(() => clock.set(NOW));

  it('accepts one structured CloudEvent and stores it with a sequence number and receipt time', async () => {
    const event = cloudEvent({ id: 'single-1' });
    const response = await post(event, 'application/cloudevents+json');
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ accepted: 1, duplicates: 0, rejected: [], conflicts: [] });
    const { rows } = await t.app.db.query<{ seq: string; received_at: Date; data: unknown; time: Date }>(
      `select seq::text, received_at, data, time from raw_events where id = 'single-1'`,
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]?.seq)).toBeGreaterThan(0);
    expect(new Date(rows[0]?.received_at as Date).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(new Date(rows[0]?.time as Date).toISOString()).toBe('2026-10-15T12:00:00.000Z');
    expect(rows[0]?.data).toEqual({ tokens: 10, model: 'small' });
  });

  it('answers per event: accepted, duplicate and rejected in one 207 response of the documented shape', async () => {
    const repeated = cloudEvent({ id: 'mix-dup' });
    await post(repeated);
    const batch = [
      cloudEvent({ id: 'mix-1' }),
      cloudEvent({ id: 'mix-2' }),
      cloudEvent({ id: 'mix-3' }),
      repeated,
      cloudEvent({ id: 'e5', time: 'yesterday' }),
    ];
    const response = await post(batch, 'application/cloudevents-batch+json');
    expect(response.status).toBe(207);
    const body = await readJson(response);
    expect(body).toMatchObject({ accepted: 3, duplicates: 1, conflicts: [] });
    expect(body.rejected).toEqual([
      { index: 4, id: 'e5', errors: [{ path: '/time', message: expect.stringContaining('RFC 3339') }] },
    ]);
  });

  it('answers 400 with the outcome body when every event is rejected, and stores nothing', async () => {
    const before = await countRawEvents(t.app.db);
    const response = await post([cloudEvent({ id: '' }), cloudEvent({ specversion: '0.3' })]);
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.accepted).toBe(0);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([0, 1]);
    expect(body.rejected[1].errors).toEqual([{ path: '/specversion', message: 'must be "1.0", got string "0.3"' }]);
    expect(await countRawEvents(t.app.db)).toBe(before);
  });

  it('accepts application/json objects and arrays and NDJSON', async () => {
    expect((await post(cloudEvent({ id: 'json-object' }))).status).toBe(200);
    const array = await post([cloudEvent({ id: 'json-a' }), cloudEvent({ id: 'json-b' })]);
    expect(await readJson(array)).toMatchObject({ accepted: 2 });
    const ndjson =
      [cloudEvent({ id: 'nd-1' }), cloudEvent({ id: 'nd-2' })].map((e) => JSON.stringify(e)).join('\n') + '\n\n';
    const response = await post(ndjson, 'application/x-ndjson');
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({ accepted: 2 });
  });

  it('accepts JSON and NDJSON bodies that start with a UTF-8 byte order mark', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect((await post(Buffer.concat([bom, Buffer.from(JSON.stringify(cloudEvent({ id: 'bom-json' })))]))).status).toBe(
      200,
    );
    const ndjson = Buffer.concat([bom, Buffer.from(`${JSON.stringify(cloudEvent({ id: 'bom-nd' }))}\n`)]);
    expect((await post(ndjson, 'application/x-ndjson')).status).toBe(200);
  });

  it('reports an NDJSON line that is not JSON or not UTF-8 by its line, and keeps the other lines', async () => {
    const good = JSON.stringify(cloudEvent({ id: 'nd-good' }));
    const body = Buffer.concat([Buffer.from(`${good}\n{"id": oops\n`), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a])]);
    const response = await post(body, 'application/x-ndjson');
    expect(response.status).toBe(207);
    const result = await readJson(response);
    expect(result.accepted).toBe(1);
    expect(result.rejected).toEqual([
      { index: 1, line: 2, errors: [{ path: '', message: expect.stringMatching(/^line 2 is not valid JSON/) }] },
      { index: 2, line: 3, errors: [{ path: '', message: 'line 3 is not valid UTF-8' }] },
    ]);
  });

  it('deduplicates on (source, id) forever and reports a reused id with other content as a conflict, keeping the original', async () => {
    const original = cloudEvent({ id: 'dedup-1', data: { tokens: 1 } });
    expect(await readJson(await post(original))).toMatchObject({ accepted: 1 });
    clock.set('2027-06-01T00:00:00Z');
    expect(await readJson(await post(original))).toEqual({ accepted: 0, duplicates: 1, rejected: [], conflicts: [] });
    const changed = await readJson(await post({ ...original, data: { tokens: 999 } }));
    expect(changed).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(changed.conflicts).toEqual([
      { index: 0, source: 'test/product', id: 'dedup-1', message: expect.stringContaining('original is kept') },
    ]);
    const { rows } = await t.app.db.query<{ data: unknown }>(`select data from raw_events where id = 'dedup-1'`);
    expect(rows).toEqual([{ data: { tokens: 1 } }]);
    // The same id from another source is another event.
    expect(await readJson(await post({ ...original, source: 'other/product' }))).toMatchObject({ accepted: 1 });
  });

  it('treats attribute order as irrelevant when telling a retry from a conflict', async () => {
    await post(cloudEvent({ id: 'order-1', data: { a: 1, b: 2 } }));
    const reordered = JSON.stringify({
      data: { b: 2, a: 1 },
      time: '2026-10-15T12:00:00Z',
      subject: 'customer-1',
      type: 'api.request',
      source: 'test/product',
      id: 'order-1',
      specversion: '1.0',
    });
    expect(await readJson(await post(reordered))).toEqual({ accepted: 0, duplicates: 1, rejected: [], conflicts: [] });
  });

  it('counts repeats inside one batch once', async () => {
    const event = cloudEvent({ id: 'in-batch' });
    const result = await readJson(await post([event, event, { ...event, data: { tokens: 2 } }]));
    expect(result).toMatchObject({ accepted: 1, duplicates: 2 });
    expect(result.conflicts.map((c: { index: number }) => c.index)).toEqual([2]);
  });

  it('accepts the same event sent in 20 concurrent requests exactly once', async () => {
    const event = cloudEvent({ id: 'concurrent-1' });
    const results = await Promise.all(Array.from({ length: 20 }, () => post(event).then(readJson)));
    expect(results.reduce((sum, r) => sum + r.accepted, 0)).toBe(1);
    expect(results.reduce((sum, r) => sum + r.duplicates, 0)).toBe(19);
    const { rows } = await t.app.db.query(`select 1 from raw_events where id = 'concurrent-1'`);
    expect(rows).toHaveLength(1);
  });

  it('keeps the receipt time as the event time when the producer sends none', async () => {
    await post(cloudEvent({ id: 'no-time', time: undefined }));
    const { rows } = await t.app.db.query<{ time: Date }>(`select time from raw_events where id = 'no-time'`);
    expect(new Date(rows[0]?.time as Date).toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });

  it('requires an API key that grants ingest', async () => {
    const none = await post(cloudEvent(), 'application/json', null as unknown as string);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toBe('application/problem+json');
    expect((await post(cloudEvent(), 'application/json', 'mb_admin_not-a-real-key-at-all')).status).toBe(401);
    const read = await post(cloudEvent(), 'application/json', await t.keyFor('read'));
    expect(read.status).toBe(403);
    expect((await readJson(read)).detail).toMatch(/role "read"/);
    expect((await post(cloudEvent(), 'application/json', await t.keyFor('ingest'))).status).toBe(200);
  });

  it('counts outcomes by event type in the Prometheus metrics', async () => {
    await post([cloudEvent({ type: 'metrics.probe' }), cloudEvent({ type: 'metrics.probe', id: 42 })]);
    const text = await (await t.request('/metrics', { key: null })).text();
    expect(text).toMatch(/meterbridge_ingested_events_total\{type="metrics.probe",outcome="accepted"\} 1/);
    expect(text).toMatch(/meterbridge_ingested_events_total\{type="\(invalid\)",outcome="rejected"\} \d+/);
    expect(text).toMatch(/meterbridge_ingest_batch_size_bucket/);
    expect(text).toMatch(/meterbridge_http_request_duration_seconds_bucket\{.*route="\/v1\/events"/);
  });
});
