import { describe, expect, it } from 'vitest';
import type { Queryable } from '../../platform/database/database.js';
import type { NewMismatch } from './reconciliation.js';
import { reconcileUsage } from './usage-stage.js';

// Records marked billed by a document with no line for their meter, against a store that answers the
// tally queries with fixed rows: a stray is a mismatch, unless its records come to nothing (an invoice
// answers for its plan's metered charges at 0 without a line, as billing drafts none for a quantity of 0).

const usage = (invoiceId: string, meter: string, records: number, quantity: string) => ({
  legal_entity: 'US',
  currency: 'USD',
  customer_key: 'acme',
  subscription_key: 'acme-main',
  invoice_id: invoiceId,
  meter_key: meter,
  records: String(records),
  quantity,
  oldest: '2026-10-02T00:00:00Z',
});

function store(strays: ReturnType<typeof usage>[], lines: { invoice_id: string; meter_key: string }[]): Queryable {
  return {
    exec: async () => undefined,
    async query<Row>(sql: string) {
      const rows = sql.includes('from usage_records')
        ? strays
        : sql.includes('select distinct invoice_id, meter_key from invoice_lines')
          ? lines
          : [];
      return { rows: rows as Row[], rowCount: rows.length };
    },
  };
}

const scope = {
  start: new Date('2026-10-01T00:00:00Z'),
  end: new Date('2026-11-01T00:00:00Z'),
  now: new Date('2026-11-10T00:00:00Z'),
  graceHours: 72,
};

describe('usage billed by a document without a line for its meter', () => {
  it('is a mismatch when the records come to something, and none when they come to 0', async () => {
    const found: NewMismatch[] = [];
    await reconcileUsage(
      store(
        [
          usage('inv_1', 'storage_gb', 3, '0'), // a gauge that stayed at 0: billed at 0, no line
          usage('inv_1', 'support_hours', 2, '0.00'),
          usage('inv_2', 'storage_gb', 3, '12.5'), // usage the document does not show
          usage('inv_2', 'api_calls', 4, '4'), // has its line
        ],
        [{ invoice_id: 'inv_2', meter_key: 'api_calls' }],
      ),
      undefined,
      scope,
      (mismatch) => found.push(mismatch),
    );
    expect(found).toEqual([
      expect.objectContaining({
        class: 'usage_not_on_invoice',
        invoiceId: 'inv_2',
        meter: 'storage_gb',
        expected: '3',
      }),
    ]);
  });
});
