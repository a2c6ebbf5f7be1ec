import { describe, expect, it } from 'vitest';
import type { Invoice } from '../billing/index.js';
import type { Catalog } from '../catalog/index.js';
import type { BillingHandOff } from '../connectors/index.js';
import { handOffPostings } from './billing-hand-off.js';

// Which postings a document billed in Stripe becomes, and in what order: its lines as items (tax and
// credits included, to its total), its void as the same items negated after it, a memo after the invoice
// it corrects; nothing for a subscription billed in Meterbridge only.

const catalog = (billedIn?: { target: string; invoices: 'target' | 'meterbridge' }, send = 'invoice_items') =>
  ({
    targets: [{ key: 'stripe', kind: 'stripe', settings: { send }, credentials: 'STRIPE', limits: {} }],
    customers: [{ key: 'acme', externalIds: { billing: 'cus_Acme' } }],
    plans: [{ key: 'team', charges: [], billedIn }],
    subscriptions: [{ key: 'acme-team', customer: 'acme', plan: 'team' }],
  }) as unknown as Catalog;

const lines = [
  { lineNo: 1, kind: 'usage', description: 'Tokens', quantity: '12000', unitPrice: '0.002', amount: '24.00' },
  { lineNo: 2, kind: 'credit', description: 'Prepaid credit', quantity: null, unitPrice: null, amount: '-4.00' },
  { lineNo: 3, kind: 'tax', description: 'Sales tax', quantity: null, unitPrice: null, amount: '1.45' },
].map((line) => ({ ...line, periodStart: '2026-10-01T00:00:00Z', periodEnd: '2026-11-01T00:00:00Z' }));

const invoice = {
  id: 'inv_1',
  document: 'invoice',
  correctsInvoice: null,
  number: 'MB-2026-0001',
  subscription: 'acme-team',
  customer: 'acme',
  legalEntity: 'US',
  currency: 'USD',
  periodStart: '2026-10-01T00:00:00Z',
  periodEnd: '2026-11-01T00:00:00Z',
  total: '21.45',
  lines,
} as unknown as Invoice;

const noDatabase = {} as never;

describe('hand-off postings', () => {
  it("hands every line over as an item, to the document's total, Stripe issuing it when the catalog says", async () => {
    const [posting] = await handOffPostings(noDatabase, catalog({ target: 'stripe', invoices: 'target' }), invoice);
    const body = posting!.body as BillingHandOff;
    expect(posting).toMatchObject({
      kind: 'billing_items',
      subject: 'billing:inv_1',
      period: '2026-10',
      after: undefined,
    });
    expect(body).toMatchObject({ customer: 'cus_Acme', currency: 'USD', issue: true, total: '21.45' });
    expect(body.externalId).toMatch(/^B-[A-Z2-7]{14}$/);
    expect(body.items.map((item) => [item.amount, item.reference.lineNo])).toEqual([
      ['24.00', 1],
      ['-4.00', 2],
      ['1.45', 3],
    ]);
  });

  it('voids by the same items negated, sent after the original', async () => {
    const billed = catalog({ target: 'stripe', invoices: 'meterbridge' });
    const [original] = await handOffPostings(noDatabase, billed, invoice);
    const [voiding] = await handOffPostings(noDatabase, billed, invoice, true);
    const body = voiding!.body as BillingHandOff;
    expect(voiding).toMatchObject({ subject: 'billing-void:inv_1', after: original!.externalId });
    expect(body.externalId).not.toBe(original!.externalId);
    expect(body).toMatchObject({ issue: false, total: '-21.45' });
    expect(body.items.map((item) => [item.amount, item.unitPrice, item.reference.voided])).toEqual([
      ['-24.00', null, true],
      ['4.00', null, true],
      ['-1.45', null, true],
    ]);
  });

  it('sends a memo after the invoice it corrects', async () => {
    const billed = catalog({ target: 'stripe', invoices: 'meterbridge' });
    const [original] = await handOffPostings(noDatabase, billed, invoice);
    const memo = { ...invoice, id: 'inv_2', document: 'memo', correctsInvoice: 'inv_1' } as Invoice;
    const [posting] = await handOffPostings(noDatabase, billed, memo);
    expect(posting!.after).toBe(original!.externalId);
  });

  it('hands nothing over for a subscription billed in Meterbridge only, or a void of usage a meter counted', async () => {
    expect(await handOffPostings(noDatabase, catalog(), invoice)).toEqual([]);
    const metered = catalog({ target: 'stripe', invoices: 'meterbridge' }, 'meter_events');
    expect(await handOffPostings(noDatabase, metered, invoice, true)).toEqual([]);
  });
});
