import { describe, expect, it } from 'vitest';
import type { Catalog } from './catalog.js';
import { diffCatalogs, isEmptyDiff } from './catalog-diff.js';
import { loadCatalog } from './load-catalog.js';
import { unannouncedMeterChanges } from './meter-changes.js';
import { referenceCatalogYaml } from '../../../test/fixtures/reference-catalog.js';

function reference(): Catalog {
  return loadCatalog(referenceCatalogYaml(), 'catalog.yaml');
}

const EMPTY_KIND = { added: [], removed: [], changed: [] };

describe('diffCatalogs', () => {
  it('lists every object as added when there is no previous catalog, keys sorted', () => {
    const diff = diffCatalogs(undefined, reference());
    expect(diff).toEqual({
      legalEntities: { added: ['EU', 'US'], removed: [], changed: [] },
      customers: { added: ['acme', 'globex'], removed: [], changed: [] },
      taxRates: { added: ['DE', 'US-CA'], removed: [], changed: [] },
      meters: { added: ['api_calls', 'storage_gb', 'support_hours'], removed: [], changed: [] },
      plans: { added: ['growth'], removed: [], changed: [] },
      subscriptions: { added: ['acme-growth-2026', 'globex-growth-2026'], removed: [], changed: [] },
    });
    expect(isEmptyDiff(diff)).toBe(false);
  });

  it('finds nothing between a catalog and itself, nor when objects are listed in another order', () => {
    const next = reference();
    next.customers.reverse();
    next.meters.reverse();
    const diff = diffCatalogs(reference(), next);
    expect(isEmptyDiff(diff)).toBe(true);
    expect(diff.customers).toEqual(EMPTY_KIND);
  });

  it('names each changed field with its JSON Pointer and its old and new values', () => {
    const next = reference();
    next.customers[0]!.name = 'Acme Corp';
    next.customers[0]!.aliases = ['acct_1001'];
    delete next.customers[0]!.externalIds!.billing;
    next.customers[1]!.externalIds!['billing/id'] = 'cus_G';
    const diff = diffCatalogs(reference(), next);
    expect(diff.customers.changed).toEqual([
      {
        key: 'acme',
        changes: [
          { path: '/aliases', old: ['acct_1001', 'acct_1002'], new: ['acct_1001'] },
          { path: '/externalIds/billing', old: 'cus_Acme01' },
          { path: '/name', old: 'Acme Corporation', new: 'Acme Corp' },
        ],
      },
      { key: 'globex', changes: [{ path: '/externalIds/billing~1id', new: 'cus_G' }] },
    ]);
    expect(diff.legalEntities).toEqual(EMPTY_KIND);
  });

  it('reports added and removed objects per kind, keyed by code for legal entities', () => {
    const next = reference();
    next.legalEntities.push({
      code: 'UK',
      name: 'Example UK Ltd',
      currency: 'GBP',
      region: 'europe',
      erpTarget: 'bc-uk',
    });
    next.subscriptions = next.subscriptions.filter((subscription) => subscription.key !== 'globex-growth-2026');
    const diff = diffCatalogs(reference(), next);
    expect(diff.legalEntities).toEqual({ added: ['UK'], removed: [], changed: [] });
    expect(diff.subscriptions).toEqual({ added: [], removed: ['globex-growth-2026'], changed: [] });
  });

  it('keys tax rates by region: a changed rate, an added and a removed region', () => {
    const next = reference();
    next.taxRates[0]!.rate = '7.5';
    next.taxRates.splice(1, 1);
    next.taxRates.push({ region: 'US-NY', rate: '8.875', name: 'New York sales tax' });
    const diff = diffCatalogs(reference(), next);
    expect(diff.taxRates).toEqual({
      added: ['US-NY'],
      removed: ['DE'],
      changed: [{ key: 'US-CA', changes: [{ path: '/rate', old: '7.25', new: '7.5' }] }],
    });
    expect(isEmptyDiff(diff)).toBe(false);
  });

  it('reads a previous catalog stored before tax rates existed as declaring none', () => {
    const { taxRates: _taxRates, ...previous } = reference();
    const diff = diffCatalogs(previous as Catalog, reference());
    expect(diff.taxRates).toEqual({ added: ['DE', 'US-CA'], removed: [], changed: [] });
    expect(diff.customers).toEqual(EMPTY_KIND);
  });

  it("matches a plan's charges by key: a price change, an added and a removed charge", () => {
    const next = reference();
    const charges = next.plans[0]!.charges;
    charges[2]!.prices!.USD = '0.12';
    const removed = charges.splice(3, 1)[0];
    charges.splice(0, 1);
    charges.push({ key: 'seats', model: 'flat', prices: { USD: '10', EUR: '9' } });
    const diff = diffCatalogs(reference(), next);
    expect(removed?.key).toBe('premium_support');
    expect(diff.plans.changed).toEqual([
      {
        key: 'growth',
        changes: [
          { path: '/charges/0', old: reference().plans[0]!.charges[0] },
          { path: '/charges/3', old: reference().plans[0]!.charges[3] },
          { path: '/charges/1/prices/USD', old: '0.10', new: '0.12' },
          { path: '/charges/2', new: { key: 'seats', model: 'flat', prices: { USD: '10', EUR: '9' } } },
        ],
      },
    ]);
  });

  it('reports reordered charges as one change of the list', () => {
    const next = reference();
    next.plans[0]!.charges.reverse();
    const diff = diffCatalogs(reference(), next);
    expect(diff.plans.changed[0]?.changes.map((change) => change.path)).toEqual(['/charges']);
  });

  it('is deterministic: the same inputs give the same diff, serialized identically', () => {
    const next = reference();
    next.meters[1]!.unit = 'GiB';
    next.customers[0]!.taxRegion = 'US-NY';
    expect(JSON.stringify(diffCatalogs(reference(), next))).toBe(
      JSON.stringify(diffCatalogs(reference(), structuredClone(next))),
    );
  });

  it('does not change its inputs', () => {
    const previous = reference();
    const next = reference();
    next.customers[0]!.name = 'Other';
    const [before, after] = [structuredClone(previous), structuredClone(next)];
    diffCatalogs(previous, next);
    expect([previous, next]).toEqual([before, after]);
  });
});

