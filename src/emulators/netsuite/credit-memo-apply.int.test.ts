import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { creditMemoBody, invoiceBody, tbaRequest } from '../../../test/harness/netsuite-emulator-client.js';
import { startNetSuiteEmulator, type NetSuiteEmulator } from './netsuite-emulator.js';

// Invoices with tax lines, and credit memos applied to them through their `apply` sublist: what an
// invoice shows as applied and open, what a memo shows as applied, and NetSuite's refusals of an
// application to an unknown invoice or beyond what is open, each at its path, changing nothing.

let emulator: NetSuiteEmulator;
const put = (type: string, externalId: string, json: unknown) =>
  tbaRequest(emulator.url, emulator.credentials, { method: 'PUT', path: `record/v1/${type}/eid:${externalId}`, json });
/** A record by external id; `expand` asks for its sublists' lines, as NetSuite needs to show them. */
const get = (type: string, externalId: string, expand = false) =>
  tbaRequest(emulator.url, emulator.credentials, {
    path: `record/v1/${type}/eid:${externalId}${expand ? '?expandSubResources=true' : ''}`,
  });
const idOf = (answer: { headers: Headers }) => answer.headers.get('location')?.split('/').pop() ?? '';

beforeAll(async () => {
  emulator = await startNetSuiteEmulator();
});
beforeEach(() => emulator.reset());
afterAll(() => emulator?.close());

