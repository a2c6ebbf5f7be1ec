// What the catalog refuses, when it is applied, for a legal entity posting to a Business Central target:
// what BC's fields cannot hold, found before any posting is built, rather than as a dead letter of every
// posting of the entity. Self-contained (no import), since target-kinds.ts imports it.

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

export function checkBusinessCentralEntity(
  _settings: Readonly<Record<string, unknown>>,
  entity: { code: string; accounts: Readonly<Record<string, unknown>>; dimensions: Readonly<Record<string, string>> },
): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  for (const { path, account } of accountLeaves(entity.accounts, '/accounts'))
    if (typeof account === 'string' && !ACCOUNT_NUMBER.test(account))
      problems.push({
        path,
        message: `is ${JSON.stringify(account.slice(0, 40))}, which Business Central cannot post to: a G/L account number is 1 to 20 characters, in upper case (Code[20])`,
      });
  for (const dimension of Object.keys(entity.dimensions))
    problems.push({
      path: `/dimensions/${escape(dimension)}`,
      message: 'is a dimension, which the Business Central connector does not post yet: remove it from the entity',
    });
  return problems;
}
