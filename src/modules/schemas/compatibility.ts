import { configure } from 'safe-stable-stringify';

export type BreakingChangeKind =
  | 'required_added'
  | 'required_removed'
  | 'type_changed'
  | 'property_removed'
  | 'enum_narrowed'
  | 'additional_properties_closed';

/** `path` is a JSON Pointer to the subschema that changed, e.g. `/properties/usage/properties/tokens`. */
export interface BreakingChange {
  path: string;
  kind: BreakingChangeKind;
  message: string;
}

type Schema = Record<string, unknown>;

interface Location {
  path: string;
  /** Dotted name for messages (`usage.tokens`, `lines[].sku`); undefined at the root. */
  field: string | undefined;
}

// Sorted keys, so that enum values that are objects compare by content rather than by key order.
const canonicalJson = configure({ deterministic: true }) as (value: unknown) => string;

/**
 * Backward compatible means: data valid under `previous` stays valid under `next`, and consumers keep every
 * field `previous` guaranteed. Adding an optional property is compatible by convention, even though it
 * constrains a name that an open `previous` accepted with any value. Composition (`allOf`, `anyOf`, ...),
 * `$ref` targets and numeric or string bounds are not compared.
 */
export function findBreakingChanges(previous: object, next: object): BreakingChange[] {
  const changes: BreakingChange[] = [];
  compareSchemas(asDataSchema(previous), asDataSchema(next), { path: '', field: undefined }, changes);
  return changes;
}

// Data is always an object, so a root without `type` means "object" (as the compiler reads it too):
// adding `"type": "object"` later is not a narrowing.
function asDataSchema(schema: object): object {
  return 'type' in schema ? schema : { ...schema, type: 'object' };
}

function compareSchemas(previous: unknown, next: unknown, at: Location, changes: BreakingChange[]): void {
  // `false` accepts nothing, so nothing can be narrowed from it; `true` accepts anything, like `{}`.
  if (previous === false) return;
  if (next === false) {
    changes.push({ path: at.path, kind: 'property_removed', message: `${label(at)} is no longer allowed` });
    return;
  }
  const before = asSchema(previous);
  const after = asSchema(next);
  if (before === undefined || after === undefined) return;
  compareTypes(before, after, at, changes);
  compareEnums(before, after, at, changes);
  compareObjects(before, after, at, changes);
  compareItems(before, after, at, changes);
}

function compareTypes(before: Schema, after: Schema, at: Location, changes: BreakingChange[]): void {
  const previousTypes = typesOf(before);
  const nextTypes = typesOf(after);
  if (nextTypes === undefined) return;
  const narrowed = previousTypes === undefined || previousTypes.some((type) => !acceptsType(nextTypes, type));
  if (!narrowed) return;
  changes.push({
    path: at.path,
    kind: 'type_changed',
    message: `${label(at)} changed type from ${describeTypes(previousTypes)} to ${describeTypes(nextTypes)}`,
  });
}

function acceptsType(types: readonly string[], type: string): boolean {
  return types.includes(type) || (type === 'integer' && types.includes('number'));
}

function compareEnums(before: Schema, after: Schema, at: Location, changes: BreakingChange[]): void {
  const nextValues = allowedValues(after);
  if (nextValues === undefined) return;
  const previousValues = allowedValues(before);
  if (previousValues === undefined) {
    changes.push({ path: at.path, kind: 'enum_narrowed', message: `${label(at)} is now restricted to ${formatValues(nextValues)}` });
    return;
  }
  const kept = new Set(nextValues.map(canonicalJson));
  const removed = previousValues.filter((value) => !kept.has(canonicalJson(value)));
  if (removed.length === 0) return;
  changes.push({ path: at.path, kind: 'enum_narrowed', message: `${label(at)} no longer accepts ${formatValues(removed)}` });
}

