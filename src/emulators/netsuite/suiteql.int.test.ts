import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalEntryBody, tbaRequest } from '../../../test/harness/netsuite-emulator-client.js';
import { startNetSuiteEmulator, type NetSuiteEmulator } from './netsuite-emulator.js';

let emulator: NetSuiteEmulator;
const call = (request: Parameters<typeof tbaRequest>[2]) => tbaRequest(emulator.url, emulator.credentials, request);
const query = (q: string, page = '') => call({ path: `query/v1/suiteql${page}`, json: { q } });

beforeAll(async () => {
  emulator = await startNetSuiteEmulator();
  for (let n = 1; n <= 5; n += 1)
    await call({ path: 'record/v1/journalEntry', json: journalEntryBody(`mb-q-${n}`, n) });
  await call({
    path: 'record/v1/invoice',
    json: {
      externalId: 'mb-q-inv',
      entity: { id: '100' },
      subsidiary: { id: '1' },
      item: { items: [{ item: { id: '10' }, amount: 3 }] },
    },
  });
});
afterAll(() => emulator?.close());

describe('NetSuite emulator SuiteQL', () => {
  it("finds a transaction by external id, values as text, in NetSuite's page shape", async () => {
    const answer = await query("SELECT id, tranid, externalid FROM transaction WHERE externalid = 'mb-q-3'");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      links: [{ rel: 'self', href: `${emulator.url}/services/rest/query/v1/suiteql` }],
      count: 1,
      hasMore: false,
      items: [{ links: [], id: '103', tranid: 'JE3', externalid: 'mb-q-3' }],
      offset: 0,
      totalResults: 1,
    });
  });

  it('finds several by a list of external ids and filters by type', async () => {
    const listed = await query("SELECT externalid FROM transaction WHERE externalid IN ('mb-q-1', 'mb-q-inv', 'none')");
    expect(listed.body).toMatchObject({ count: 2, items: [{ externalid: 'mb-q-1' }, { externalid: 'mb-q-inv' }] });
    const invoices = await query("SELECT id, type, foreigntotal, trandate FROM transaction WHERE type = 'CustInvc'");
    expect(invoices.body).toMatchObject({ count: 1, items: [{ type: 'CustInvc', foreigntotal: '3' }] });
  });

  it('pages with limit and offset, saying whether more rows follow', async () => {
    const first = await query('SELECT id FROM transaction ORDER BY id', '?limit=2&offset=0');
    expect(first.body).toMatchObject({
      count: 2,
      hasMore: true,
      offset: 0,
      totalResults: 6,
      items: [{ id: '101' }, { id: '102' }],
    });
    expect((first.body as { links: Array<{ rel: string }> }).links.map((link) => link.rel)).toEqual(['self', 'next']);
    const last = await query('SELECT id FROM transaction ORDER BY id DESC', '?limit=2&offset=4');
    expect(last.body).toMatchObject({ count: 2, hasMore: false, items: [{ id: '102' }, { id: '101' }] });
  });

  it('refuses an unsupported query, a page over 1000 and a body without q', async () => {
    expect((await query('SELECT * FROM transaction')).status).toBe(400);
    expect((await query('SELECT id FROM transaction', '?limit=1001')).status).toBe(400);
    const noQuery = await call({ path: 'query/v1/suiteql', json: { query: 'SELECT id FROM transaction' } });
    expect(noQuery.body).toMatchObject({ status: 400, 'o:errorDetails': [{ 'o:errorCode': 'INVALID_CONTENT' }] });
  });
});
