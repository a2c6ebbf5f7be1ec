import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditMemoBody, invoiceBody, journalEntryBody } from '../../../test/harness/netsuite-emulator-client.js';
import { startNetSuiteEmulator, type NetSuiteEmulator } from './netsuite-emulator.js';

// Driven by `netsuite-rest`, a published NetSuite client that knows nothing of this emulator: it signs
// TBA its own way, builds its own URLs from base_url, sends bodies without a Content-Type and with
// `Prefer: transient`, and parses answers as NetSuite gives them. If it works here, the shapes are
// NetSuite's and not only ours.

// The client spreads got's response into a plain object, which keeps own properties only: Node's
// lazily built `headers` is lost, `rawHeaders` (name, value, name, value...) survives.
interface NetsuiteAnswer {
  statusCode: number;
  rawHeaders: string[];
  data: unknown;
}

function location(answer: NetsuiteAnswer): string | undefined {
  const at = answer.rawHeaders.findIndex((name, index) => index % 2 === 0 && name.toLowerCase() === 'location');
  return at < 0 ? undefined : answer.rawHeaders[at + 1];
}
interface NetsuiteRestClient {
  request(options: {
    path: string;
    method?: string;
    body?: string;
    heads?: Record<string, string>;
  }): Promise<NetsuiteAnswer>;
}
type NetsuiteRestConstructor = new (options: Record<string, string>) => NetsuiteRestClient;

// A CommonJS package without types: loaded through require and described by the interface above.
const NetsuiteRest = createRequire(import.meta.url)('netsuite-rest') as NetsuiteRestConstructor;

let emulator: NetSuiteEmulator;
let client: NetsuiteRestClient;

beforeAll(async () => {
  emulator = await startNetSuiteEmulator();
  const { accountId, consumerKey, consumerSecret, tokenId, tokenSecret } = emulator.credentials;
  client = new NetsuiteRest({
    consumer_key: consumerKey,
    consumer_secret_key: consumerSecret,
    token: tokenId,
    token_secret: tokenSecret,
    realm: accountId,
    base_url: emulator.url,
  });
});
afterAll(() => emulator?.close());

describe('NetSuite emulator driven by the netsuite-rest client', () => {
  it('creates a journal entry, upserts it by external id, reads it back and finds it with SuiteQL', async () => {
    const created = await client.request({
      path: 'record/v1/journalEntry',
      method: 'POST',
      body: JSON.stringify(journalEntryBody('nsrest-je-1', 187)),
    });
    expect(created.statusCode).toBe(204);
    expect(created.data).toBeNull();
    const internalId = location(created)?.split('/').pop();

    const upserted = await client.request({
      path: 'record/v1/journalEntry/eid:nsrest-je-1',
      method: 'PUT',
      body: JSON.stringify(journalEntryBody('nsrest-je-1', 200)),
    });
    expect(upserted.statusCode).toBe(204);
    expect(location(upserted)).toBe(location(created));

    const read = await client.request({ path: 'record/v1/journalEntry/eid:nsrest-je-1?expandSubResources=true' });
    expect(read.statusCode).toBe(200);
    expect(read.data).toMatchObject({
      id: internalId,
      externalId: 'nsrest-je-1',
      line: {
        items: [
          { account: { id: '58' }, debit: 200 },
          { account: { id: '4' }, credit: 200 },
        ],
      },
    });

    const found = await client.request({
      path: 'query/v1/suiteql?limit=10&offset=0',
      method: 'POST',
      body: JSON.stringify({ q: "SELECT id, tranid, externalid FROM transaction WHERE externalid = 'nsrest-je-1'" }),
    });
    expect(found.statusCode).toBe(200);
    expect(found.data).toMatchObject({
      count: 1,
      hasMore: false,
      items: [{ id: internalId, externalid: 'nsrest-je-1' }],
    });
    expect(emulator.records().filter((record) => record.type === 'journalEntry')).toHaveLength(1);
  });

  it('creates an invoice with a tax line, applies a credit memo to it and reads both back', async () => {
    const invoice = await client.request({
      path: 'record/v1/invoice/eid:nsrest-inv-1',
      method: 'PUT',
      body: JSON.stringify(invoiceBody('nsrest-inv-1', 100, 7.25)),
    });
    expect(invoice.statusCode).toBe(204);
    const invoiceId = location(invoice)?.split('/').pop() ?? '';
    const memo = await client.request({
      path: 'record/v1/creditMemo/eid:nsrest-cm-1',
      method: 'PUT',
      body: JSON.stringify(creditMemoBody('nsrest-cm-1', 20, [{ doc: { id: invoiceId }, apply: true, amount: 20 }])),
    });
    expect(memo.statusCode).toBe(204);
    const readMemo = await client.request({ path: 'record/v1/creditMemo/eid:nsrest-cm-1?expandSubResources=true' });
    expect(readMemo.data).toMatchObject({
      externalId: 'nsrest-cm-1',
      applied: 20,
      apply: { items: [{ doc: { id: invoiceId }, apply: true, amount: 20 }] },
    });
    const readInvoice = await client.request({ path: `record/v1/invoice/${invoiceId}` });
    expect(readInvoice.data).toMatchObject({ subtotal: 100, taxTotal: 7.25, total: 107.25, amountRemaining: 87.25 });
  });

  it("sees NetSuite's error shape through the client's own error", async () => {
    const refused = await client
      .request({
        path: 'record/v1/journalEntry',
        method: 'POST',
        body: JSON.stringify({
          ...journalEntryBody('nsrest-bad'),
          line: {
            items: [
              { account: { id: '9999' }, debit: 1 },
              { account: { id: '4' }, credit: 1 },
            ],
          },
        }),
      })
      .then(
        () => undefined,
        (error: { response?: { statusCode: number; body: string } }) => error.response,
      );
    expect(refused?.statusCode).toBe(400);
    expect(JSON.parse(refused?.body ?? '{}')).toMatchObject({
      'o:errorDetails': [{ 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': 'line.items[0].account' }],
    });
  });
});
