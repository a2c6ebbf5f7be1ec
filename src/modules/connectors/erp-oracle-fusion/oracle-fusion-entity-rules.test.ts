import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { packageRoot } from '../../../platform/package-root.js';
import { checkOracleFusionEntity } from './oracle-fusion-entity-rules.js';
import { ORACLE_FUSION_SETTINGS } from './oracle-fusion-settings-schema.js';

const settings = {
  baseUrl: 'https://abcd-test.fa.us2.oraclecloud.com',
  ledgerId: '300000046975971',
  source: 'Meterbridge',
  category: 'Usage',
  segments: [
    { source: 'dimension', dimension: 'subsidiary' },
    { source: 'account' },
    { source: 'dimension', dimension: 'department', default: '000' },
    { source: 'constant', value: '0000' },
  ],
};

function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  ajvFormats.default(ajv, { mode: 'full', keywords: false });
  return ajv.compile(ORACLE_FUSION_SETTINGS);
}

describe('the oracle-fusion settings schema', () => {
  const validate = validator();

  it('takes a chart of segments with exactly one account segment, and the optional settings', () => {
    expect(validate(settings)).toBe(true);
    expect(
      validate({
        ...settings,
        dataAccessSetId: '300000046975980',
        pollIntervalMs: 5000,
        timeoutMs: 900_000,
        postErrorsToSuspense: false,
      }),
    ).toBe(true);
    expect(validate({ ...settings, segments: [{ source: 'constant', value: '101' }] })).toBe(false);
    expect(validate({ ...settings, segments: [{ source: 'account' }, { source: 'account' }] })).toBe(false);
    expect(validate({ ...settings, segments: [{ source: 'dimension' }, { source: 'account' }] })).toBe(false);
    expect(validate({ ...settings, ledgerId: 300000046975971 })).toBe(false);
    expect(validate({ ...settings, source: 'a,b' })).toBe(false);
    expect(validate({ ...settings, timeoutMs: 4_000_000 })).toBe(false);
    expect(validate({ ...settings, baseUrl: 'https://pod.example.com/fscmRestApi' })).toBe(false);
  });
});

describe('docs/connectors/oracle-fusion.md', () => {
  it('shows a target the schema takes and an entity the target takes', () => {
    const page = readFileSync(join(packageRoot(), 'docs', 'connectors', 'oracle-fusion.md'), 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(page)?.[1] ?? '';
    const example = parseYaml(block) as {
      targets: Array<{ settings: Record<string, unknown> }>;
      legalEntities: Array<{
        code: string;
        accounting: { accounts: Record<string, unknown>; dimensions: Record<string, string> };
      }>;
    };
    const [target] = example.targets;
    const [entity] = example.legalEntities;
    expect(validator()(target?.settings)).toBe(true);
    expect(checkOracleFusionEntity(target!.settings, { code: entity!.code, ...entity!.accounting })).toEqual([]);
  });
});

describe('checkOracleFusionEntity', () => {
  it('accepts an entity whose accounts and dimensions fit the segments', () => {
    const entity = {
      code: 'US',
      accounts: { receivable: '1200', revenue: { default: '4000' } },
      dimensions: { subsidiary: '101' },
    };
    expect(checkOracleFusionEntity(settings, entity)).toEqual([]);
  });

  it('refuses a dimension a segment needs with no default, and values no segment can hold', () => {
    const entity = {
      code: 'US',
      accounts: { receivable: '1200', revenue: { charges: { api: 'an account name far too long for a segment' } } },
      dimensions: { department: 'cost center 1 ' },
    };
    expect(checkOracleFusionEntity(settings, entity)).toEqual([
      {
        path: '/accounts/revenue/charges/api',
        message: expect.stringMatching(/which no account segment can hold: a segment value is 1 to 25 printable ASCII/),
      },
      {
        path: '/dimensions/subsidiary',
        message: 'is required: the target takes SEGMENT1 from the subsidiary dimension and gives no default',
      },
      { path: '/dimensions/department', message: expect.stringMatching(/which no SEGMENT3 segment can hold/) },
    ]);
  });
});
