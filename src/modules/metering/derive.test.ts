import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../catalog/index.js';
import { referenceCatalogDocument } from '../../../test/fixtures/reference-catalog.js';
import { deriveEvent, type MeterableEvent } from './derive.js';
import { buildMeteringIndex } from './metering-index.js';

type Doc = ReturnType<typeof referenceCatalogDocument>;

function indexOf(change: (document: Doc) => void = () => undefined) {
  const document = referenceCatalogDocument();
  change(document);
  return buildMeteringIndex(1, loadCatalog(JSON.stringify(document), 'catalog.json'), []);
}

/** The JSON texts the database would pick for the reference index's paths (see the first test). */
const picked = (hours: string) => [null, hours, null, null, '"premium"', null];

function support(subject: string | null, time: string, hours: unknown): MeterableEvent {
  return {
    seq: '1',
    type: 'com.example.support.session',
    subject,
    time: new Date(time),
    receivedAt: new Date(time),
    values: picked(JSON.stringify(hours)),
  };
}

describe('deriveEvent', () => {
  it('reads every path a meter needs (value, filter, group-by) in the index order (the database returns them so)', () => {
    expect(indexOf().dataPaths).toEqual(['billable', 'duration_hours', 'region', 'status', 'tier', 'usage.gigabytes']);
  });

  it('attributes by subject or alias to the subscription active at the event time', () => {
    const derivation = deriveEvent(indexOf(), {
      ...support('acct_1002', '2026-10-01T00:00:00Z', 2),
      values: picked('2'),
    });
    expect(derivation.telemetry).toBe(false);
    expect(derivation.usage).toEqual([
      expect.objectContaining({
        customerKey: 'acme',
        subscriptionKey: 'acme-growth-2026',
        value: '2',
        legalEntity: 'US',
        currency: 'USD',
      }),
    ]);
  });

  it('refuses to choose between two subscriptions that both charge the meter', () => {
    const index = indexOf((document) => {
      document.plans.push({
        key: 'support-addon',
        name: 'Support add-on',
        charges: [{ key: 'hours', meter: 'support_hours', model: 'per_unit', prices: { USD: '100', EUR: '90' } }],
      });
      document.subscriptions.push({
        key: 'acme-support',
        customer: 'acme',
        plan: 'support-addon',
        start: '2026-09-01T00:00:00Z',
        billingPeriod: 'month',
      });
    });
    const derivation = deriveEvent(index, { ...support('acme', '2026-10-01T00:00:00Z', 2), values: picked('2') });
    expect(derivation.exceptions).toEqual([
      expect.objectContaining({
        reason: 'ambiguous_subscription',
        customerKey: 'acme',
        detail: expect.stringContaining('acme-growth-2026, acme-support'),
      }),
    ]);
    // Before the add-on started only one subscription was active.
    expect(
      deriveEvent(index, { ...support('acme', '2026-08-01T00:00:00Z', 2), values: picked('2') }).usage,
    ).toHaveLength(1);
  });

  it('allows negative values only where the meter says so', () => {
    const event = { ...support('acme', '2026-10-01T00:00:00Z', -1), values: picked('-1') };
    expect(deriveEvent(indexOf(), event).exceptions[0]?.reason).toBe('negative_value');
    const allowing = indexOf((document) => {
      document.meters.find((meter: { key: string }) => meter.key === 'support_hours').allowNegative = true;
    });
    expect(deriveEvent(allowing, event).usage[0]?.value).toBe('-1');
  });

  it('is the same result for the same event and catalog (replay depends on it)', () => {
    const event = { ...support('acme', '2026-10-01T00:00:00Z', '1.5'), values: picked('"1.5"') };
    expect(deriveEvent(indexOf(), event)).toEqual(deriveEvent(indexOf(), event));
  });
});