describe('NetSuite emulator: tax lines and credit memos applied to invoices', () => {
  it("keeps an invoice's tax lines apart: the total is the item lines plus the tax", async () => {
    expect((await put('invoice', 'I-1', invoiceBody('I-1', 100, 7.25))).status).toBe(204);
    expect((await get('invoice', 'I-1', true)).body).toMatchObject({
      subtotal: 100,
      taxTotal: 7.25,
      total: 107.25,
      amountPaid: 0,
      amountRemaining: 107.25,
      otherRefNum: 'I-1',
      item: { items: [{ item: { id: '10' } }, { item: { id: '90' }, amount: 7.25 }] },
    });
    const negative = await put('invoice', 'I-2', invoiceBody('I-2', -5, 1));
    expect(negative.status).toBe(400);
    expect(negative.body).toMatchObject({ 'o:errorDetails': [{ 'o:errorPath': 'item.items' }] });
  });

  it('applies a memo to an invoice, lowers what is open, and counts a memo written again once', async () => {
    const invoice = idOf(await put('invoice', 'I-1', invoiceBody('I-1', 100, 7.25)));
    const apply = [{ doc: { id: invoice }, apply: true, amount: 30 }];
    const memo = await put('creditMemo', 'C-1', creditMemoBody('C-1', 30, apply));
    expect(memo.status).toBe(204);
    expect((await put('creditMemo', 'C-1', creditMemoBody('C-1', 30, apply))).status).toBe(204);
    expect((await get('invoice', 'I-1')).body).toMatchObject({ amountPaid: 30, amountRemaining: 77.25 });
    expect((await get('creditMemo', 'C-1', true)).body).toMatchObject({
      applied: 30,
      unapplied: 0,
      apply: { items: [{ doc: { id: invoice }, apply: true, amount: 30, refNum: 'INV1', due: 77.25 }] },
    });
    // Not asked to expand, the memo's sublists are links only; what is applied is still a body field.
    const bare = (await get('creditMemo', 'C-1')).body as Record<string, Record<string, unknown>>;
    expect(bare).toMatchObject({ applied: 30, unapplied: 0 });
    expect(Object.keys(bare.apply ?? {})).toEqual(['links']);
    expect(Object.keys(bare.item ?? {})).toEqual(['links']);
    // An amount left out is what is open, up to what is left of the credit.
    await put('creditMemo', 'C-2', creditMemoBody('C-2', 100, [{ doc: { id: invoice }, apply: true }]));
    expect((await get('creditMemo', 'C-2')).body).toMatchObject({ applied: 77.25, unapplied: 22.75 });
    expect((await get('invoice', 'I-1')).body).toMatchObject({ amountRemaining: 0 });
  });

  it('refuses an unknown invoice, another customer’s, more than is open, and more than the memo', async () => {
    const invoice = idOf(await put('invoice', 'I-1', invoiceBody('I-1', 50)));
    const other = idOf(await put('invoice', 'I-2', invoiceBody('I-2', 50, undefined, { entity: { id: '101' } })));
    emulator.pay(invoice, '20.00');
    const cases: Array<[unknown[], number, string]> = [
      [[{ doc: { id: '999' }, apply: true, amount: 1 }], 10, 'apply.items[0].doc'],
      [[{ doc: { id: other }, apply: true, amount: 1 }], 10, 'apply.items[0].doc'],
      [[{ doc: { id: invoice }, apply: true, amount: 30.01 }], 40, 'apply.items[0].amount'],
      [[{ doc: { id: invoice }, apply: true, amount: 10 }], 5, 'apply.items[0].amount'],
      [[{ doc: { id: invoice }, apply: 'yes', amount: 1 }], 5, 'apply.items[0].apply'],
      [[{ doc: { id: invoice }, apply: true, amount: 0.001 }], 5, 'apply.items[0].amount'],
      [
        [
          { doc: { id: invoice }, apply: true, amount: 1 },
          { doc: { id: invoice }, apply: true, amount: 1 },
        ],
        5,
        'apply.items[1].doc',
      ],
    ];
    for (const [apply, total, path] of cases) {
      const answer = await put('creditMemo', 'C-BAD', creditMemoBody('C-BAD', total, apply));
      expect(answer.status, path).toBe(400);
      expect(answer.body, path).toMatchObject({
        'o:errorDetails': [{ 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': path }],
      });
    }
    expect((await get('invoice', 'I-1')).body).toMatchObject({ amountPaid: 20, amountRemaining: 30 });
    expect((await get('creditMemo', 'C-BAD')).status).toBe(404);
    // An invoice cannot apply anything, and cannot fall below what is already paid on it.
    expect((await put('invoice', 'I-3', { ...invoiceBody('I-3'), apply: { items: [] } })).status).toBe(400);
    expect((await put('invoice', 'I-1', invoiceBody('I-1', 19))).status).toBe(400);
  });

  it('answers hostile apply sublists with 400, never a 500, and stores nothing', async () => {
    const invoice = idOf(await put('invoice', 'I-1', invoiceBody('I-1', 50)));
    const good = JSON.stringify(creditMemoBody('C-H', 5, [{ doc: { id: invoice }, apply: true, amount: 5 }]));
    const raw = (text: string) =>
      tbaRequest(emulator.url, emulator.credentials, {
        method: 'PUT',
        path: 'record/v1/creditMemo/eid:C-H',
        raw: text,
      });
    const bodies = [
      good.replace('"apply":true', '"apply":true,"apply":false'),
      good.replace('"memo":"Meterbridge C-H"', '"memo":"a\\u0000b"'),
      good.replace('"memo":"Meterbridge C-H"', '"memo":"\\udc00"'),
      good.replace(`{"doc":{"id":"${invoice}"},"apply":true,"amount":5}`, 'null'),
      good.replace(`{"doc":{"id":"${invoice}"},"apply":true,"amount":5}`, `${'['.repeat(5000)}${']'.repeat(5000)}`),
      good.replace(`"doc":{"id":"${invoice}"}`, '"doc":null'),
      good.replace(`"doc":{"id":"${invoice}"}`, '"doc":{"id":"1e3"}'),
      good.replace('"apply":{"items":[', '"apply":{"items":{"0":').replace(']}}', '}}}'),
      good.replace('"amount":5}', '"amount":5.0000000000000001}'),
    ];
    for (const [index, body] of bodies.entries()) {
      const answer = await raw(body);
      expect(answer.status, `body ${index}`).toBe(400);
      expect(answer.body, `body ${index}`).toMatchObject({ 'o:errorDetails': [{ 'o:errorCode': expect.any(String) }] });
    }
    const huge = await raw(good.replace('"memo":"Meterbridge C-H"', `"memo":"${'x'.repeat(11 * 1024 * 1024)}"`));
    expect(huge.status).toBe(413);
    expect(emulator.stats().outcomes.serverError).toBe(0);
    expect((await get('creditMemo', 'C-H')).status).toBe(404);
    expect((await get('invoice', 'I-1')).body).toMatchObject({ amountRemaining: 50 });
  });

  it('takes payments and token revocations through the admin endpoint, refusing bad ones with 400', async () => {
    const invoice = idOf(await put('invoice', 'I-1', invoiceBody('I-1', 50)));
    const admin = (path: string, body?: string) =>
      fetch(`${emulator.url}/__emulator/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    expect((await admin('payments', JSON.stringify({ invoice, amount: 12.5 }))).status).toBe(204);
    expect((await get('invoice', 'I-1')).body).toMatchObject({ amountPaid: 12.5, amountRemaining: 37.5 });
    for (const body of [
      JSON.stringify({ invoice, amount: 100 }),
      JSON.stringify({ invoice, amount: -1 }),
      JSON.stringify({ invoice: null, amount: 1 }),
      '{"invoice":"101","invoice":"102","amount":1}',
      '{"invoice":"\\u0000","amount":1}',
      '[',
    ])
      expect((await admin('payments', body)).status, body).toBe(400);
    expect((await admin('payments', JSON.stringify({ invoice: '999', amount: 1 }))).status).toBe(404);
    expect(await (await admin('tokens/revoke')).json()).toEqual({ revoked: 0 });
  });
});
