// What changed between two validated catalogs, object by object. Pure and deterministic: the same two
// catalogs always give the same diff, in the same order, so a stored diff can be compared and printed.
import { escapePointerToken } from '../../platform/json-pointer.js';
import type { Catalog } from './catalog.js';

export const CATALOG_KINDS = ['legalEntities', 'customers', 'taxRates', 'meters', 'plans', 'subscriptions'] as const;
export type CatalogKind = (typeof CATALOG_KINDS)[number];

/** The field that names an object of each kind: unique within the kind, the key of diffs and of `GET /v1/catalog/{kind}/{key}`. */
const KEY_FIELDS = {
  legalEntities: 'code',
  customers: 'key',
  taxRates: 'region',
  meters: 'key',
  plans: 'key',
  subscriptions: 'key',
} as const satisfies Record<CatalogKind, string>;

/**
 * One changed field of one object. `path` is a JSON Pointer relative to the object (`/name`,
 * `/charges/1/prices/USD`); `old` is absent when the field was added, `new` when it was removed.
 */
export interface FieldChange {
  path: string;
  old?: unknown;
  new?: unknown;
}

export interface ChangedObject {
  key: string;
  changes: FieldChange[];
}

/** Keys sorted by code point; field changes in document order with object keys sorted. */
export interface KindDiff {
  added: string[];
  removed: string[];
  changed: ChangedObject[];
}

/**
 * `targets` is there only when either catalog declares targets: a diff between catalogs without any stays
 * what it was before targets existed (stored diffs, the API's and the CLI's output).
 */
export type CatalogDiff = Record<CatalogKind, KindDiff> & { targets?: KindDiff };

type CatalogObject = Catalog[CatalogKind][number];

/** Legal entities are named by `code`, tax rates by `region`, every other kind by `key`. */
export function objectKey(kind: CatalogKind, object: CatalogObject): string {
  return (object as unknown as Record<string, string>)[KEY_FIELDS[kind]] as string;
}

/** The diff from `previous` (nothing, for the first version) to `next`. */
export function diffCatalogs(previous: Catalog | undefined, next: Catalog): CatalogDiff {
  const diff = {} as CatalogDiff;
  for (const kind of CATALOG_KINDS) {
    diff[kind] = diffKind(KEY_FIELDS[kind], previous?.[kind] ?? [], next[kind]);
  }
  if (previous?.targets || next.targets) diff.targets = diffKind('key', previous?.targets ?? [], next.targets ?? []);
  return diff;
}

export function isEmptyDiff(diff: CatalogDiff): boolean {
  const kinds = [...CATALOG_KINDS.map((kind) => diff[kind]), ...(diff.targets ? [diff.targets] : [])];
  return kinds.every((kind) => kind.added.length === 0 && kind.removed.length === 0 && kind.changed.length === 0);
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function diffKind(keyField: string, previous: readonly object[], next: readonly object[]): KindDiff {
  const keyOf = (object: object): string => (object as Record<string, string>)[keyField] as string;
  const before = new Map(previous.map((object) => [keyOf(object), object]));
  const after = new Map(next.map((object) => [keyOf(object), object]));
  const added = [...after.keys()].filter((key) => !before.has(key)).sort(byCodePoint);
  const removed = [...before.keys()].filter((key) => !after.has(key)).sort(byCodePoint);
  const changed: ChangedObject[] = [];
  for (const key of [...after.keys()].filter((key) => before.has(key)).sort(byCodePoint)) {
    const changes: FieldChange[] = [];
    diffValue(before.get(key), after.get(key), '', changes);
    if (changes.length > 0) changed.push({ key, changes });
  }
  return { added, removed, changed };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Arrays whose items are all objects with distinct string keys (a plan's charges) are matched by key, not position. */
function keyedItems(value: unknown[]): Map<string, number> | undefined {
  const keys = new Map<string, number>();
  for (const [index, item] of value.entries()) {
    if (!isPlainObject(item) || typeof item.key !== 'string' || keys.has(item.key)) return undefined;
    keys.set(item.key, index);
  }
  return keys;
}

function diffValue(old: unknown, next: unknown, path: string, changes: FieldChange[]): void {
  if (old === undefined && next === undefined) return;
  if (old === undefined) {
    changes.push({ path, new: next });
  } else if (next === undefined) {
    changes.push({ path, old });
  } else if (isPlainObject(old) && isPlainObject(next)) {
    const fields = [...new Set([...Object.keys(old), ...Object.keys(next)])].sort(byCodePoint);
    for (const field of fields) diffValue(old[field], next[field], `${path}/${escapePointerToken(field)}`, changes);
  } else if (Array.isArray(old) && Array.isArray(next)) {
    diffArray(old, next, path, changes);
  } else if (!Object.is(old, next)) {
    changes.push({ path, old, new: next });
  }
}

function diffArray(old: unknown[], next: unknown[], path: string, changes: FieldChange[]): void {
  const oldKeys = keyedItems(old);
  const nextKeys = keyedItems(next);
  if (oldKeys && nextKeys && old.length > 0 && next.length > 0) {
    const common = [...nextKeys.keys()].filter((key) => oldKeys.has(key));
    const sameOrder = common.every(
      (key, index) =>
        index === 0 || (oldKeys.get(key) as number) > (oldKeys.get(common[index - 1] as string) as number),
    );
    if (sameOrder) {
      // Removed items at their old index, kept ones at their new index, added ones at their new index.
      for (const [key, index] of oldKeys)
        if (!nextKeys.has(key)) changes.push({ path: `${path}/${index}`, old: old[index] });
      for (const [key, index] of nextKeys) {
        const oldIndex = oldKeys.get(key);
        if (oldIndex === undefined) changes.push({ path: `${path}/${index}`, new: next[index] });
        else diffValue(old[oldIndex], next[index], `${path}/${index}`, changes);
      }
      return;
    }
  }
  if (old.length === next.length && !oldKeys) {
    for (let index = 0; index < old.length; index += 1) diffValue(old[index], next[index], `${path}/${index}`, changes);
    return;
  }
  // Reordered keyed items or lists of different lengths: the list as a whole is the change.
  if (JSON.stringify(old) !== JSON.stringify(next)) changes.push({ path, old, new: next });
}
