import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNetSuiteEmulator, type NetSuiteEmulator } from '../../../emulators/netsuite/index.js';
import { DeliveryFailure, type ErpDocument, type TargetDefinition } from '../connector.js';
import { createNetSuiteConnector, createNetSuiteContext } from './netsuite-connector.js';

// Invoice mode against the emulator: the tax as a line of the target's tax item, the Meterbridge number
// and id where a person searches NetSuite, and a credit memo applied to the invoice it corrects — in
// whole, in part when the invoice is partly paid, not at all when it is paid or absent — once, however
// often the memo is delivered.

const signal = () => AbortSignal.timeout(10_000);
let emulator: NetSuiteEmulator;

beforeAll(async () => {
  emulator = await startNetSuiteEmulator({ seed: 3 });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator?.close());

function connector(settings: Record<string, unknown> = { taxItem: '90' }) {
  const target: TargetDefinition = {
    key: 'ns',
    kind: 'netsuite',
    settings: {
      accountId: '1234567_SB1',
      baseUrl: emulator.url,
      auth: { method: 'tba' },
      currencies: { USD: '1' },
      ...settings,
    },
    credentials: 'NS',
    limits: { requestsPerSecond: 100, concurrency: 4 },
  };
  const { consumerKey, consumerSecret, tokenId, tokenSecret } = emulator.credentials;
  const secret = JSON.stringify({ consumerKey, consumerSecret, tokenId, tokenSecret });
  return createNetSuiteConnector(target, async () => secret, createNetSuiteContext());
}

/** Invoice MB-7 (id inv_7): 100.00 of API calls and 7.25 tax; or its credit memo of `amount` + no tax. */
function invoice(): ErpDocument {
  return {
    type: 'invoice',
    externalId: 'I-INV7',
    legalEntity: 'US',
    customer: '100',
    currency: 'USD',
    documentDate: '2026-11-01',
    memo: 'Meterbridge MB-7',
    dimensions: { subsidiary: '1' },
    lines: [
      {
        item: '10',
        description: 'API calls',
        quantity: '8000',
        unitPrice: '0.0125',
        amount: '100.00',
        reference: { invoiceId: 'inv_7', invoiceNumber: 'MB-7', lineNo: 1 },
      },
    ],
    tax: '7.25',
    total: '107.25',
    source: { invoiceId: 'inv_7', invoiceNumber: 'MB-7' },
  };
}
function memo(externalId: string, amount: string, corrects = 'I-INV7'): ErpDocument {
  return {
    ...invoice(),
    type: 'credit_memo',
    externalId,
    memo: `Meterbridge ${externalId}`,
    lines: [{ ...invoice().lines[0]!, quantity: null, unitPrice: null, amount, description: 'Late usage credit' }],
    tax: '0.00',
    total: amount,
    corrects,
    source: { invoiceId: `inv_${externalId}`, invoiceNumber: externalId },
  };
}

const record = (externalId: string) => emulator.records().find((one) => one.externalId === externalId);

describe('NetSuite invoice mode against the emulator', () => {
  it('posts the tax with the tax item and the Meterbridge references, to the total', async () => {
    const { id } = await connector().deliver(invoice(), signal());
    expect(record('I-INV7')).toMatchObject({
      id,
      memo: 'Meterbridge MB-7 (id inv_7)',
      otherRefNum: 'MB-7',
      subtotal: 100,
      taxTotal: 7.25,
      total: 107.25,
      item: {
        items: [
          { item: { id: '10' }, amount: 100, description: 'API calls (MB-7 line 1)' },
          { item: { id: '90' }, amount: 7.25, description: 'Tax of MB-7' },
        ],
      },
    });
    // Without a tax item the document is refused before any request.
    const before = emulator.stats().requests;
    const failure = await connector({})
      .deliver({ ...invoice(), externalId: 'I-INV8' }, signal())
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeliveryFailure);
    expect(failure).toMatchObject({ failureClass: 'invalid', detail: { path: 'tax' } });
    expect(emulator.stats().requests).toBe(before);
  });

  it('applies a credit memo to the invoice it corrects, once however often it is delivered', async () => {
    const ns = connector();
    const { id: invoiceId } = await ns.deliver(invoice(), signal());
    const first = await ns.deliver(memo('C-1', '20.00'), signal());
    // Delivered again (a retry after a lost answer): the same memo, applied once.
    expect((await ns.deliver(memo('C-1', '20.00'), signal())).id).toBe(first.id);
    expect(record('C-1')).toMatchObject({
      applied: 20,
      unapplied: 0,
      memo: 'Meterbridge C-1 (id inv_C-1)',
      apply: { items: [{ doc: { id: invoiceId }, apply: true, amount: 20 }] },
    });
    expect(record('I-INV7')).toMatchObject({ amountRemaining: 87.25 });
  });

  it('reads its own earlier application back (the memo with expandSubResources) before applying it again', async () => {
    const ns = connector();
    const { id: invoiceId } = await ns.deliver(invoice(), signal());
    await ns.deliver(memo('C-ALL', '107.25'), signal());
    expect(record('I-INV7')).toMatchObject({ amountRemaining: 0 });
    // Delivered again: nothing is open on the invoice, but what the memo itself applied is given back first.
    await ns.deliver(memo('C-ALL', '107.25'), signal());
    expect(record('C-ALL')).toMatchObject({
      applied: 107.25,
      unapplied: 0,
      memo: 'Meterbridge C-ALL (id inv_C-ALL)',
      apply: { items: [{ doc: { id: invoiceId }, apply: true, amount: 107.25 }] },
    });
  });

  it('applies what is open on a partly paid invoice and leaves the rest unapplied, saying so', async () => {
    const ns = connector();
    const { id: invoiceId } = await ns.deliver(invoice(), signal());
    emulator.pay(invoiceId, '100.00');
    await ns.deliver(memo('C-2', '10.00'), signal());
    expect(record('C-2')).toMatchObject({
      applied: 7.25,
      unapplied: 2.75,
      memo: 'Meterbridge C-2 (id inv_C-2); 2.75 left unapplied: invoice I-INV7 had 7.25 open',
      apply: { items: [{ doc: { id: invoiceId }, amount: 7.25 }] },
    });
    expect(record('I-INV7')).toMatchObject({ amountRemaining: 0 });
    // Paid in full: nothing to apply, and the memo is still posted.
    await ns.deliver(memo('C-3', '5.00'), signal());
    expect(record('C-3')).toMatchObject({ applied: 0, unapplied: 5, apply: { items: [] } });
    expect(String(record('C-3')?.memo)).toContain('5.00 left unapplied: invoice I-INV7 had 0.00 open');
  });

  it('posts a memo unapplied when NetSuite holds no invoice it corrects', async () => {
    await connector().deliver(memo('C-4', '3.00', 'I-GONE'), signal());
    expect(record('C-4')).toMatchObject({ applied: 0, unapplied: 3 });
    expect(String(record('C-4')?.memo)).toContain('unapplied: NetSuite holds no invoice I-GONE to apply it to');
  });
});
