import { copyTextRow } from '../src/platform/database/copy-text.js';

/**
 * Usage records for the billing benchmark, written straight into `usage_records` as COPY text (what
 * the metering stage would have derived from the events of bench/metering-events.ts): October 2026,
 * spread evenly over the `subscriptions` generated subscriptions of `meteringCatalogJson` (customer
 * `bench-c<i>`, subscription `bench-c<i>-growth`) and the reference catalog's three meters.
 *
 * Record m (0-based; event_seq m + 1) belongs to subscription m % S; its meter follows from
 * floor(m / S) % 100: 0–2 storage_gb (max, a value), 3 support_hours (sum, a value), the rest
 * api_calls (count, grouped by region). With N = 100 × S every subscription gets 96 / 3 / 1.
 */
export const USAGE_COLUMNS = [
  'event_seq',
  'meter_key',
  'event_time',
  'received_at',
  'customer_key',
  'subscription_key',
  'legal_entity',
  'currency',
  'value',
  'distinct_key',
  'dimensions',
  'catalog_version',
  'meter_effective_from',
  'derived_at',
] as const;

const OCTOBER_START = Date.parse('2026-10-01T00:00:00Z');
const OCTOBER_SECONDS = 31 * 86_400;
const RECEIVED = '2026-11-01T00:05:00.000Z';
/** The reference catalog's storage_gb meter is effective from this instant (docs/catalog.md). */
const STORAGE_EFFECTIVE_FROM = '2026-01-01T00:00:00.000Z';

export type BenchMeter = 'api_calls' | 'storage_gb' | 'support_hours';

export function meterOf(m: number, subscriptions: number): BenchMeter {
  const r = Math.floor(m / subscriptions) % 100;
  if (r <= 2) return 'storage_gb';
  if (r === 3) return 'support_hours';
  return 'api_calls';
}

/** What the loaded records add up to, for the checks after the run (support hours in quarter hours: exact). */
export interface LoadedTotals {
  apiCalls: number;
  storageRecords: number;
  supportRecords: number;
  supportQuarterHours: number;
}

export function expectedTotals(records: number, subscriptions: number): LoadedTotals {
  const totals: LoadedTotals = { apiCalls: 0, storageRecords: 0, supportRecords: 0, supportQuarterHours: 0 };
  for (let m = 0; m < records; m += 1) {
    const meter = meterOf(m, subscriptions);
    if (meter === 'api_calls') totals.apiCalls += 1;
    else if (meter === 'storage_gb') totals.storageRecords += 1;
    else {
      totals.supportRecords += 1;
      totals.supportQuarterHours += (m % 8) + 1;
    }
  }
  return totals;
}

/** COPY text of records [from, to), deterministic; `catalogVersion` is the version the catalog apply created. */
export function usageCopyText(from: number, to: number, subscriptions: number, catalogVersion: number): string {
  const lines: string[] = [];
  for (let m = from; m < to; m += 1) {
    const customer = m % subscriptions;
    const meter = meterOf(m, subscriptions);
    // A multiplicative hash spreads event times over the whole month (whole seconds).
    const eventTime = new Date(OCTOBER_START + ((m * 2_654_435_761) % OCTOBER_SECONDS) * 1000).toISOString();
    const us = customer % 2 === 0;
    let value: string | null = null;
    let dimensions = '{}';
    if (meter === 'storage_gb') value = String(((m * 37) % 2000) / 4);
    else if (meter === 'support_hours') value = String(((m % 8) + 1) / 4);
    else dimensions = m % 3 === 0 ? '{"region":"eu"}' : '{"region":"us"}';
    lines.push(
      copyTextRow([
        m + 1,
        meter,
        eventTime,
        RECEIVED,
        `bench-c${customer}`,
        `bench-c${customer}-growth`,
        us ? 'US' : 'EU',
        us ? 'USD' : 'EUR',
        value,
        null,
        dimensions,
        catalogVersion,
        meter === 'storage_gb' ? STORAGE_EFFECTIVE_FROM : null,
        RECEIVED,
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}