describe('unannouncedMeterChanges', () => {
  function check(change: (next: Catalog) => void): string[] {
    const next = reference();
    change(next);
    return unannouncedMeterChanges(reference(), next, diffCatalogs(reference(), next)).map(
      (error) => `${error.path} ${error.message}`,
    );
  }

  it('refuses a definition change without effectiveFrom, naming the meter and the fields', () => {
    const errors = check((next) => {
      next.meters[0]!.groupBy = ['region', 'zone'];
      next.meters[2]!.aggregation = 'max';
    });
    expect(errors).toEqual([
      expect.stringMatching(
        /^\/meters\/0\/effectiveFrom meter "api_calls" changes its definition \(groupBy\): state an effectiveFrom .* replay$/,
      ),
      expect.stringMatching(/^\/meters\/2\/effectiveFrom meter "support_hours" changes its definition \(aggregation\)/),
    ]);
  });

  it('accepts a definition change with an effectiveFrom later than the previous one, and refuses an earlier or equal one', () => {
    expect(
      check((next) => Object.assign(next.meters[0]!, { groupBy: [], effectiveFrom: '2026-12-01T00:00:00Z' })),
    ).toEqual([]);
    expect(
      check((next) => Object.assign(next.meters[1]!, { valuePath: 'usage.gb', effectiveFrom: '2026-06-01T00:00:00Z' })),
    ).toEqual([]);
    expect(
      check((next) =>
        Object.assign(next.meters[1]!, { valuePath: 'usage.gb', effectiveFrom: '2026-01-01T01:00:00+01:00' }),
      ),
    ).toEqual([expect.stringContaining('later than its current 2026-01-01T00:00:00Z')]);
    expect(check((next) => Object.assign(next.meters[1]!, { valuePath: 'usage.gb' }))).toHaveLength(1);
  });

  it('lets descriptive fields change freely', () => {
    expect(check((next) => Object.assign(next.meters[0]!, { unit: 'call', allowNegative: true }))).toEqual([]);
  });
});
