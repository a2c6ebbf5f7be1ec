import { isHTTPError, OpenMeter, type HTTPError } from '@openmeter/sdk';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { countRawEvents } from '../harness/events.js';
import { readJson } from '../harness/read-json.js';
import { describeEachStore } from '../harness/stores.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

async function thrownBy(promise: Promise<unknown>): Promise<HTTPError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isHTTPError(error)) throw new Error(`expected an HTTPError, got ${String(error)}`);
  return error;
}

describeEachStore('OpenMeter SDK against /compat/openmeter', (stores) => {
  let t: TestApp;
  let om: OpenMeter;
  let before: number;

  beforeAll(async () => {
    t = await startTestApp(stores);
    om = new OpenMeter({ baseUrl: `${t.baseUrl}/compat/openmeter`, apiKey: await t.keyFor('ingest') });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    before = await countRawEvents(t.app.db);
  });

  it('ingests one event with the defaults the SDK fills in', async () => {
    await expect(
      om.events.ingest({ id: 'om-one', type: 'tokens', subject: 'cust-1', data: { tokens: 5 } }),
    ).resolves.toBeUndefined();
    const { rows } = await t.app.db.query<{ source: string; type: string; subject: string; data: unknown }>(
      `select source, type, subject, data from raw_events where id = 'om-one'`,
    );
    expect(rows).toEqual([{ source: '@openmeter/sdk', type: 'tokens', subject: 'cust-1', data: { tokens: 5 } }]);
  });

  it('ingests a batch, and a retried batch stores nothing twice', async () => {
    const time = new Date('2026-10-15T12:00:00.000Z');
    const batch = [
      { id: 'om-batch-1', source: 'billing-test', type: 'tokens', subject: 'cust-1', time, data: { tokens: 1 } },
      { id: 'om-batch-2', source: 'billing-test', type: 'tokens', subject: 'cust-2', time, data: { tokens: 2 } },
    ];
    await expect(om.events.ingest(batch)).resolves.toBeUndefined();
    expect(await countRawEvents(t.app.db)).toBe(before + 2);
    await expect(om.events.ingest(batch)).resolves.toBeUndefined();
    expect(await countRawEvents(t.app.db)).toBe(before + 2);
    const { rows } = await t.app.db.query<{ time: Date }>(`select time from raw_events where id = 'om-batch-1'`);
    expect(new Date(rows[0]?.time as Date).toISOString()).toBe('2026-10-15T12:00:00.000Z');
  });

  it('accepts an empty batch, as OpenMeter does', async () => {
    await expect(om.events.ingest([])).resolves.toBeUndefined();
    expect(await countRawEvents(t.app.db)).toBe(before);
  });

  it('refuses a batch with an invalid event as a whole: the SDK throws with our problem detail', async () => {
    // The SDK's types only allow a Date; a string reaches the wire as sent.
    const bad = { id: 'om-bad', type: 'tokens', subject: 'cust-1', time: 'yesterday' as unknown as Date };
    const error = await thrownBy(om.events.ingest([{ id: 'om-good', type: 'tokens', subject: 'cust-1' }, bad]));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/\[400\]: invalid event at index 1: \/time must be an RFC 3339 timestamp/);
    expect(error.getField('errors')).toEqual([{ path: '/1/time', message: expect.stringContaining('RFC 3339') }]);
    expect(error.type).toBe('urn:meterbridge:problem:validation');
    expect(await countRawEvents(t.app.db)).toBe(before);
  });

  it('answers the exact problem media type, which is what makes the SDK read the body', async () => {
    const response = await t.request('/compat/openmeter/api/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ specversion: '1.0', id: 'om-raw', source: 'x', type: 'tokens', data: 'text' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = await readJson(response);
    expect(problem.detail).toBe('invalid event at index 0: /data must be a JSON object, got string "text"');
    expect(problem.errors).toEqual([{ path: '/0/data', message: 'must be a JSON object, got string "text"' }]);
  });

  it('accepts single CloudEvents and plain JSON, and refuses NDJSON, which OpenMeter does not take', async () => {
    const event = (id: string) =>
      JSON.stringify({ specversion: '1.0', id, source: 'raw', type: 'tokens', subject: 'c' });
    const post = (body: string, contentType: string) =>
      t.request('/compat/openmeter/api/v1/events', { method: 'POST', headers: { 'content-type': contentType }, body });
    const single = await post(event('om-ce'), 'application/cloudevents+json');
    expect(single.status).toBe(204);
    expect(await single.text()).toBe('');
    expect((await post(event('om-json'), 'application/json')).status).toBe(204);
    expect((await post(`[${event('om-json-a')}]`, 'application/json')).status).toBe(204);
    const ndjson = await post(event('om-nd'), 'application/x-ndjson');
    expect(ndjson.status).toBe(415);
    expect((await readJson(ndjson)).detail).toBe(
      'content type "application/x-ndjson" is not accepted; use one of application/cloudevents+json, application/cloudevents-batch+json, application/json',
    );
    expect(await countRawEvents(t.app.db)).toBe(before + 3);
  });

  it('maps body problems through the usual problem mapping', async () => {
    const response = await t.request('/compat/openmeter/api/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: '[{"id": ',
    });
    expect(response.status).toBe(400);
    expect((await readJson(response)).detail).toMatch(/^body is not valid JSON/);
  });

  it('refuses a wrong API key with 401 and a key without the ingest permission with 403', async () => {
    const wrong = new OpenMeter({ baseUrl: `${t.baseUrl}/compat/openmeter`, apiKey: 'not-a-key' });
    const unauthorized = await thrownBy(wrong.events.ingest({ type: 'tokens', subject: 'cust-1' }));
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.message).toMatch(/unknown or revoked/);
    const reader = new OpenMeter({ baseUrl: `${t.baseUrl}/compat/openmeter`, apiKey: await t.keyFor('read') });
    expect((await thrownBy(reader.events.ingest({ type: 'tokens', subject: 'cust-1' }))).status).toBe(403);
    expect(await countRawEvents(t.app.db)).toBe(before);
  });
});
