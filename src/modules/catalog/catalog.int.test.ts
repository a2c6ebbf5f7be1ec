import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import { beforeEach, expect, it } from 'vitest';
import { describeEachStore } from '../../../test/harness/stores.js';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { migrate } from '../../platform/database/migrate.js';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { parseCatalogFile } from './catalog-file.js';
import { loadCatalog } from './load-catalog.js';
import { referenceCatalogYaml } from '../../../test/fixtures/reference-catalog.js';
import { createCatalog, type CatalogService } from './service.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NOW = '2026-11-01T00:00:00.000Z';
const EMPTY_KIND = { added: [], removed: [], changed: [] };

/** The reference catalog as a JSON file's text, after `change` edits the parsed document. */
function referenceJson(change: (document: Doc) => void = () => undefined): string {
  const document = parseCatalogFile(referenceCatalogYaml(), 'catalog.yaml') as Doc;
  change(document);
  return JSON.stringify(document);
}

describeEachStore('catalog versions', (stores) => {
  let db: Database;
  let clock: ManualClock;
  let catalog: CatalogService;
  const versions = async () =>
    (
      await db.query<{ version: number; applied_by: string }>(
        'select version, applied_by from catalog_versions order by version',
      )
    ).rows;

  beforeEach(async () => {
    db = await stores.fresh();
    await migrate(db);
    clock = new ManualClock(NOW);
    catalog = createCatalog({ db, clock });
  });

  it('applies the reference catalog as version 1, keeping who, when, its checksum and a diff listing everything added', async () => {
    const result = await catalog.apply(referenceCatalogYaml(), 'catalog.yaml', 'alice');

    const expected = loadCatalog(referenceCatalogYaml(), 'catalog.yaml');
    const checksum = createHash('sha256')
      .update(configure({ deterministic: true })(expected) as string)
      .digest('hex');
    expect(result).toEqual({
      created: true,
      version: {
        version: 1,
        appliedAt: NOW,
        appliedBy: 'alice',
        catalog: expected,
        checksum,
        diff: {
          legalEntities: { added: ['EU', 'US'], removed: [], changed: [] },
          customers: { added: ['acme', 'globex'], removed: [], changed: [] },
          taxRates: { added: ['DE', 'US-CA'], removed: [], changed: [] },
          meters: { added: ['api_calls', 'storage_gb', 'support_hours'], removed: [], changed: [] },
          plans: { added: ['growth'], removed: [], changed: [] },
          subscriptions: { added: ['acme-growth-2026', 'globex-growth-2026'], removed: [], changed: [] },
        },
      },
    });
    expect(await catalog.current()).toEqual(result.version);
  });

  it('has no current version and writes nothing on diff before the first apply', async () => {
    expect(await catalog.current()).toBeUndefined();
    const result = await catalog.diff(referenceCatalogYaml(), 'catalog.yaml');
    expect(result).toMatchObject({ baseVersion: undefined, changed: true, refusals: [] });
    expect(result.diff.customers.added).toEqual(['acme', 'globex']);
    expect(await versions()).toEqual([]);
  });

  it('returns the current version unchanged when the same catalog is applied again, in any format or order', async () => {
    const first = await catalog.apply(referenceCatalogYaml(), 'catalog.yaml', 'alice');
    clock.advance(60_000);

    const again = await catalog.apply(referenceCatalogYaml(), 'catalog.yaml', 'bob');
    const reordered = await catalog.apply(
      referenceJson((document) => document.customers.reverse()),
      'catalog.json',
      'bob',
    );

    expect(again).toEqual({ created: false, version: first.version });
    expect(reordered).toEqual({ created: false, version: first.version });
    expect(await catalog.diff(referenceCatalogYaml(), 'catalog.yaml')).toMatchObject({
      baseVersion: 1,
      changed: false,
    });
    expect(await versions()).toEqual([{ version: 1, applied_by: 'alice' }]);
  });

  it('stores a changed customer name as version 2 with exactly that change', async () => {
    await catalog.apply(referenceCatalogYaml(), 'catalog.yaml', 'alice');
    clock.advance(3_600_000);
    const text = referenceJson((document) => {
      document.customers[0].name = 'Acme Corp';
    });

    const preview = await catalog.diff(text, 'catalog.json');
    const result = await catalog.apply(text, 'catalog.json', 'bob');

    const diff = {
      legalEntities: EMPTY_KIND,
      customers: {
        added: [],
        removed: [],
        changed: [{ key: 'acme', changes: [{ path: '/name', old: 'Acme Corporation', new: 'Acme Corp' }] }],
      },
      taxRates: EMPTY_KIND,
      meters: EMPTY_KIND,
      plans: EMPTY_KIND,
      subscriptions: EMPTY_KIND,
    };
    expect(preview).toEqual({ baseVersion: 1, diff, changed: true, refusals: [] });
    expect(result.created).toBe(true);
    expect(result.version).toMatchObject({ version: 2, appliedBy: 'bob', appliedAt: '2026-11-01T01:00:00.000Z', diff });
    expect((await catalog.current())?.catalog.customers[0]?.name).toBe('Acme Corp');
    expect((await catalog.get(1)).catalog.customers[0]?.name).toBe('Acme Corporation');
    await expect(catalog.get(3)).rejects.toBeInstanceOf(NotFoundError);
    expect(await versions()).toEqual([
      { version: 1, applied_by: 'alice' },
      { version: 2, applied_by: 'bob' },
    ]);
  });

  it('refuses an invalid file whole, with every error, and writes nothing', async () => {
    await catalog.apply(referenceCatalogYaml(), 'catalog.yaml', 'alice');
    const text = referenceJson((document) => {
      document.customers[0].name = 'Acme Corp';
      document.customers[1].currency = 'XXY';
      document.subscriptions[0].plan = 'enterprise';
    });

    const refusal = await catalog.apply(text, 'catalog.json', 'bob').catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(ValidationError);
    expect((refusal as ValidationError).errors.map((error) => error.path)).toEqual(
      expect.arrayContaining(['/customers/1/currency', '/subscriptions/0/plan']),
    );
    await expect(catalog.diff(text, 'catalog.json')).rejects.toBeInstanceOf(ValidationError);
    expect(await versions()).toEqual([{ version: 1, applied_by: 'alice' }]);
  });

  it('refuses an empty or padded applied-by name', async () => {
    await expect(catalog.apply(referenceCatalogYaml(), 'catalog.yaml', ' ')).rejects.toBeInstanceOf(ValidationError);
    expect(await versions()).toEqual([]);
  });

  it('refuses a meter definition change without effectiveFrom, and accepts it with a later effectiveFrom', async () => {
    await catalog.apply(referenceCatalogYaml(), 'catalog.yaml', 'alice');
    const unannounced = referenceJson((document) => {
      document.meters[0].groupBy = ['region', 'zone'];
    });

    const refusal = await catalog.apply(unannounced, 'catalog.json', 'bob').catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(ConflictError);
    expect((refusal as ConflictError).errors).toEqual([
      {
        path: '/meters/0/effectiveFrom',
        message: expect.stringMatching(
          /^meter "api_calls" changes its definition \(groupBy\): state an effectiveFrom .*replay$/,
        ),
      },
    ]);
    expect((await catalog.diff(unannounced, 'catalog.json')).refusals).toEqual((refusal as ConflictError).errors);
    expect(await versions()).toHaveLength(1);

    const announced = referenceJson((document) => {
      document.meters[0].groupBy = ['region', 'zone'];
      document.meters[0].effectiveFrom = '2026-12-01T00:00:00Z';
    });
    const result = await catalog.apply(announced, 'catalog.json', 'bob');
    expect(result.version.version).toBe(2);
    expect(result.version.diff.meters.changed).toEqual([
      {
        key: 'api_calls',
        changes: [
          { path: '/effectiveFrom', new: '2026-12-01T00:00:00Z' },
          { path: '/groupBy', old: ['region'], new: ['region', 'zone'] },
        ],
      },
    ]);

    // A further change must move effectiveFrom forward again.
    const sameTime = referenceJson((document) => {
      document.meters[0].groupBy = ['zone'];
      document.meters[0].effectiveFrom = '2026-12-01T00:00:00Z';
    });
    await expect(catalog.apply(sameTime, 'catalog.json', 'bob')).rejects.toBeInstanceOf(ConflictError);
    expect(await versions()).toHaveLength(2);
  });

  it('gives concurrent applies of different documents consecutive versions, each diffed against the one before', async () => {
    // Applies 1 and 2 are the brief's pair; more of them make an overlap (and so a missing lock) certain to show.
    const names = ['Acme A', 'Acme B', 'Acme C', 'Acme D', 'Acme E', 'Acme F'];
    const texts = names.map((name) =>
      referenceJson((document) => {
        document.customers[0].name = name;
      }),
    );

    const results = await Promise.all(texts.map((text, index) => catalog.apply(text, 'catalog.json', `user-${index}`)));

    expect(results.every((result) => result.created)).toBe(true);
    expect(results.map((result) => result.version.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await versions()).map((row) => row.version)).toEqual([1, 2, 3, 4, 5, 6]);
    const byVersion = results.map((result) => result.version).sort((a, b) => a.version - b.version);
    for (const [index, version] of byVersion.entries()) {
      if (index === 0) continue;
      const previousName = byVersion[index - 1]?.catalog.customers[0]?.name;
      expect(version.diff.customers.changed).toEqual([
        { key: 'acme', changes: [{ path: '/name', old: previousName, new: version.catalog.customers[0]?.name }] },
      ]);
    }
  });

  it('reads a version stored before tax rates existed as declaring none, and diffs the next one against that', async () => {
    const { taxRates: _taxRates, ...document } = loadCatalog(referenceCatalogYaml(), 'catalog.yaml');
    const { taxRates: _taxRatesDiff, ...diff } = (await catalog.diff(referenceCatalogYaml(), 'catalog.yaml')).diff;
    await db.query(
      `insert into catalog_versions (version, applied_at, applied_by, document, checksum, diff) values (1, $1, 'old', $2, 'x', $3)`,
      [NOW, JSON.stringify(document), JSON.stringify(diff)],
    );

    const stored = await catalog.get(1);
    expect(stored.catalog.taxRates).toEqual([]);
    expect(stored.diff.taxRates).toEqual(EMPTY_KIND);
    const next = await catalog.diff(referenceCatalogYaml(), 'catalog.yaml');
    expect(next.diff.taxRates).toEqual({ added: ['DE', 'US-CA'], removed: [], changed: [] });
    expect(next.diff.customers).toEqual(EMPTY_KIND);
  });

  it('refuses to update, delete or truncate a stored version', async () => {
    await catalog.apply(referenceCatalogYaml(), 'catalog.yaml', 'alice');

    await expect(db.query(`update catalog_versions set applied_by = 'mallory'`)).rejects.toThrow(
      /catalog versions are immutable \(version 1\)/,
    );
    await expect(db.query('delete from catalog_versions')).rejects.toThrow(/catalog versions are immutable/);
    await expect(db.query('truncate catalog_versions')).rejects.toThrow(/catalog versions are immutable/);
    expect(await versions()).toEqual([{ version: 1, applied_by: 'alice' }]);
  });
});
