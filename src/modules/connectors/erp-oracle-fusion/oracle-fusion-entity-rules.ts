import { ORACLE_LENGTHS } from './oracle-fusion-settings-schema.js';

// What the catalog refuses, when it is applied, for a legal entity posting to an Oracle Fusion target:
// accounts and dimension ids no segment can hold, and a dimension the target's segments take with no
// default that the entity does not give. Each would otherwise make every posting of the entity a dead
// letter. Whether a combination exists in the chart of accounts only Oracle knows, at import.

/** A segment value: 1 to 25 printable ASCII characters, not starting or ending with a space. */
export const SEGMENT_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const escape = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

function accountLeaves(value: unknown, path: string): Array<{ path: string; account: unknown }> {
  if (!isObject(value)) return [{ path, account: value }];
  return Object.entries(value).flatMap(([key, child]) => accountLeaves(child, `${path}/${escape(key)}`));
}

const fits = (value: string) => value.length <= ORACLE_LENGTHS.segment && SEGMENT_VALUE.test(value);
const unfit = (value: string, what: string) =>
  `is ${JSON.stringify(value.slice(0, 40))}, which no ${what} segment can hold: a segment value is 1 to ${ORACLE_LENGTHS.segment} printable ASCII characters`;

export function checkOracleFusionEntity(
  settings: Readonly<Record<string, unknown>>,
  entity: { code: string; accounts: Readonly<Record<string, unknown>>; dimensions: Readonly<Record<string, string>> },
): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  for (const { path, account } of accountLeaves(entity.accounts, '/accounts'))
    if (typeof account === 'string' && !fits(account)) problems.push({ path, message: unfit(account, 'account') });
  const segments = Array.isArray(settings.segments) ? settings.segments.filter(isObject) : [];
  segments.forEach((segment, index) => {
    if (segment.source !== 'dimension' || typeof segment.dimension !== 'string') return;
    const value = entity.dimensions[segment.dimension];
    const path = `/dimensions/${escape(segment.dimension)}`;
    if (value === undefined && segment.default === undefined)
      problems.push({
        path,
        message: `is required: the target takes SEGMENT${index + 1} from the ${segment.dimension} dimension and gives no default`,
      });
    else if (value !== undefined && !fits(value)) problems.push({ path, message: unfit(value, `SEGMENT${index + 1}`) });
  });
  return problems;
}
