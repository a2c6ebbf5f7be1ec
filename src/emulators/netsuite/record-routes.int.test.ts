import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { journalEntryBody, tbaRequest } from '../../../test/harness/netsuite-emulator-client.js';
import { startNetSuiteEmulator, type NetSuiteEmulator } from './netsuite-emulator.js';

let emulator: NetSuiteEmulator;
const call = (request: Parameters<typeof tbaRequest>[2]) => tbaRequest(emulator.url, emulator.credentials, request);

beforeEach(async () => {
  emulator ??= await startNetSuiteEmulator();
  emulator.reset();
});
afterAll(() => emulator?.close());

describe('NetSuite emulator records', () => {
  it('creates a journal entry with 204, no body and the Location of its internal id', async () => {
    const created = await call({ path: 'record/v1/journalEntry', json: journalEntryBody('mb-je-1') });
    expect(created.status).toBe(204);
    expect(created.body).toBeUndefined();
    const location = created.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`^${emulator.url}/services/rest/record/v1/journalEntry/\\d+$`));

    const id = location.split('/').pop() ?? '';
    // Asked for nothing more, NetSuite answers the body fields and each sublist as its link only.
    const bare = await call({ path: `record/v1/journalEntry/${id}` });
    expect(bare.status).toBe(200);
    expect(bare.body).toMatchObject({ id, externalId: 'mb-je-1', tranId: 'JE1', total: 187 });
    expect((bare.body as { line: unknown }).line).toEqual({
      links: [{ rel: 'self', href: `${emulator.url}/services/rest/record/v1/journalEntry/${id}/line` }],
    });
    const read = await call({ path: `record/v1/journalEntry/${id}?expandSubResources=true` });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id,
      externalId: 'mb-je-1',
      tranId: 'JE1',
      tranDate: '2026-10-31',
      subsidiary: { id: '1' },
      currency: { id: '1' },
      line: {
        items: [
          { account: { id: '58' }, debit: 187, memo: 'receivable' },
          { account: { id: '4' }, credit: 187, memo: 'usage revenue' },
        ],
      },
    });
    const byExternalId = await call({ path: 'record/v1/journalEntry/eid:mb-je-1?expandSubResources=true' });
    expect(byExternalId.body).toEqual(read.body);
    expect((await call({ path: 'record/v1/journalEntry/eid:mb-je-1' })).body).toEqual(bare.body);
  });

  it('upserts by external id: the second PUT replaces the record and keeps its internal id', async () => {
    const first = await call({
      method: 'PUT',
      path: 'record/v1/journalEntry/eid:mb-up-1',
      json: journalEntryBody('mb-up-1', 10),
    });
    const second = await call({
      method: 'PUT',
      path: 'record/v1/journalEntry/eid:mb-up-1',
      json: journalEntryBody('mb-up-1', 12.5),
    });
    expect([first.status, second.status]).toEqual([204, 204]);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(emulator.records()).toHaveLength(1);
    const read = await call({ path: 'record/v1/journalEntry/eid:mb-up-1' });
    expect(read.body).toMatchObject({ externalId: 'mb-up-1', total: 12.5 });
  });

  it('takes the upsert external id from the URL when the body has none, and refuses a different one', async () => {
    const { externalId: _, ...body } = journalEntryBody('x');
    expect((await call({ method: 'PUT', path: 'record/v1/journalEntry/eid:from-url', json: body })).status).toBe(204);
    expect(emulator.records()[0]).toMatchObject({ externalId: 'from-url' });
    const other = await call({
      method: 'PUT',
      path: 'record/v1/journalEntry/eid:from-url',
      json: journalEntryBody('other'),
    });
    expect(other.body).toMatchObject({
      status: 400,
      'o:errorDetails': [{ 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': 'externalId' }],
    });
  });

  it('refuses an external id with characters NetSuite does not allow', async () => {
    const answer = await call({
      method: 'PUT',
      path: 'record/v1/journalEntry/eid:a%7Cb',
      json: journalEntryBody('a|b'),
    });
    expect(answer.status).toBe(400);
  });

  it("answers 404 in NetSuite's shape for a record that does not exist", async () => {
    for (const path of ['record/v1/journalEntry/999', 'record/v1/invoice/eid:nothing']) {
      const answer = await call({ path });
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({
        title: 'Not Found',
        status: 404,
        'o:errorDetails': [{ 'o:errorCode': 'NONEXISTENT_ID' }],
      });
    }
  });

  it('refuses a second POST with an external id a record of that type already has', async () => {
    await call({ path: 'record/v1/journalEntry', json: journalEntryBody('dup-1') });
    const again = await call({ path: 'record/v1/journalEntry', json: journalEntryBody('dup-1') });
    expect(again.status).toBe(400);
    expect(emulator.records()).toHaveLength(1);
  });

  it('refuses an unbalanced journal entry to the cent, summing decimals exactly', async () => {
    const body = journalEntryBody('unbalanced');
    body.line.items = [
      { account: { id: '58' }, debit: 0.1, memo: '' },
      { account: { id: '58' }, debit: 0.2, memo: '' },
      { account: { id: '4' }, credit: 0.31, memo: '' },
    ] as typeof body.line.items;
    const answer = await call({ path: 'record/v1/journalEntry', json: body });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      'o:errorDetails': [{ 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': 'line.items' }],
    });

    // 0.1 + 0.2 is 0.30000000000000004 in floats, exactly 0.3 here.
    (body.line.items[2] as { credit: number }).credit = 0.3;
    expect((await call({ path: 'record/v1/journalEntry', json: body })).status).toBe(204);
  });

  it('refuses an unknown account, subsidiary or department with the path of the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        {
          line: {
            items: [
              { account: { id: '9999' }, debit: 1 },
              { account: { id: '4' }, credit: 1 },
            ],
          },
        },
        'line.items[0].account',
      ],
      [{ subsidiary: { id: '77' } }, 'subsidiary'],
      [{ currency: { id: '77' } }, 'currency'],
      [
        {
          line: {
            items: [
              { account: { id: '58' }, debit: 1 },
              { account: { id: '4' }, credit: 1, department: { id: '9' } },
            ],
          },
        },
        'line.items[1].department',
      ],
      [{ tranDat: '2026-10-31' }, 'tranDat'],
    ];
    for (const [change, path] of cases) {
      const answer = await call({ path: 'record/v1/journalEntry', json: { ...journalEntryBody('bad'), ...change } });
      expect(answer.status, path).toBe(400);
      expect(answer.body, path).toMatchObject({
        type: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1',
        title: 'Bad Request',
        status: 400,
        'o:errorDetails': [{ 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': path }],
      });
    }
    expect(emulator.records()).toEqual([]);
  });

  it('creates invoices and credit memos with their item lines, validating customer and items', async () => {
    const invoice = {
      externalId: 'mb-inv-1',
      entity: { id: '100' },
      subsidiary: { id: '1' },
      tranDate: '2026-10-31',
      item: { items: [{ item: { id: '10' }, quantity: 1500, rate: 0.125, description: 'API calls' }] },
    };
    expect((await call({ path: 'record/v1/invoice', json: invoice })).status).toBe(204);
    const read = await call({ path: 'record/v1/invoice/eid:mb-inv-1?expandSubResources=true' });
    expect(read.body).toMatchObject({
      tranId: 'INV1',
      entity: { id: '100' },
      total: 187.5,
      item: { items: [{ amount: 187.5 }] },
    });

    const memo = await call({
      method: 'PUT',
      path: 'record/v1/creditMemo/eid:mb-cm-1',
      json: { ...invoice, externalId: undefined },
    });
    expect(memo.status).toBe(204);
    const badItem = await call({
      path: 'record/v1/invoice',
      json: { ...invoice, externalId: 'x2', item: { items: [{ item: { id: '404' }, amount: 1 }] } },
    });
    expect(badItem.body).toMatchObject({ 'o:errorDetails': [{ 'o:errorPath': 'item.items[0].item' }] });
    const badCustomer = await call({
      path: 'record/v1/invoice',
      json: { ...invoice, externalId: 'x3', entity: { id: '5' } },
    });
    expect(badCustomer.body).toMatchObject({ 'o:errorDetails': [{ 'o:errorPath': 'entity' }] });
  });

  it('refuses an unknown record type and methods NetSuite does not take there', async () => {
    expect((await call({ path: 'record/v1/salesOrder', json: {} })).body).toMatchObject({
      'o:errorDetails': [{ 'o:errorCode': 'INVALID_RCRD_TYPE' }],
    });
    expect((await call({ method: 'DELETE', path: 'record/v1/journalEntry/101' })).status).toBe(405);
    expect((await call({ method: 'PUT', path: 'record/v1/journalEntry/101', json: {} })).status).toBe(405);
  });
});
