import { beforeEach, expect, it } from 'vitest';
import { postingCatalogDocument, postingCatalogYaml } from '../../../test/fixtures/posting-catalog.js';
import { referenceCatalogYaml } from '../../../test/fixtures/reference-catalog.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { migrate } from '../../platform/database/migrate.js';
import { ValidationError } from '../../platform/errors.js';
import { loadCatalog } from './load-catalog.js';
import { createCatalog, type CatalogService } from './service.js';

const NOW = '2026-11-01T00:00:00.000Z';

/** The posting catalog as a JSON file's text, after `change` edits the parsed document. */
function postingJson(change: (document: ReturnType<typeof postingCatalogDocument>) => void): string {
  const document = postingCatalogDocument();
  change(document);
  return JSON.stringify(document);
}

describeEachStore('catalog versions with targets and accounting', (stores) => {
  let db: Database;
  let clock: ManualClock;
  let catalog: CatalogService;
  const versions = async () =>
    (await db.query<{ version: number }>('select version from catalog_versions order by version')).rows.map((row) =>
      Number(row.version),
    );

  beforeEach(async () => {
    db = await stores.fresh();
    await migrate(db);
    clock = new ManualClock(NOW);
    catalog = createCatalog({ db, clock });
  });

  it('applies targets and accounting and reads them back as validated, limits and posting date filled in', async () => {
    const result = await catalog.apply(postingCatalogYaml(), 'posting.yaml', 'alice');
    const expected = loadCatalog(postingCatalogYaml(), 'posting.yaml');
    expect(result.created).toBe(true);
    expect(result.version.diff.targets).toEqual({ added: ['eu-export', 'netsuite-us'], removed: [], changed: [] });
    const stored = await catalog.get(1);
    expect(stored.catalog).toEqual(expected);
    expect(stored.checksum).toBe(result.version.checksum);
    expect(stored.catalog.targets?.[1]?.limits).toEqual({ requestsPerSecond: 5, concurrency: 2 });
    expect(stored.catalog.legalEntities[1]?.accounting?.postingDate).toBe('document');
    // The same content as JSON, targets listed in another order, is no change.
    const reordered = postingJson((document) => document.targets.reverse());
    expect(await catalog.apply(reordered, 'posting.json', 'bob')).toEqual({ created: false, version: stored });
  });

  it('stores a change to a target alone as a new version with that change', async () => {
    await catalog.apply(postingCatalogYaml(), 'posting.yaml', 'alice');
    const result = await catalog.apply(
      postingJson((document) => {
        document.targets[0].limits.requestsPerSecond = 2;
      }),
      'posting.json',
      'bob',
    );
    expect(result.created).toBe(true);
    expect(result.version.diff.targets?.changed).toEqual([
      { key: 'netsuite-us', changes: [{ path: '/limits/requestsPerSecond', old: 10, new: 2 }] },
    ]);
    expect(result.version.diff.legalEntities).toEqual({ added: [], removed: [], changed: [] });
    expect((await catalog.current())?.catalog.targets?.[0]?.limits.requestsPerSecond).toBe(2);
  });

  it('upgrades a catalog without targets to one with them, and keeps a catalog without any free of a targets list', async () => {
    const first = await catalog.apply(referenceCatalogYaml(), 'catalog.yaml', 'alice');
    expect(first.version.catalog).not.toHaveProperty('targets');
    expect(first.version.diff).not.toHaveProperty('targets');
    expect((await catalog.get(1)).catalog).not.toHaveProperty('targets');
    const second = await catalog.apply(postingCatalogYaml(), 'posting.yaml', 'alice');
    expect(second.version.diff.targets?.added).toEqual(['eu-export', 'netsuite-us']);
  });

  it('refuses a catalog with posting errors whole, with every path, writing nothing and never quoting a secret', async () => {
    await catalog.apply(postingCatalogYaml(), 'posting.yaml', 'alice');
    const before = await catalog.current();
    const secret = 'sk_live_51H8xYzAbCdEfGhIjKlMnOp';
    const text = postingJson((document) => {
      document.targets[0].settings.auth.clientSecret = secret;
      document.targets[1].kind = 'quickbooks';
      document.legalEntities[1].accounting.target = 'sap-eu';
      delete document.legalEntities[0].accounting.accounts.revenue.default;
      delete document.customers[1].externalIds.erp;
      document.customers[0].name = 'Acme Corp';
    });
    const error = await catalog.apply(text, 'posting.json', 'bob').then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((field) => field.path)).toEqual([
      '/targets/0/settings/auth/clientSecret',
      '/targets/1/kind',
      '/plans/0/charges/1',
      '/plans/0/charges/2',
      '/legalEntities/1/accounting/target',
      '/customers/1/externalIds/erp',
    ]);
    expect(
      JSON.stringify({ message: (error as Error).message, errors: (error as ValidationError).errors }),
    ).not.toContain(secret);
    expect(await versions()).toEqual([1]);
    expect(await catalog.current()).toEqual(before);
  });
});
