import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, type CommandRun } from '../../../test/harness/run-command.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { createApp } from '../../main.js';
import { referenceCatalogYaml } from '../../../test/fixtures/reference-catalog.js';
import type { Database } from '../../platform/database/database.js';
import { catalogCommand } from './catalog.js';
import { priceCommand } from './price.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-price-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// Stripe's documented graduated table: 5 units at 7, the next 5 at 6.5, the rest at 6.
const GRADUATED_YAML = `key: api
meter: api_calls
model: graduated
prices:
  USD:
    tiers:
      - { upTo: "5", unitPrice: "7" }
      - { upTo: "10", unitPrice: "6.5" }
      - { upTo: null, unitPrice: "6" }
`;
const GRADUATED = {
  key: 'api',
  meter: 'api_calls',
  model: 'graduated',
  prices: {
    USD: {
      tiers: [
        { upTo: '5', unitPrice: '7' },
        { upTo: '10', unitPrice: '6.5' },
        { upTo: null, unitPrice: '6' },
      ],
    },
  },
};
const STRIPE_OUTPUT = [
  'tier 1: 5 × 7      35',
  'tier 2: 5 × 6.5  32.5',
  'tier 3: 2 × 6      12',
  'amount: 79.50 USD (exact 79.5, rounded half away from zero)',
].join('\n');

/** `meterbridge price ...args` with no store at all: -f must never open one. */
const price = (...args: string[]): Promise<CommandRun> =>
  runCommand(
    priceCommand({
      openApp: () => {
        throw new Error('price -f opened a store');
      },
    }),
    args,
  );

