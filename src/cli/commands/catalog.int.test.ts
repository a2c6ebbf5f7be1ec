import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, expect, it } from 'vitest';
import { runCommand, type CommandRun } from '../../../test/harness/run-command.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { testConfig } from '../../../test/harness/test-app.js';
import { createApp } from '../../main.js';
import { referenceCatalogYaml } from '../../../test/fixtures/reference-catalog.js';
import { apiRequest, ingestAll } from '../../../test/fixtures/metering.js';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { catalogCommand } from './catalog.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-catalog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function writeCatalog(text: string, extension = 'yaml'): string {
  files += 1;
  const path = join(dir, `catalog-${files}.${extension}`);
  writeFileSync(path, text);
  return path;
}

/** Runs `meterbridge catalog ...args` in-process against `db`. */
function catalog(db: Database, ...args: string[]): Promise<CommandRun> {
  const clock = new ManualClock('2026-11-01T00:00:00Z');
  return runCommand(catalogCommand({ openApp: (config) => createApp(config, { db, clock }) }), args);
}

describeEachStore('meterbridge catalog', (stores) => {
  let db: Database;
  const reference = () => writeCatalog(referenceCatalogYaml());

  beforeEach(async () => {
    db = await stores.fresh();
  });

  it('diffs against an empty store without writing, then applies version 1 and reports a re-apply as unchanged', async () => {
    const file = reference();

    const diff = await catalog(db, 'diff', '-f', file);
    expect(diff).toMatchObject({ code: 0, stderr: '' });
    expect(diff.stdout.split('\n').slice(0, 4)).toEqual([
      'changes against an empty catalog (no version applied yet):',
      'legalEntities: 2 added',
      '  + EU',
      '  + US',
    ]);
    expect((await db.query('select 1 from catalog_versions')).rowCount).toBe(0);

    const apply = await catalog(db, 'apply', '-f', file, '--by', 'alice');
    expect(apply).toMatchObject({ code: 0, stderr: '' });
    expect(apply.stdout.split('\n').at(-1)).toBe('applied version 1');

    expect(await catalog(db, 'apply', '-f', file, '--by', 'bob')).toEqual({
      code: 0,
      stdout: 'unchanged, version 1',
      stderr: '',
    });
    expect(await catalog(db, 'diff', '-f', file)).toEqual({
      code: 0,
      stdout: 'no changes against version 1',
      stderr: '',
    });
  });

  it('prints each changed field with old -> new, and the new version number', async () => {
    await catalog(db, 'apply', '-f', reference(), '--by', 'alice');
    const changed = writeCatalog(referenceCatalogYaml().replace('name: Acme Corporation', 'name: Acme Corp'));

    const diff = await catalog(db, 'diff', '-f', changed);
    const apply = await catalog(db, 'apply', '-f', changed, '--by', 'bob');

    const lines = ['customers: 1 changed', '  ~ acme', '      /name: "Acme Corporation" -> "Acme Corp"'];
    expect(diff).toEqual({ code: 0, stdout: ['changes against version 1:', ...lines].join('\n'), stderr: '' });
    expect(apply).toEqual({ code: 0, stdout: [...lines, 'applied version 2'].join('\n'), stderr: '' });
  });

  it('prints every error of an invalid file and exits 1 without writing', async () => {
    const invalid = writeCatalog(
      referenceCatalogYaml()
        .replace('currency: EUR\n    taxRegion: DE', 'currency: XXY\n    taxRegion: DE')
        .replace('plan: growth', 'plan: enterprise'),
    );

    const apply = await catalog(db, 'apply', '-f', invalid, '--by', 'alice');

    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(
      new RegExp(`^error: ${invalid.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a valid catalog\n`),
    );
    expect(apply.stderr).toContain('  /customers/1/currency: ');
    expect(apply.stderr).toContain('  /subscriptions/0/plan: ');
    expect((await db.query('select 1 from catalog_versions')).rowCount).toBe(0);
  });

  it('says which meter with usage needs an effectiveFrom: diff exits 2, apply refuses with exit 1', async () => {
    await catalog(db, 'apply', '-f', reference(), '--by', 'alice');
    const app = await createApp(testConfig(), { db, clock: new ManualClock('2026-11-01T00:00:00Z') });
    await ingestAll(app, [apiRequest('acme', '2026-10-01T00:00:00Z')]);
    await app.metering.stage.runUntilCaughtUp();
    const changed = writeCatalog(referenceCatalogYaml().replace('groupBy: [region]', 'groupBy: [region, zone]'));

    const diff = await catalog(db, 'diff', '-f', changed);
    const apply = await catalog(db, 'apply', '-f', changed, '--by', 'bob');

    expect(diff.code).toBe(2);
    expect(diff.stderr).toMatch(
      /^apply would refuse this file:\n {2}\/meters\/0\/effectiveFrom: meter "api_calls" changes its definition \(groupBy\)/,
    );
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/without a later effectiveFrom[\s\S]*\/meters\/0\/effectiveFrom: meter "api_calls"/);
  });

  it('refuses a file with a null tier, a NUL character, nesting past 64 levels or a too precise price, naming the place, and writes nothing', async () => {
    const yaml = referenceCatalogYaml();
    const nullTier = writeCatalog(yaml.replace(/tiers:\n/, 'tiers:\n              - null\n'));
    const nul = writeCatalog(yaml.replace('name: Acme Corporation', 'name: "Acme\\0 Corporation"'));
    const deep = writeCatalog(`apiVersion: meterbridge/v1\nplans: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
    const explicitKeys = writeCatalog(`apiVersion: meterbridge/v1\n${'? '.repeat(5_000)}x\n`);
    const precise = writeCatalog(
      JSON.stringify({
        apiVersion: 'meterbridge/v1',
        taxRates: [{ region: 'DE', rate: `7.${'1'.repeat(60)}`, name: 'VAT' }],
      }),
      'json',
    );

    const runs = {
      nullTier: await catalog(db, 'apply', '-f', nullTier),
      nul: await catalog(db, 'diff', '-f', nul),
      deep: await catalog(db, 'apply', '-f', deep),
    };
    expect(runs.nullTier.code).toBe(1);
    expect(runs.nullTier.stderr).toMatch(/\n {2}\/plans\/0\/charges\/\d+\/prices\/USD\/tiers\/0: must be object/);
    expect(runs.nul.code).toBe(1);
    expect(runs.nul.stderr).toMatch(/\n {2}\/customers\/0\/name: must not contain the character U\+0000/);
    expect(runs.deep).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/:2: nests deeper than 64 levels of mappings and sequences/),
    });
    expect(await catalog(db, 'apply', '-f', explicitKeys)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/:2: nests deeper than 64 levels/),
    });
    expect(await catalog(db, 'apply', '-f', precise)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('/taxRates/0/rate: has 61 significant digits; at most 60 can be held exactly'),
    });
    expect((await db.query('select 1 from catalog_versions')).rowCount).toBe(0);
  });

  it('refuses a missing file with a readable error', async () => {
    const run = await catalog(db, 'apply', '-f', join(dir, 'absent.yaml'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: cannot read the catalog file .*absent\.yaml: ENOENT/);
  });
});
