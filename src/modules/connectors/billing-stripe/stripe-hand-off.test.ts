import { describe, expect, it } from 'vitest';
import type { BillingHandOff, BillingItem, UsageHandOff } from '../connector.js';
import { DeliveryFailure } from '../connector.js';
import { invoiceItemsOf, meterEventsOf } from './stripe-hand-off.js';

const line = (overrides: Partial<BillingItem>): BillingItem => ({
  description: 'Tokens',
  quantity: null,
  unitPrice: null,
  amount: '0.00',
  period: { start: '2026-10-01T00:00:00Z', end: '2026-11-01T00:00:00Z' },
  reference: { invoiceId: 'inv_1', invoiceNumber: 'MB-1', lineNo: 1 },
  ...overrides,
});

const handOff = (items: BillingItem[], currency = 'USD', total?: string): BillingHandOff => ({
  type: 'billing_items',
  externalId: 'B-AAAAAAAAAAAAAA',
  customer: 'cus_Acme',
  currency,
  issue: false,
  memo: 'October',
  source: { invoiceId: 'inv_1', invoiceNumber: 'MB-1' },
  items,
  total: total ?? items.reduce((sum, item) => sum + Number(item.amount), 0).toFixed(currency === 'JPY' ? 0 : 2),
});

function refusal(run: () => unknown): DeliveryFailure {
  try {
    run();
  } catch (error) {
    if (error instanceof DeliveryFailure) return error;
    throw error;
  }
  throw new Error('expected a DeliveryFailure');
}

describe('invoice items of a hand-off', () => {
  it('sends a unit price times a whole quantity where that is the amount exactly, else the amount', () => {
    const [unit, tiered, fractional, tax] = invoiceItemsOf(
      handOff([
        line({ quantity: '1003', unitPrice: '0.00125', amount: '1.25' }), // 125.375 cents: not the amount
        line({ quantity: '12000', unitPrice: '0.002', amount: '24.00' }),
        line({ quantity: '2.5', unitPrice: '4.00', amount: '10.00' }),
        line({ description: 'Sales tax', amount: '2.56' }),
      ]),
    );
    expect(unit!.charge).toEqual({ amount: 125 });
    expect(unit!.description).toBe('Tokens (1003 at 0.00125)');
    expect(tiered!.charge).toEqual({ unitAmountDecimal: '0.2', quantity: 12000 });
    expect(tiered!.description).toBe('Tokens');
    expect(fractional!.charge).toEqual({ amount: 1000 });
    expect(tax!.charge).toEqual({ amount: 256 });
    expect(tax!.metadata).toEqual({
      meterbridge_invoice: 'MB-1',
      meterbridge_invoice_id: 'inv_1',
      meterbridge_invoice_line: '1',
    });
  });

  it('takes credits as negative amounts and a zero-decimal currency in whole units', () => {
    const [credit] = invoiceItemsOf(handOff([line({ amount: '-12.50' })]));
    expect(credit!.charge).toEqual({ amount: -1250 });
    const [yen] = invoiceItemsOf(handOff([line({ quantity: '3', unitPrice: '150', amount: '450' })], 'JPY'));
    expect(yen!.charge).toEqual({ unitAmountDecimal: '150', quantity: 3 });
  });

  it('refuses a fraction of a minor unit, an unknown currency and items that miss the total, naming where', () => {
    expect(refusal(() => invoiceItemsOf(handOff([line({ amount: '1.005' })]))).detail.path).toBe('items[0].amount');
    expect(refusal(() => invoiceItemsOf(handOff([line({ amount: '1.00' })], 'XXQ'))).message).toMatch(
      /XXQ is not an ISO 4217 currency/,
    );
    const missed = refusal(() => invoiceItemsOf(handOff([line({ amount: '1.00' })], 'USD', '1.01')));
    expect(missed).toMatchObject({
      failureClass: 'invalid',
      message: expect.stringMatching(/add up to 1, not its total 1.01/),
    });
  });

  it('clips a description past 500 characters, never through a character', () => {
    const [long] = invoiceItemsOf(handOff([line({ description: 'x'.repeat(600), amount: '1.00' })]));
    expect(long!.description).toHaveLength(500);
    const [emoji] = invoiceItemsOf(handOff([line({ description: `${'a'.repeat(498)}😀tail`, amount: '1.00' })]));
    expect([...emoji!.description!]).toHaveLength(500);
    expect(emoji!.description).toBe(`${'a'.repeat(498)}😀…`);
    expect(() => encodeURIComponent(emoji!.description!)).not.toThrow();
  });

  it("uses Stripe's minor units where they are not ISO's: ISK in two decimals, three-decimal amounts ending in 0", () => {
    const [isk] = invoiceItemsOf(handOff([line({ amount: '5000' })], 'ISK'));
    expect(isk!.charge).toEqual({ amount: 500000 });
    const [kwd] = invoiceItemsOf(handOff([line({ amount: '5.120' })], 'KWD'));
    expect(kwd!.charge).toEqual({ amount: 5120 });
    expect(refusal(() => invoiceItemsOf(handOff([line({ amount: '5.125' })], 'KWD'))).message).toMatch(
      /three-decimal amounts with a last digit of 0/,
    );
  });
});

describe('meter events of a usage hand-off', () => {
  const usage: UsageHandOff = {
    type: 'usage_events',
    externalId: 'U-AAAAAAAAAAAAAA',
    customer: 'cus_Acme',
    source: { invoiceId: 'inv_1', invoiceNumber: 'MB-1' },
    part: 1,
    events: [
      { key: '17.tokens', meter: 'tokens', value: '12000', time: '2026-10-03T10:00:00Z' },
      { key: '18.calls', meter: 'calls', value: '1', time: '2026-10-03T10:00:01Z' },
    ],
  };

  it("names each record's Stripe meter, and refuses a meter the target maps nowhere", () => {
    expect(meterEventsOf(usage, { tokens: 'llm_tokens', calls: 'api_calls' })).toEqual([
      { eventName: 'llm_tokens', customer: 'cus_Acme', value: '12000', timestamp: new Date('2026-10-03T10:00:00Z') },
      { eventName: 'api_calls', customer: 'cus_Acme', value: '1', timestamp: new Date('2026-10-03T10:00:01Z') },
    ]);
    expect(refusal(() => meterEventsOf(usage, { tokens: 'llm_tokens' })).detail.path).toBe('events[1].meter');
  });
});
