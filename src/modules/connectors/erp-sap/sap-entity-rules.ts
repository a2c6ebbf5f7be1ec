import { DEFAULT_DIMENSION_FIELDS, SAP_LENGTHS, type SapAssignmentField } from './sap-settings-schema.js';

// What the catalog refuses, when it is applied, for a legal entity posting to an SAP target: values SAP's
// fields cannot hold, found before any posting is built. An account longer than a G/L account (10) or a
// dimension the target sends nowhere would otherwise be dead letters of every posting of the entity.
// External ids need no check: Meterbridge's are 16 characters, exactly DocumentReferenceID's length.

/** A G/L account as SAP keys it: at most 10 capital letters or digits. */
export const GL_ACCOUNT = /^[A-Z0-9]{1,10}$/;
/** A cost or profit center: at most 10 characters, none of them blank. */
export const ASSIGNMENT_ID = /^[A-Za-z0-9_/.-]{1,10}$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const escape = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every account of the map, with its JSON Pointer under `accounts`. */
function accountLeaves(value: unknown, path: string): Array<{ path: string; account: unknown }> {
  if (!isObject(value)) return [{ path, account: value }];
  return Object.entries(value).flatMap(([key, child]) => accountLeaves(child, `${path}/${escape(key)}`));
}

/** The item field each Meterbridge dimension goes to: the settings' map, else department and class. */
export function dimensionFields(settings: Readonly<Record<string, unknown>>): Record<string, SapAssignmentField> {
  const given = isObject(settings.dimensions) ? settings.dimensions : undefined;
  if (given === undefined) return { ...DEFAULT_DIMENSION_FIELDS };
  const fields: Record<string, SapAssignmentField> = {};
  for (const [dimension, field] of Object.entries(given))
    if (field === 'CostCenter' || field === 'ProfitCenter') fields[dimension] = field;
  return fields;
}

export function checkSapEntity(
  settings: Readonly<Record<string, unknown>>,
  entity: { code: string; accounts: Readonly<Record<string, unknown>>; dimensions: Readonly<Record<string, string>> },
): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  for (const { path, account } of accountLeaves(entity.accounts, '/accounts')) {
    if (typeof account === 'string' && !GL_ACCOUNT.test(account))
      problems.push({
        path,
        message: `is ${JSON.stringify(account.slice(0, 40))}, which SAP cannot post to: a G/L account is 1 to ${SAP_LENGTHS.glAccount} capital letters or digits`,
      });
  }
  const fields = dimensionFields(settings);
  const taken = new Map<SapAssignmentField, string>();
  for (const [dimension, id] of Object.entries(entity.dimensions)) {
    const path = `/dimensions/${escape(dimension)}`;
    const field = fields[dimension];
    if (field === undefined) {
      problems.push({
        path,
        message: `goes to no field of an SAP item: map it in the target's settings.dimensions (to CostCenter or ProfitCenter) or remove it`,
      });
      continue;
    }
    const other = taken.get(field);
    if (other !== undefined)
      problems.push({ path, message: `goes to ${field}, as ${other} does: an SAP item has one ${field}` });
    taken.set(field, dimension);
    if (!ASSIGNMENT_ID.test(id))
      problems.push({
        path,
        message: `is ${JSON.stringify(id.slice(0, 40))}, which SAP's ${field} cannot hold: at most 10 letters, digits or _ / . -`,
      });
  }
  return problems;
}