function compareObjects(before: Schema, after: Schema, at: Location, changes: BreakingChange[]): void {
  const previousProperties = asRecord(before.properties);
  const nextProperties = asRecord(after.properties);
  const previousRequired = new Set(stringsOf(before.required));
  const nextRequired = new Set(stringsOf(after.required));

  if (before.additionalProperties !== false && after.additionalProperties === false) {
    changes.push({ path: at.path, kind: 'additional_properties_closed', message: `${label(at)} no longer allows additional properties` });
  }

  for (const name of nextRequired) {
    if (previousRequired.has(name)) continue;
    const message = Object.hasOwn(previousProperties, name)
      ? `${label(child(at, name))} became required`
      : `required ${label(child(at, name))} was added`;
    changes.push({ path: child(at, name).path, kind: 'required_added', message });
  }

  for (const name of previousRequired) {
    if (nextRequired.has(name)) continue;
    const field = child(at, name);
    if (Object.hasOwn(nextProperties, name)) {
      changes.push({ path: field.path, kind: 'required_removed', message: `${label(field)} is no longer required` });
    } else {
      changes.push({ path: field.path, kind: 'property_removed', message: `required ${label(field)} was removed` });
    }
  }

  for (const [name, previousProperty] of Object.entries(previousProperties)) {
    const field = child(at, name);
    if (Object.hasOwn(nextProperties, name)) {
      compareSchemas(previousProperty, nextProperties[name], field, changes);
    } else if (previousRequired.has(name) && !nextRequired.has(name)) {
      // Already reported as a removed required field.
    } else if (after.additionalProperties === false) {
      changes.push({ path: field.path, kind: 'property_removed', message: `${label(field)} was removed and additional properties are not allowed` });
    } else {
      // Without its own entry the value is now checked against `additionalProperties` (when that is a schema).
      compareSchemas(previousProperty, after.additionalProperties ?? true, field, changes);
    }
  }

  const previousAdditional = before.additionalProperties;
  if (previousAdditional === undefined || typeof previousAdditional === 'boolean') return;
  for (const [name, nextProperty] of Object.entries(nextProperties)) {
    // `previous` constrained this name through its `additionalProperties` schema; the new entry must accept at least that.
    if (!Object.hasOwn(previousProperties, name)) compareSchemas(previousAdditional, nextProperty, child(at, name), changes);
  }
}

function compareItems(before: Schema, after: Schema, at: Location, changes: BreakingChange[]): void {
  if (before.items === undefined && after.items === undefined) return;
  const previousItems = before.items ?? true;
  const nextItems = after.items ?? true;
  const itemsField = `${at.field ?? 'data'}[]`;
  if (Array.isArray(previousItems) || Array.isArray(nextItems)) {
    // Draft-07 tuples: compare position by position when both sides are tuples; a switch of form is not analysed.
    if (!Array.isArray(previousItems) || !Array.isArray(nextItems)) return;
    previousItems.forEach((item, index) => {
      if (index >= nextItems.length) return;
      compareSchemas(item, nextItems[index], { path: `${at.path}/items/${index}`, field: `${at.field ?? 'data'}[${index}]` }, changes);
    });
    return;
  }
  compareSchemas(previousItems, nextItems, { path: `${at.path}/items`, field: itemsField }, changes);
}

// ---- Small helpers.

function asSchema(value: unknown): Schema | undefined {
  if (value === true) return {};
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Schema) : undefined;
}

function asRecord(value: unknown): Schema {
  return asSchema(value) ?? {};
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** undefined means any type. */
function typesOf(schema: Schema): string[] | undefined {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return stringsOf(schema.type);
  return undefined;
}

function allowedValues(schema: Schema): unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  if (Object.hasOwn(schema, 'const')) return [schema.const];
  return undefined;
}

function describeTypes(types: readonly string[] | undefined): string {
  return types === undefined ? 'any type' : types.join(' or ');
}

function formatValues(values: readonly unknown[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ');
}

function child(at: Location, name: string): Location {
  return { path: `${at.path}/properties/${escapePointer(name)}`, field: at.field === undefined ? name : `${at.field}.${name}` };
}

function label(at: Location): string {
  return at.field === undefined ? 'the event data' : `field "${at.field}"`;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
