import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectProblem } from '../../../../test/harness/expect-problem.js';
import { readJson } from '../../../../test/harness/read-json.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../../test/harness/test-app.js';

/** GET /v1/lineage refuses what it cannot look up with every problem at once, and never answers 500. */
describeEachStore('GET /v1/lineage: bad and hostile queries', (stores) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(stores);
  });
  afterAll(async () => t?.close());

  const errorsOf = async (query: string) =>
    (await expectProblem(await t.request(`/v1/lineage${query}`), 400, /lineage query|request/)).errors;

  it('asks for one lookup when given none, and names each one combined with another', async () => {
    expect(await errorsOf('')).toEqual([
      { path: '/query/event', message: expect.stringContaining('nothing to look up') },
    ]);
    expect(await errorsOf('?event=a/b&document=t/1&invoice=i&line=1')).toEqual([
      { path: '/query/document', message: expect.stringContaining('cannot be combined with event') },
      { path: '/query/invoice', message: expect.stringContaining('cannot be combined with event') },
    ]);
    expect(await errorsOf('?event=a/b&source=a&id=b')).toEqual([
      { path: '/query/source', message: expect.stringContaining('cannot be combined with event') },
    ]);
  });

  it('reports every malformed value, unknown and repeated parameter together', async () => {
    expect(await errorsOf('?event=a/b&event=c/d&limit=0&colour=red&' + encodeURIComponent('we/ird~') + '=1')).toEqual([
      { path: '/query/event', message: 'is given 2 times: give it once' },
      { path: '/query/colour', message: expect.stringContaining('is not a lineage parameter') },
      { path: '/query/we~1ird~0', message: expect.stringContaining('is not a lineage parameter') },
      { path: '/query/limit', message: 'must be an integer from 1 to 1000' },
      { path: '/query/event', message: expect.stringContaining('nothing to look up') },
    ]);
    for (const event of ['nopath', '/id-only', 'source-only/'])
      expect(await errorsOf(`?event=${encodeURIComponent(event)}`)).toEqual([
        { path: '/query/event', message: expect.stringContaining('must be <source>/<id>') },
      ]);
    expect(await errorsOf('?source=s')).toEqual([{ path: '/query/id', message: 'is required with source' }]);
    expect(await errorsOf('?id=i&limit=1001')).toEqual([
      { path: '/query/limit', message: 'must be an integer from 1 to 1000' },
      { path: '/query/source', message: 'is required with id' },
    ]);
    expect(await errorsOf('?invoice=inv_1')).toEqual([{ path: '/query/line', message: 'is required with invoice' }]);
    expect(await errorsOf('?line=0')).toEqual([
      { path: '/query/invoice', message: 'is required with line' },
      { path: '/query/line', message: 'must be a line number (a positive integer)' },
    ]);
    expect(await errorsOf('?invoice=&line=1e3')).toEqual([
      { path: '/query/invoice', message: 'must be an invoice id (1-256 characters)' },
      { path: '/query/line', message: 'must be a line number (a positive integer)' },
    ]);
    expect(await errorsOf('?document=no%20key/1')).toEqual([
      { path: '/query/document', message: expect.stringContaining('must start with a target key') },
    ]);
    expect(await errorsOf('?document=netsuite-us')).toEqual([
      { path: '/query/document', message: expect.stringContaining("must end with the document's id") },
    ]);
  });

  it('refuses NUL characters, lone surrogates and huge values as 4xx, never 500', async () => {
    expect(await errorsOf('?event=a%00b/c')).toEqual([{ path: '/query/event', message: expect.any(String) }]);
    const surrogate = await t.request('/v1/lineage?event=a%ED%A0%80/b');
    expect(surrogate.status, JSON.stringify(await readJson(surrogate))).toBeGreaterThanOrEqual(400);
    expect(surrogate.status).toBeLessThan(500);
    expect(await errorsOf(`?event=${'s'.repeat(2000)}/x`)).toEqual([
      { path: '/query/event', message: 'the source must be 1-1024 characters' },
    ]);
    expect(await errorsOf(`?source=s&id=${'i'.repeat(300)}`)).toEqual([
      { path: '/query/id', message: 'the event id must be 1-256 characters' },
    ]);
    expect(await errorsOf(`?invoice=inv&line=${'9'.repeat(400)}`)).toEqual([
      { path: '/query/line', message: 'must be a line number (a positive integer)' },
    ]);
    expect(await errorsOf(`?event=a/b&limit=${'9'.repeat(400)}`)).toEqual([
      { path: '/query/limit', message: 'must be an integer from 1 to 1000' },
    ]);
    // Past Node's header limit the request never reaches the route: still a client error.
    const huge = await t.request(`/v1/lineage?event=a/${'x'.repeat(40_000)}`);
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);
    // Parameters repeated many times, and a name with odd characters.
    const many = await t.request(`/v1/lineage?${Array.from({ length: 500 }, (_, i) => `line=${i}`).join('&')}`);
    expect(many.status).toBe(400);
    // A prototype's name is refused before any route reads the query; other odd names are named.
    expect(await errorsOf('?__proto__=1&event=a/b')).toEqual([
      { path: '/query/__proto__', message: 'key "__proto__" is not allowed' },
    ]);
    expect(await errorsOf('?constructor=2&event=a/b&event[]=c')).toEqual([
      { path: '/query/constructor', message: expect.stringContaining('is not a lineage parameter') },
      { path: '/query/event[]', message: expect.stringContaining('is not a lineage parameter') },
    ]);
  });

  it('answers 404 naming what it looked up when the ids do not exist, and 401 without a key', async () => {
    const body = await expectProblem(
      await t.request(`/v1/lineage?source=${encodeURIComponent('urn:a/b/c')}&id=${encodeURIComponent('é/1')}`),
      404,
      /no event has source "urn:a\/b\/c" and id "é\/1"/,
    );
    expect(body.errors.map((item: { path: string }) => item.path)).toEqual(['/query/source', '/query/id']);
    await expectProblem(await t.request('/v1/lineage?document=file-out/exports/2026-10.csv:3'), 404, /no document/);
    await expectProblem(await t.request('/v1/lineage?invoice=inv_x&line=1'), 404, /there is no invoice "inv_x"/);
    await expectProblem(await t.request('/v1/lineage?event=a/b', { key: null }), 401, /API key/);
  });
});