describe('meterbridge price -f', () => {
  it('prices a YAML charge file: one line per step, then the rounded amount', async () => {
    const file = write('graduated.yaml', GRADUATED_YAML);
    expect(await price('-f', file, '--currency', 'USD', '--quantity', '12')).toEqual({
      code: 0,
      stdout: STRIPE_OUTPUT,
      stderr: '',
    });
  });

  it('prices a JSON charge file the same way, and --json prints the rating result', async () => {
    const file = write('graduated.json', JSON.stringify(GRADUATED));
    expect(await price('-f', file, '--currency', 'USD', '--quantity', '12')).toEqual({
      code: 0,
      stdout: STRIPE_OUTPUT,
      stderr: '',
    });

    const run = await price('-f', file, '--currency', 'USD', '--quantity', '12', '--json');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      model: 'graduated',
      currency: 'USD',
      quantity: '12',
      billableQuantity: '12',
      exactAmount: '79.5',
      amount: '79.50',
      rounding: 'half_away_from_zero',
    });
    expect(result.lines).toHaveLength(3);
    expect(result.lines[2]).toEqual({
      kind: 'tier_units',
      description: 'tier 3: 2 × 6',
      quantity: '2',
      unitPrice: '6',
      tier: 3,
      from: '10',
      upTo: null,
      amount: '12',
    });
  });

  it('takes per-event values inline or from a file, one per line', async () => {
    const file = write(
      'fees.yaml',
      'key: fees\nmeter: payments\nmodel: percentage\nprices: { USD: { fixedFeePerEvent: "0.30" } }\nconfig: { rate: "2.9" }\n',
    );
    const values = write('values.txt', '100\n\n200\n');
    const inline = await price('-f', file, '--currency', 'USD', '--quantity', '300', '--event-values', '100, 200');
    const fromFile = await price('-f', file, '--currency', 'USD', '--quantity', '300', '--event-values-file', values);
    expect(inline).toMatchObject({ code: 0, stderr: '' });
    expect(inline.stdout.split('\n').at(-1)).toBe('amount: 9.30 USD (exact 9.3, rounded half away from zero)');
    expect(fromFile).toEqual(inline);

    const bad = write('bad-values.txt', '100\n\nlots\n');
    const refused = await price('-f', file, '--currency', 'USD', '--quantity', '300', '--event-values-file', bad);
    expect(refused.code).toBe(1);
    // Each bad value is named by its file and line (blank lines count).
    expect(refused.stderr.split('\n').slice(0, 2)).toEqual([
      'error: cannot rate this usage',
      `  ${bad}:3: must be a decimal string such as "1500" or "0.25"`,
    ]);
  });

  it('refuses a missing file, invalid YAML and a duplicate key, naming the file and position', async () => {
    const missing = join(dir, 'missing.yaml');
    expect(await price('-f', missing, '--currency', 'USD', '--quantity', '1')).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(
        new RegExp(`^error: cannot read the charge file .*missing\\.yaml\n  --file: ENOENT`),
      ),
    });

    const invalid = write('invalid.yaml', 'key: api\nmodel: [graduated\n');
    const syntax = await price('-f', invalid, '--currency', 'USD', '--quantity', '1');
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(
      new RegExp(`^error: .*invalid\\.yaml cannot be parsed\n  .*invalid\\.yaml:\\d+:\\d+: \\S`),
    );

    const duplicated = write('duplicated.json', '{"key":"a","key":"b","model":"flat","prices":{"USD":"1"}}');
    const duplicate = await price('-f', duplicated, '--currency', 'USD', '--quantity', '1');
    expect(duplicate).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/duplicated\.json:1:\d+: duplicate key/),
    });
  });

  it('refuses an invalid charge with every error at its pointer in the file', async () => {
    const file = write(
      'invalid-charge.yaml',
      'key: api\nmodel: graduated\nprices:\n  USD:\n    discount: "5"\n    tiers:\n      - { upTo: "10", unitPrice: "7" }\n      - { upTo: "5", unitPrice: "-6.5" }\n      - { upTo: null, unitPrice: "6" }\n',
    );
    const run = await price('-f', file, '--currency', 'USD', '--quantity', '1');
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        `error: ${file} is not a valid charge`,
        '  /prices/USD/discount: is not a price field of a graduated charge (allowed: tiers, minimum, maximum)',
        "  /prices/USD/tiers/1/upTo: must be greater than the previous tier's upTo (10): tiers are sorted and do not overlap",
        '  /prices/USD/tiers/1/unitPrice: must not be negative',
        '  /meter: is required: a "graduated" charge prices a meter\'s usage',
      ].join('\n'),
    });

    const polluted = await price(
      '-f',
      write('proto.yaml', 'key: c\nmodel: flat\nprices: { USD: "1" }\n__proto__: { polluted: true }\n'),
      '--currency',
      'USD',
      '--quantity',
      '1',
    );
    expect(polluted).toMatchObject({ code: 1, stderr: expect.stringContaining('\n  /__proto__: is not allowed') });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const notAnObject = await price('-f', write('list.yaml', '- key: api\n'), '--currency', 'USD', '--quantity', '1');
    expect(notAnObject.stderr).toMatch(/\n {2}\S*list\.yaml: must be object$/);
  });

  it('refuses a null tier, and a quantity or price with more significant digits than pricing holds, naming each place', async () => {
    const nullTier = write('null-tier.yaml', GRADUATED_YAML.replace('    tiers:\n', '    tiers:\n      - null\n'));
    const tierRun = await price('-f', nullTier, '--currency', 'USD', '--quantity', '1');
    expect(tierRun).toMatchObject({
      code: 1,
      stderr: `error: ${nullTier} is not a valid charge\n  /prices/USD/tiers/0: must be object`,
    });

    const file = write('graduated-precise.json', JSON.stringify(GRADUATED));
    const quantity = await price('-f', file, '--currency', 'USD', '--quantity', `1.${'0'.repeat(59)}1`);
    expect(quantity).toMatchObject({
      code: 1,
      stderr:
        'error: a value is too precise to price exactly\n  --quantity: has 61 significant digits; at most 60 can be held exactly',
    });
    const precisePrice = write(
      'precise-price.yaml',
      GRADUATED_YAML.replace('unitPrice: "7"', `unitPrice: "7.${'3'.repeat(60)}"`),
    );
    expect(await price('-f', precisePrice, '--currency', 'USD', '--quantity', '1')).toMatchObject({
      code: 1,
      stderr: `error: ${precisePrice} is not a valid charge\n  /prices/USD/tiers/0/unitPrice: has 61 significant digits; at most 60 can be held exactly`,
    });
  });

  it('refuses bad options with every error, named as the option', async () => {
    const file = write('options.yaml', GRADUATED_YAML);
    expect(
      await price('--charge', 'api', '--event-values', '1', '--event-values-file', file, '--event-count', 'two'),
    ).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'error: invalid options',
        '  --plan: is required with --charge',
        '  --currency: is required',
        '  --quantity: is required',
        '  --event-values-file: must not be given with --event-values',
        '  --event-count: must be a whole number, 0 or more',
      ].join('\n'),
    });
    expect((await price('-f', file, '--plan', 'growth', '--currency', 'USD', '--quantity', '1')).stderr).toBe(
      'error: invalid options\n  --file: must not be given with --plan or --charge',
    );

    const usage = await price(
      '-f',
      file,
      '--currency',
      'USD',
      '--quantity',
      '-1',
      '--already-billed',
      'x',
      '--proration',
      '1.5',
      '--event-values',
      '1,2',
    );
    expect(usage).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'error: cannot rate this usage',
        '  --quantity: must not be negative',
        '  --event-values: only a percentage charge uses per-event values, not a graduated one',
        '  --already-billed: must be a decimal string such as "1500" or "0.25"',
        '  --proration: must be from 0 to 1',
      ].join('\n'),
    });
    expect(await price('-f', file, '--currency', 'EUR', '--quantity', '1')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: charge api has no EUR price (it is priced in USD)',
    });
  });
});

describeEachStore('meterbridge price --plan', (stores) => {
  let db: Database;
  const withDb = (command: typeof priceCommand | typeof catalogCommand, ...args: string[]) =>
    runCommand(command({ openApp: (config) => createApp(config, { db }) }), args);

  beforeAll(async () => {
    db = await stores.fresh();
  });

  it('prices a charge of the current catalog, and says what is missing when it cannot', async () => {
    const args = ['--plan', 'growth', '--charge', 'api', '--currency', 'USD', '--quantity', '1000500'];
    expect(await withDb(priceCommand, ...args)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: no catalog has been applied yet',
    });

    expect(
      (await withDb(catalogCommand, 'apply', '-f', write('catalog.yaml', referenceCatalogYaml()), '--by', 'test')).code,
    ).toBe(0);

    const run = await withDb(priceCommand, ...args);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.split('\n').at(-1)).toBe('amount: 1.00 USD (exact 1, rounded half away from zero)');
    const json = await withDb(priceCommand, ...args, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      model: 'graduated',
      billableQuantity: '1000500',
      exactAmount: '1',
      amount: '1.00',
    });

    expect((await withDb(priceCommand, ...args.slice(0, 1), 'enterprise', ...args.slice(2))).stderr).toBe(
      'error: catalog version 1 has no plan "enterprise"',
    );
    expect((await withDb(priceCommand, ...args.slice(0, 3), 'sms', ...args.slice(4))).stderr).toBe(
      'error: plan "growth" of catalog version 1 has no charge "sms"',
    );
  });
});
