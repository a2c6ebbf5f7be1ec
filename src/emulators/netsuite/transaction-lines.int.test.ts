import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  creditMemoBody,
  invoiceBody,
  journalEntryBody,
  tbaRequest,
} from '../../../test/harness/netsuite-emulator-client.js';
import { startNetSuiteEmulator, type NetSuiteEmulator } from './netsuite-emulator.js';

// SuiteQL's transactionline as the emulator answers it (each line's account or item and its amounts as
// the line posts), and the admin door's copies and edits made by hand, bad input to either a 4xx.

let emulator: NetSuiteEmulator;
const call = (request: Parameters<typeof tbaRequest>[2]) => tbaRequest(emulator.url, emulator.credentials, request);
const query = (q: string, page = '') => call({ path: `query/v1/suiteql${page}`, json: { q } });
const admin = (path: string, body: string) =>
  fetch(`${emulator.url}/__emulator/records/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  }).then(async (response) => ({ status: response.status, body: (await response.text()) || undefined }));
const LINES = 'SELECT transaction, id, mainline, item, expenseaccount, debitforeignamount, creditforeignamount';

beforeAll(async () => {
  emulator = await startNetSuiteEmulator();
  await call({ path: 'record/v1/journalEntry', json: journalEntryBody('tl-je', 187.5) }); // 101
  await call({ path: 'record/v1/invoice', json: invoiceBody('tl-inv', 100, 8) }); // 102
  await call({ path: 'record/v1/creditMemo', json: creditMemoBody('tl-cm', 30) }); // 103
});
afterAll(() => emulator?.close());

describe('NetSuite emulator SuiteQL transactionline', () => {
  it("answers a journal entry's lines: account, debit or credit, the first line its main line", async () => {
    const answer = await query(`${LINES} FROM transactionline WHERE transaction IN (101) ORDER BY uniquekey`);
    expect(answer.body).toMatchObject({
      count: 2,
      hasMore: false,
      items: [
        { transaction: '101', id: '0', mainline: 'T', expenseaccount: '58', debitforeignamount: '187.5' },
        { transaction: '101', id: '1', mainline: 'F', expenseaccount: '4', creditforeignamount: '187.5' },
      ],
    });
    const [debit, credit] = (answer.body as { items: Array<Record<string, unknown>> }).items;
    expect(debit).not.toHaveProperty('creditforeignamount');
    expect(credit).not.toHaveProperty('debitforeignamount');
  });

  it("answers an invoice's item lines as credits and a credit memo's as debits, beside their main lines", async () => {
    const answer = await query(
      `${LINES}, foreignamount FROM transactionline WHERE transaction IN (102, 103) AND taxline = 'F' ORDER BY uniquekey`,
    );
    expect((answer.body as { items: unknown[] }).items).toEqual([
      { links: [], transaction: '102', id: '0', mainline: 'T', debitforeignamount: '108', foreignamount: '108' },
      {
        links: [],
        transaction: '102',
        id: '1',
        mainline: 'F',
        item: '10',
        creditforeignamount: '100',
        foreignamount: '-100',
      },
      {
        links: [],
        transaction: '102',
        id: '2',
        mainline: 'F',
        item: '90',
        creditforeignamount: '8',
        foreignamount: '-8',
      },
      { links: [], transaction: '103', id: '0', mainline: 'T', creditforeignamount: '30', foreignamount: '-30' },
      {
        links: [],
        transaction: '103',
        id: '1',
        mainline: 'F',
        item: '10',
        debitforeignamount: '30',
        foreignamount: '30',
      },
    ]);
  });

  it('pages lines with limit and offset in uniquekey order', async () => {
    const first = await query('SELECT transaction, id FROM transactionline ORDER BY uniquekey', '?limit=3&offset=0');
    expect(first.body).toMatchObject({ count: 3, hasMore: true, totalResults: 7 });
    const rest = await query('SELECT transaction, id FROM transactionline ORDER BY uniquekey', '?limit=3&offset=3');
    expect(rest.body).toMatchObject({ count: 3, hasMore: true, items: [{ transaction: '102', id: '1' }, {}, {}] });
  });

  it('refuses a hostile or malformed lines query with 400 and never a 5xx', async () => {
    // A NUL is refused by the body's reader already, at the value's path.
    const nul = await query("SELECT item FROM transactionline WHERE memo = 'a\u0000b'");
    expect(nul.body).toMatchObject({ status: 400, 'o:errorDetails': [{ 'o:errorPath': 'q' }] });
    for (const q of [
      'SELECT item FROM transactionline WHERE transaction IN (101) OR 1 = 1',
      'SELECT amount FROM transactionline',
      `SELECT item FROM transactionline WHERE transaction = ${'9'.repeat(5000)}`,
    ]) {
      const answer = await query(q);
      expect(answer.status, q).toBe(400);
      expect(answer.body, q).toMatchObject({ 'o:errorDetails': [{ 'o:errorCode': 'INVALID_PARAMETER' }] });
    }
    const surrogate = await call({
      path: 'query/v1/suiteql',
      raw: '{"q": "SELECT item FROM transactionline WHERE memo = \'\\ud800\'"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(surrogate.status).toBe(400);
    const unknownField = await call({ path: 'query/v1/suiteql', json: { q: 'SELECT id FROM transactionline', x: 1 } });
    expect(unknownField.status).toBe(400);
    expect(emulator.stats().outcomes.serverError).toBe(0);
  });
});

describe('NetSuite emulator records made and edited by hand', () => {
  it('copies a record under its external id: a new internal id, the same lines, the external id still the first', async () => {
    const copy = await admin('copy', JSON.stringify({ externalId: 'tl-je' }));
    expect(copy).toEqual({ status: 201, body: JSON.stringify({ id: '104' }) });
    const listed = await query("SELECT id, externalid, foreigntotal FROM transaction WHERE externalid = 'tl-je'");
    expect(listed.body).toMatchObject({
      count: 2,
      items: [
        { id: '101', foreigntotal: '187.5' },
        { id: '104', foreigntotal: '187.5' },
      ],
    });
    const byExternalId = await call({ path: 'record/v1/journalEntry/eid:tl-je', method: 'GET' });
    expect(byExternalId.body).toMatchObject({ id: '101' });
  });

  it('books a line to an account or item the record does not use, its total kept', async () => {
    expect(await admin('move', JSON.stringify({ externalId: 'tl-je' }))).toEqual({ status: 204, body: undefined });
    expect(await admin('move', JSON.stringify({ externalId: 'tl-inv' }))).toEqual({ status: 204, body: undefined });
    const lines = await query(
      "SELECT transaction, expenseaccount, item FROM transactionline WHERE transaction IN (101, 102) AND mainline = 'F' ORDER BY uniquekey",
    );
    expect((lines.body as { items: unknown[] }).items).toEqual([
      { links: [], transaction: '101', expenseaccount: '4' },
      { links: [], transaction: '102', item: '11' },
      { links: [], transaction: '102', item: '90' },
    ]);
    const first = await query(`${LINES} FROM transactionline WHERE transaction = 101 AND mainline = 'T'`);
    expect(first.body).toMatchObject({ items: [{ expenseaccount: '1', debitforeignamount: '187.5' }] });
  });

  it('refuses a bad body with 400 and an external id nobody holds with 404', async () => {
    for (const body of ['{}', '{"externalId": 5}', '{"externalId": "a|b"}', '{"externalId": "x", "y": 1}', 'nope']) {
      const answer = await admin('copy', body);
      expect(answer.status, body).toBe(400);
    }
    expect((await admin('move', '{"externalId": "a\\u0000"}')).status).toBe(400);
    expect((await admin('move', '{"externalId": "none"}')).status).toBe(404);
  });
});
