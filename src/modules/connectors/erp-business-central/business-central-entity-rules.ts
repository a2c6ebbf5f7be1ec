// What the catalog refuses, when it is applied, for a legal entity posting to a Business Central target:
// what BC's fields cannot hold, found before any posting is built, rather than as a dead letter of every
// posting of the entity: accounts past Code[20], and dimensions the target's settings map to no BC
// dimension (`settings.dimensions`), two of them mapped to one BC dimension, or a value past Code[20].
// Self-contained (no import), since target-kinds.ts imports it.

/** A G/L account number as BC keys it: Code[20], at most 20 characters, none of them lower case. */
const ACCOUNT_NUMBER = /^[^\sa-z]([^a-z]{0,18}[^\sa-z])?$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const escape = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every account of the map, with its JSON Pointer under `accounts`. */
function accountLeaves(value: unknown, path: string): Array<{ path: string; account: unknown }> {
  if (!isObject(value)) return [{ path, account: value }];
  return Object.entries(value).flatMap(([key, child]) => accountLeaves(child, `${path}/${escape(key)}`));
}

/** A dimension value code as BC keys it: Code[20], 1 to 20 characters (BC stores it in upper case). */
const VALUE_CODE = /^\S(.{0,18}\S)?$/;

/** The BC dimension code each Meterbridge dimension posts under, as the target's settings map them. */
function mappedDimensions(settings: Readonly<Record<string, unknown>>): Record<string, string> {
  const given = isObject(settings.dimensions) ? settings.dimensions : {};
  const codes: Record<string, string> = {};
  for (const [dimension, code] of Object.entries(given))
    if (typeof code === 'string' && code.trim() !== '') codes[dimension] = code.trim().toUpperCase();
  return codes;
}

export function checkBusinessCentralEntity(
  settings: Readonly<Record<string, unknown>>,
  entity: { code: string; accounts: Readonly<Record<string, unknown>>; dimensions: Readonly<Record<string, string>> },
): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  for (const { path, account } of accountLeaves(entity.accounts, '/accounts'))
    if (typeof account === 'string' && !ACCOUNT_NUMBER.test(account))
      problems.push({
        path,
        message: `is ${JSON.stringify(account.slice(0, 40))}, which Business Central cannot post to: a G/L account number is 1 to 20 characters, in upper case (Code[20])`,
      });
  const codes = mappedDimensions(settings);
  const taken = new Map<string, string>();
  for (const [dimension, value] of Object.entries(entity.dimensions)) {
    const path = `/dimensions/${escape(dimension)}`;
    const code = codes[dimension];
    if (code === undefined) {
      problems.push({
        path,
        message: `is a dimension the target's settings map to no Business Central dimension: add dimensions.${dimension} (a Business Central dimension code, such as DEPARTMENT) to the target's settings, or remove it from the entity`,
      });
      continue;
    }
    const other = taken.get(code);
    if (other !== undefined)
      problems.push({
        path,
        message: `goes to Business Central dimension ${code}, as ${other} does: a dimension set holds one value per dimension`,
      });
    taken.set(code, dimension);
    if (!VALUE_CODE.test(value))
      problems.push({
        path,
        message: `is ${JSON.stringify(value.slice(0, 40))}, which Business Central cannot hold as a value of dimension ${code}: a dimension value code is 1 to 20 characters (Code[20])`,
      });
  }
  return problems;
}
