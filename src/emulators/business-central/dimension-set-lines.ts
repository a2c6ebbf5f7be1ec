import { dialog } from './bc-error.js';
import { checkIfMatch, type CompanyStore, type DimensionIndexEntry } from './company-store.js';
import { DIMENSION_SET_LINE, type DIMENSION_PARENT_TYPES } from './entity-specs.js';
import { textOf, type StoredEntity, type Values } from './entity-values.js';

// Dimension set lines, the `dimensionSetLines` part of a journal line, a sales document, a sales line or
// a G/L entry: one line per dimension of the parent's dimension set, keyed by the dimension's id, its
// `code` a dimension of the company and its `valueCode` (or `valueId`) one of that dimension's values.
// Writes follow Microsoft's "APIV2 - Dimension Set Lines" page (not vendored): an unknown dimension or
// value, a dimension the set already holds, a change of a line's dimension, each refused with the page's
// wording as an AL error (400 Application_DialogException), and every write modifies the parent (a new
// etag). Posting copies a line's (or a document's) set onto the G/L entries it writes.

export type DimensionParentType = (typeof DIMENSION_PARENT_TYPES)[number];

/** A dimension set as codes: dimension code -> value code. */
export type DimensionSet = Record<string, string>;

/** The parent's dimension set lines, in dimension code order as BC's Dimension Set Entry keeps them. */
export function listDimensionSetLines(store: CompanyStore, parent: StoredEntity): StoredEntity[] {
  return store
    .list('dimensionSetLines', parent.id)
    .sort((a, b) => textOf(a.values, 'code').localeCompare(textOf(b.values, 'code')));
}

export const findDimensionSetLine = (store: CompanyStore, parent: StoredEntity, id: string) =>
  store.list('dimensionSetLines', parent.id).find((line) => line.id === id.toLowerCase());

/** The parent's dimension set. */
export function dimensionSetOf(store: CompanyStore, parentId: string): DimensionSet {
  return Object.fromEntries(
    store
      .list('dimensionSetLines', parentId)
      .map((line) => [textOf(line.values, 'code'), textOf(line.values, 'valueCode')] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** A set as one text, to group amounts by dimension set (as BC's Dimension Set ID does). */
export const dimensionSetKey = (set: DimensionSet): string =>
  Object.entries(set)
    .map(([code, value]) => `${code}=${value}`)
    .join('\u0000');

function dimensionOf(store: CompanyStore, values: Values): DimensionIndexEntry {
  if (values.code === undefined) throw dialog('The "id" or "code" field must be filled in.');
  const dimension = store.index.dimensions.get(textOf(values, 'code'));
  if (dimension === undefined) throw dialog('The "code" does not match to a Dimension.');
  return dimension;
}

/** The value a body names by `valueId` or `valueCode`, as the page validates them. */
function valueOf(dimension: DimensionIndexEntry, values: Values) {
  const byId =
    values.valueId === undefined
      ? undefined
      : [...dimension.values.values()].find((value) => value.id === String(values.valueId));
  if (values.valueId !== undefined && byId === undefined)
    throw dialog('The "valueId" does not match to a Dimension Value.');
  if (values.valueCode !== undefined) {
    const byCode = dimension.values.get(textOf(values, 'valueCode'));
    if (byCode === undefined) throw dialog('The "valueCode" does not match to a Dimension Value.');
    if (byId !== undefined && byId !== byCode)
      throw dialog(
        'The values of the "dimensionCode" field and the "dimensionId" field do not refer to the same Dimension Value.',
      );
    return byCode;
  }
  if (byId === undefined) throw dialog('The "valueId" or "valueCode" field must be filled in.');
  return byId;
}

function lineValues(
  dimension: DimensionIndexEntry,
  value: { id: string; code: string; name: string },
  parent: StoredEntity,
  parentType: DimensionParentType,
): Values {
  return {
    code: dimension.code,
    parentId: parent.id,
    parentType,
    displayName: dimension.name.slice(0, 30),
    valueId: value.id,
    valueCode: value.code,
    valueDisplayName: value.name.slice(0, 50),
  };
}

export function createDimensionSetLine(
  store: CompanyStore,
  parent: StoredEntity,
  parentType: DimensionParentType,
  values: Values,
): StoredEntity {
  const dimension = dimensionOf(store, values);
  const value = valueOf(dimension, values);
  if (findDimensionSetLine(store, parent, dimension.id) !== undefined)
    throw dialog(
      'The dimension set line already exists. Check existing dimension set lines and the default dimension set lines on the parent.',
    );
  const line = store.create(
    'dimensionSetLines',
    DIMENSION_SET_LINE,
    lineValues(dimension, value, parent, parentType),
    parent.id,
    dimension.id,
  );
  store.touch(parent);
  return line;
}

export function updateDimensionSetLine(
  store: CompanyStore,
  parent: StoredEntity,
  line: StoredEntity,
  values: Values,
  ifMatch?: string,
): void {
  checkIfMatch(line, ifMatch, 409);
  if (values.code !== undefined && textOf(values, 'code') !== textOf(line.values, 'code'))
    throw dialog('The "id" and "code" fields cannot be modified.');
  const dimension = dimensionOf(store, { ...values, code: textOf(line.values, 'code') });
  if (values.valueId === undefined && values.valueCode === undefined) return;
  const value = valueOf(dimension, values);
  Object.assign(line.values, { valueId: value.id, valueCode: value.code, valueDisplayName: value.name.slice(0, 50) });
  store.touch(line);
  store.touch(parent);
}

export function deleteDimensionSetLine(
  store: CompanyStore,
  parent: StoredEntity,
  line: StoredEntity,
  ifMatch?: string,
): void {
  checkIfMatch(line, ifMatch, 409);
  store.remove('dimensionSetLines', line);
  store.touch(parent);
}

/** Gives `to` the dimension set `set` (a new sales line its header's, a G/L entry its line's). */
export function giveDimensionSet(
  store: CompanyStore,
  to: StoredEntity,
  parentType: DimensionParentType,
  set: DimensionSet,
): void {
  for (const [code, valueCode] of Object.entries(set)) {
    const dimension = store.index.dimensions.get(code);
    const value = dimension?.values.get(valueCode);
    if (dimension === undefined || value === undefined) continue;
    store.create(
      'dimensionSetLines',
      DIMENSION_SET_LINE,
      lineValues(dimension, value, to, parentType),
      to.id,
      dimension.id,
    );
  }
}
