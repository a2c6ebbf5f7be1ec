import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.js';
import { cloudEvent, countRawEvents } from '../../../../test/harness/events.js';
import { expectProblem } from '../../../../test/harness/expect-problem.js';
import { readJson } from '../../../../test/harness/read-json.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startTestApp, testConfig, type TestApp } from '../../../../test/harness/test-app.js';

const NOW = '2026-11-01T00:00:00Z';

describeEachStore('POST /v1/events with bad input', (stores) => {
  let t: TestApp;
  let before: number;
  const clock = new ManualClock(NOW);
  const post = (body: string | Uint8Array, contentType: string | null = 'application/json') =>
    t.request('/v1/events', { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body });
  const postEvents = (events: unknown) => post(JSON.stringify(events));

  async function expectRejected(event: unknown, errors: Array<{ path: string; message: string | RegExp }>) {
    const response = await postEvents([event]);
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.accepted).toBe(0);
    expect(body.rejected).toHaveLength(1);
    expect(body.rejected[0].errors).toEqual(
      errors.map(({ path, message }) => ({
        path,
        message: typeof message === 'string' ? message : expect.stringMatching(message),
      })),
    );
  }

  beforeAll(async () => {
    // Small limits so oversize cases stay cheap to send.
    t = await startTestApp(stores, {
      clock,
      config: testConfig({}, { maxEventBytes: 2048, maxBodyBytes: 64 * 1024, maxBatchEvents: 50 }),
    });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    clock.set(NOW);
    before = await countRawEvents(t.app.db);
  });

  it('refuses malformed JSON with a problem naming the parse error', async () => {
    await expectProblem(await post('{"specversion": "1.0", "id": '), 400, /^body is not valid JSON/);
  });

  it('refuses a content type it does not accept with 415', async () => {
    await expectProblem(
      await post(JSON.stringify(cloudEvent()), 'text/plain'),
      415,
      /content type "text\/plain" is not accepted/,
    );
    await expectProblem(await post(JSON.stringify(cloudEvent()), null), 415, /is not accepted/);
    await expectProblem(
      await post(JSON.stringify(cloudEvent()), 'application/json; charset=latin1'),
      415,
      /only UTF-8/,
    );
  });

  it('refuses an array sent as a single CloudEvent and an object sent as a batch', async () => {
    await expectProblem(
      await post(JSON.stringify([cloudEvent()]), 'application/cloudevents+json'),
      400,
      /carries one event/,
    );
    await expectProblem(
      await post(JSON.stringify(cloudEvent()), 'application/cloudevents-batch+json'),
      400,
      /must be a JSON array/,
    );
  });

  it('refuses an empty body and an empty batch', async () => {
    await expectProblem(await post(''), 400, /body is empty/);
    await expectProblem(await post('[]'), 400, /batch is empty/);
    await expectProblem(await post('\n\n', 'application/x-ndjson'), 400, /batch is empty/);
  });

  it('refuses a body over the byte limit with 413', async () => {
    await expectProblem(
      await post(JSON.stringify([cloudEvent({ data: { pad: 'x'.repeat(70 * 1024) } })])),
      413,
      /body/i,
    );
  });

  it('refuses a batch over the event limit with 413', async () => {
    const events = Array.from({ length: 51 }, () => cloudEvent());
    await expectProblem(await postEvents(events), 413, /the batch has 51 events; the limit is 50/);
    const ndjson = events.map((event) => JSON.stringify(event)).join('\n');
    await expectProblem(await post(ndjson, 'application/x-ndjson'), 413, /the limit is 50/);
  });

  it('rejects an event over the event size limit, and only that event', async () => {
    const response = await postEvents([
      cloudEvent({ id: 'small' }),
      cloudEvent({ id: 'big', data: { pad: 'x'.repeat(3000) } }),
    ]);
    expect(response.status).toBe(207);
    const body = await readJson(response);
    expect(body.rejected).toEqual([
      {
        index: 1,
        id: 'big',
        errors: [{ path: '', message: expect.stringMatching(/^event is \d+ bytes; the limit is 2048$/) }],
      },
    ]);
    expect(await countRawEvents(t.app.db)).toBe(before + 1);
  });

  it('names every missing or empty required attribute', async () => {
    await expectRejected({ data: {} }, [
      { path: '/specversion', message: 'is required' },
      { path: '/id', message: 'is required' },
      { path: '/source', message: 'is required' },
      { path: '/type', message: 'is required' },
    ]);
    await expectRejected(cloudEvent({ id: '', source: '  ', type: '' }), [
      { path: '/id', message: 'must not be empty' },
      { path: '/source', message: 'must not be empty' },
      { path: '/type', message: 'must not be empty' },
    ]);
  });

  it('rejects a non-string id and an id over 256 characters', async () => {
    await expectRejected(cloudEvent({ id: 12345 }), [{ path: '/id', message: 'must be a string, got number 12345' }]);
    await expectRejected(cloudEvent({ id: 'x'.repeat(257) }), [
      { path: '/id', message: 'must be at most 256 characters, got 257' },
    ]);
  });

  it('rejects data that is not an object', async () => {
    for (const data of [[1, 2], 'text', 42, null]) {
      await expectRejected(cloudEvent({ data }), [{ path: '/data', message: /^must be a JSON object, got/ }]);
    }
  });

  it('rejects invalid and far-future times', async () => {
    for (const time of ['2026-13-01T00:00:00Z', '2026-10-01 12:00:00', '2026-02-30T00:00:00Z', 1730000000]) {
      await expectRejected(cloudEvent({ time }), [{ path: '/time', message: /must be an RFC 3339 timestamp/ }]);
    }
    await expectRejected(cloudEvent({ time: '2026-11-01T00:10:00Z' }), [
      { path: '/time', message: 'is 600 s in the future; at most 300 s is allowed' },
    ]);
    // Within the allowed skew is fine.
    expect((await postEvents([cloudEvent({ time: '2026-11-01T00:04:00Z' })])).status).toBe(200);
  });

  it('rejects __proto__, constructor and prototype keys anywhere in an event', async () => {
    await expectRejected(
      JSON.parse('{"specversion":"1.0","id":"p1","source":"s","type":"t","data":{"__proto__":{"admin":true}}}'),
      [{ path: '/data/__proto__', message: 'key "__proto__" is not allowed' }],
    );
    await expectRejected(cloudEvent({ data: { nested: { constructor: { prototype: { x: 1 } } } } }), [
      { path: '/data/nested/constructor', message: 'key "constructor" is not allowed' },
    ]);
    const raw = '[{"specversion":"1.0","id":"p2","source":"s","type":"t","__proto__":{"polluted":true}}]';
    const response = await post(raw);
    expect(response.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects numbers too large to represent instead of storing them as null', async () => {
    const response = await post(
      '[{"specversion":"1.0","id":"big-number","source":"s","type":"t","data":{"tokens":1e999}}]',
    );
    expect(response.status).toBe(400);
    expect((await readJson(response)).rejected[0].errors).toEqual([
      { path: '/data/tokens', message: 'is a number too large to represent' },
    ]);
  });

  it('refuses a JSON body that is not valid UTF-8', async () => {
    const body = Buffer.concat([
      Buffer.from('[{"specversion":"1.0","id":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('","source":"s","type":"t"}]'),
    ]);
    await expectProblem(await post(body), 400, /not valid UTF-8/);
  });

  it('rejects unknown attributes that are not valid extension names, and binary data', async () => {
    await expectRejected(cloudEvent({ 'Bad-Name': 1, data_base64: 'AAAA' }), [
      { path: '/Bad-Name', message: /is not a CloudEvents attribute/ },
      { path: '/data_base64', message: /binary data is not supported/ },
    ]);
  });

  it('rejects a non-JSON datacontenttype and non-object items', async () => {
    await expectRejected(cloudEvent({ datacontenttype: 'text/xml' }), [
      { path: '/datacontenttype', message: /must be a JSON media type/ },
    ]);
    await expectRejected('just a string', [
      { path: '', message: 'an event must be a JSON object, got string "just a string"' },
    ]);
  });

  it('changed nothing for any of the bad requests above', async () => {
    // Each case ran against the same store; only the two deliberately good events were stored.
    const { rows } = await t.app.db.query<{ id: string }>('select id from raw_events order by seq');
    expect(rows.map((row) => row.id)).toEqual(['small', expect.any(String)]);
  });
});
