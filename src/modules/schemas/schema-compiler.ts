import { Ajv } from 'ajv/dist/ajv.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, Logger, Options } from 'ajv/dist/2020.js';
// ajv-formats is CommonJS: under NodeNext the default import is its `module.exports` object, whose
// `default` property is the plugin both at run time and in the type declarations.
import ajvFormats from 'ajv-formats';
import type { FieldError } from '../../platform/errors.js';

export type { FieldError } from '../../platform/errors.js';

/** Checks one event's `data`; an empty array means valid. Paths are rooted at `/data`. */
export type DataValidator = (data: unknown) => FieldError[];

export type CompileResult = { ok: true; validate: DataValidator } | { ok: false; errors: FieldError[] };

export const MAX_SCHEMA_BYTES = 256 * 1024;
// Far deeper than any real event schema, and shallow enough that walking a hostile one cannot overflow the stack.
export const MAX_SCHEMA_DEPTH = 64;
const MAX_LISTED_VALUES = 10;

const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

type AjvInstance = Ajv | Ajv2020;
type SchemaObject = Record<string, unknown>;

interface Dialect {
  create(options: Options): AjvInstance;
}

const DEFAULT_DIALECT: Dialect = { create: (options) => new Ajv2020(options) };
// Draft-07 gets its own Ajv class rather than its meta-schema on the 2020 class: the 2020 vocabulary
// has no tuple form of `items` and no `additionalItems`, so a draft-07 tuple would compile wrongly.
const DRAFT_07_DIALECT: Dialect = { create: (options) => new Ajv(options) };
const DIALECTS: ReadonlyMap<string, Dialect> = new Map([
  [withoutEmptyFragment(DRAFT_2020_12), DEFAULT_DIALECT],
  [withoutEmptyFragment(DRAFT_07), DRAFT_07_DIALECT],
]);

// Strict, but `'log'` hands every strict-mode finding to our logger instead of throwing on the first one,
// so a single attempt reports all of them; any finding still refuses the schema.
// strictRequired is off: it cannot see `properties` declared beside an `if`/`anyOf` (ajv-validator/ajv#1950,
// #1571), so it refuses the idiomatic `anyOf: [{ required: ["a"] }, { required: ["b"] }]`.
// Union types such as ["number", "null"] are ordinary JSON Schema; Ajv's strictTypes refuses them unless allowed.
// `ownProperties` stops `required: ["constructor"]` passing on `{}` and `properties.toString` checking the inherited function.
const AJV_OPTIONS: Options = {
  allErrors: true,
  strict: 'log',
  strictRequired: false,
  allowUnionTypes: true,
  ownProperties: true,
};

function newAjv(dialect: Dialect, options: Options): AjvInstance {
  const ajv = dialect.create({ ...AJV_OPTIONS, ...options });
  // Only the formats: its formatMinimum-style keywords are Ajv extensions that other JSON Schema tools ignore.
  ajvFormats.default(ajv, { mode: 'full', keywords: false });
  return ajv;
}

// Compiling a meta-schema costs ~15 ms, so each dialect shares one instance for meta-validation. It never
// compiles a user schema, so it does not grow; user schemas get a fresh instance each (see compileStrictly).
const metaValidators = new Map<Dialect, AjvInstance>();

function metaValidator(dialect: Dialect): AjvInstance {
  let ajv = metaValidators.get(dialect);
  if (ajv === undefined) {
    ajv = newAjv(dialect, { logger: false });
    metaValidators.set(dialect, ajv);
  }
  return ajv;
}

export function compileDataSchema(schema: unknown): CompileResult {
  const documentErrors = checkDocument(schema);
  if (documentErrors.length > 0) return { ok: false, errors: documentErrors };
  const root = schema as SchemaObject;

  const dialect = dialectOf(root);
  if ('error' in dialect) return { ok: false, errors: [dialect.error] };

  const ajv = metaValidator(dialect);
  const inspection = inspectSchema(root, ajv);
  const errors = unique([...checkTopLevelType(root), ...inspection.errors, ...metaSchemaErrors(ajv, root)]);
  if (errors.length > 0) return { ok: false, errors };
  return compileStrictly(dialect, root, inspection.references);
}

// ---- The document as a whole: shape, size, depth, forbidden keys. Runs before Ajv sees anything.

function checkDocument(schema: unknown): FieldError[] {
  if (!isSchemaObject(schema)) return [{ path: '', message: 'must be a JSON Schema object' }];
  const errors = findHostileKeys(schema, '', 0, []);
  if (errors.length > 0) return errors;
  let text: string | undefined;
  try {
    text = JSON.stringify(schema);
  } catch {
    text = undefined;
  }
  if (text === undefined) return [{ path: '', message: 'must be a JSON document' }];
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SCHEMA_BYTES) {
    return [{ path: '', message: `is ${bytes} bytes serialized; a schema may be at most ${MAX_SCHEMA_BYTES} bytes` }];
  }
  return [];
}

// Also catches cycles (they exceed the depth) before JSON.stringify would throw on them.
function findHostileKeys(value: unknown, path: string, depth: number, found: FieldError[]): FieldError[] {
  if (value === null || typeof value !== 'object') return found;
  if (depth >= MAX_SCHEMA_DEPTH) {
    found.push({ path, message: `nests deeper than ${MAX_SCHEMA_DEPTH} levels` });
    return found;
  }
  const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    const childPath = `${path}/${escapePointer(key)}`;
    if (key === '__proto__') found.push({ path: childPath, message: 'key "__proto__" is not allowed' });
    else findHostileKeys(child, childPath, depth + 1, found);
  }
  return found;
}

function dialectOf(root: SchemaObject): Dialect | { error: FieldError } {
  const declared = root.$schema;
  if (declared === undefined) return DEFAULT_DIALECT;
  const dialect = typeof declared === 'string' ? DIALECTS.get(withoutEmptyFragment(declared)) : undefined;
  if (dialect !== undefined) return dialect;
  const message = `${JSON.stringify(declared)} is not a supported dialect; use "${DRAFT_2020_12}" (the default) or "${DRAFT_07}"`;
  return { error: { path: '/$schema', message } };
}

function checkTopLevelType(root: SchemaObject): FieldError[] {
  if (root.type === undefined || root.type === 'object') return [];
  return [{ path: '/type', message: `must be "object": an event's data is always a JSON object, got ${JSON.stringify(root.type)}` }];
}

// ---- Schema-aware walk: what the meta-schema allows but we refuse, reported with exact paths.

interface Reference {
  path: string;
  ref: string;
}

interface Inspection {
  errors: FieldError[];
  references: Reference[];
}

const SUBSCHEMA_KEYWORDS = new Set([
  'additionalItems', 'additionalProperties', 'contains', 'else', 'if', 'items', 'not',
  'propertyNames', 'then', 'unevaluatedItems', 'unevaluatedProperties',
]);
const SUBSCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'items', 'oneOf', 'prefixItems']);
const SUBSCHEMA_MAP_KEYWORDS = new Set(['$defs', 'definitions', 'dependencies', 'dependentSchemas', 'patternProperties', 'properties']);
const REFERENCE_KEYWORDS = new Set(['$dynamicRef', '$recursiveRef', '$ref']);
// Keywords Ajv accepts that are not JSON Schema. `$async` is the dangerous one: it makes the validator
// return a Promise, which is truthy, so every event would pass.
const AJV_ONLY_KEYWORDS = new Set(['$async', 'id', 'nullable']);
// Ajv ignores these without their partner and says so without saying where; we say where.
const PARTNER_KEYWORDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['if', ['then', 'else']],
  ['then', ['if']],
  ['else', ['if']],
  ['minContains', ['contains']],
  ['maxContains', ['contains']],
]);

function inspectSchema(root: SchemaObject, ajv: AjvInstance): Inspection {
  const inspection: Inspection = { errors: [], references: [] };
  inspectSubschema(root, '', ajv, inspection);
  return inspection;
}

function inspectSubschema(schema: SchemaObject, path: string, ajv: AjvInstance, inspection: Inspection): void {
  for (const [keyword, value] of Object.entries(schema)) {
    const at = `${path}/${escapePointer(keyword)}`;
    // Own properties only: Ajv's own check reads `keywords[key]`, so `"constructor": 1` slips through it.
    if (!Object.hasOwn(ajv.RULES.keywords, keyword)) {
      inspection.errors.push({ path: at, message: `unknown keyword "${keyword}": strict mode refuses keywords it cannot check` });
      continue;
    }
    if (AJV_ONLY_KEYWORDS.has(keyword)) {
      inspection.errors.push({ path: at, message: `"${keyword}" is an Ajv extension, not JSON Schema` });
      continue;
    }
    const partners = PARTNER_KEYWORDS.get(keyword);
    if (partners !== undefined && !partners.some((partner) => Object.hasOwn(schema, partner))) {
      inspection.errors.push({ path: at, message: `has no effect without ${partners.map((partner) => `"${partner}"`).join(' or ')}` });
    }
    if (REFERENCE_KEYWORDS.has(keyword) && typeof value === 'string') {
      if (value.startsWith('#')) inspection.references.push({ path: at, ref: value });
      else inspection.errors.push({ path: at, message: `remote reference "${value}" is not allowed; use a local one such as "#/$defs/name"` });
    }
    if (keyword === 'pattern' && typeof value === 'string') checkPattern(value, at, inspection.errors);
    if (keyword === 'format' && typeof value === 'string' && !Object.hasOwn(ajv.formats, value)) {
      inspection.errors.push({ path: at, message: `unknown format "${value}"` });
    }
    if (keyword === 'patternProperties' && isSchemaObject(value)) {
      for (const pattern of Object.keys(value)) checkPattern(pattern, `${at}/${escapePointer(pattern)}`, inspection.errors);
    }
    for (const [childPath, child] of subschemasOf(keyword, value, at)) inspectSubschema(child, childPath, ajv, inspection);
  }
}

function subschemasOf(keyword: string, value: unknown, at: string): Array<[string, SchemaObject]> {
  if (SUBSCHEMA_KEYWORDS.has(keyword) && isSchemaObject(value)) return [[at, value]];
  const entries: Array<[string, unknown]> = [];
  if (SUBSCHEMA_LIST_KEYWORDS.has(keyword) && Array.isArray(value)) {
    value.forEach((item, index) => entries.push([`${at}/${index}`, item]));
  } else if (SUBSCHEMA_MAP_KEYWORDS.has(keyword) && isSchemaObject(value)) {
    for (const [name, item] of Object.entries(value)) entries.push([`${at}/${escapePointer(name)}`, item]);
  }
  return entries.filter((entry): entry is [string, SchemaObject] => isSchemaObject(entry[1]));
}

function checkPattern(pattern: string, path: string, errors: FieldError[]): void {
  try {
    // The flag Ajv compiles patterns with, so what passes here compiles there.
    new RegExp(pattern, 'u');
  } catch (error) {
    errors.push({ path, message: `is not a valid regular expression: ${errorMessage(error)}` });
  }
}

function metaSchemaErrors(ajv: AjvInstance, root: SchemaObject): FieldError[] {
  if (ajv.validateSchema(root) === true) return [];
  return toFieldErrors(ajv.errors ?? [], '');
}

// ---- Compilation.

const UNBOUNDED_RECURSION = 'recurses without end: a $ref cycle never reaches deeper into the data';

function compileStrictly(dialect: Dialect, root: SchemaObject, references: readonly Reference[]): CompileResult {
  const findings: string[] = [];
  const collect = (...args: unknown[]): void => {
    findings.push(args.map(String).join(' '));
  };
  const logger: Logger = { log: () => undefined, warn: collect, error: collect };
  // A fresh instance per schema: Ajv keeps every compiled schema in its cache and code scope for the
  // instance's lifetime, so a shared one would grow with every version ever registered.
  // The meta-schema was already checked, so this instance skips compiling it again.
  const ajv = newAjv(dialect, { logger, validateSchema: false });
  let validate: ReturnType<AjvInstance['compile']>;
  try {
    // Data is always an object, so a root without `type` means "object"; saying so keeps strictTypes from
    // refusing root `properties` and `required` for a type that cannot be anything else.
    validate = ajv.compile(root.type === undefined ? { ...root, type: 'object' } : root);
  } catch (error) {
    return { ok: false, errors: compileFailure(error, references) };
  }
  if (findings.length > 0) return { ok: false, errors: unique(findings.map(strictFinding)) };
  const checked = guardAgainstRecursion(validate);
  // A `$ref` cycle that never descends into the data recurses until the stack runs out. Probing `{}`
  // catches the unconditional ones here; conditional ones are caught per event by the guard.
  if (checked({}).some((error) => error.message === UNBOUNDED_RECURSION)) {
    return { ok: false, errors: [{ path: '', message: UNBOUNDED_RECURSION }] };
  }
  return { ok: true, validate: checked };
}

function guardAgainstRecursion(validate: ReturnType<AjvInstance['compile']>): DataValidator {
  return (data) => {
    try {
      return validate(data) ? [] : toFieldErrors(validate.errors ?? [], '/data');
    } catch (error) {
      if (error instanceof RangeError) return [{ path: '/data', message: UNBOUNDED_RECURSION }];
      throw error;
    }
  };
}

const AT_SCHEMA_PATH = / (?:ignored in schema )?at (?:path )?"([^"]*)"/;

function strictFinding(finding: string): FieldError {
  const text = finding.replace(/^strict mode: /, '').replace(/ \(strict\w+\)$/, '');
  const match = AT_SCHEMA_PATH.exec(text);
  if (match === null) return { path: '', message: `${text} (strict mode)` };
  return { path: fragmentToPointer(match[1] ?? ''), message: `${text.replace(match[0], '')} (strict mode)` };
}

function compileFailure(error: unknown, references: readonly Reference[]): FieldError[] {
  const missingRef = isSchemaObject(error) && typeof error.missingRef === 'string' ? error.missingRef : undefined;
  if (missingRef !== undefined) {
    const unresolved = references.filter(({ ref }) => missingRef === ref || missingRef.endsWith(ref));
    const message = `cannot be resolved: nothing in this schema is at "${missingRef}"`;
    return unresolved.length > 0 ? unresolved.map(({ path }) => ({ path, message })) : [{ path: '', message }];
  }
  if (error instanceof RangeError) return [{ path: '', message: UNBOUNDED_RECURSION }];
  return [strictFinding(errorMessage(error))];
}

// ---- Ajv errors to FieldErrors, for both meta-schema errors (root '') and data errors (root '/data').

interface Described {
  error: ErrorObject;
  field: FieldError;
  absorbed: boolean;
}

function toFieldErrors(errors: readonly ErrorObject[], root: string): FieldError[] {
  // A failed propertyNames repeats what the errors from its subschema (each naming the property) already said.
  const informative = errors.filter((error) => error.keyword !== 'propertyNames');
  const described: Described[] = informative.map((error) => ({ error, field: describeError(error, root), absorbed: false }));
  described.forEach((entry, index) => {
    if (isFailedAlternative(entry.error)) mergeAlternatives(described, index);
  });
  return unique(described.filter((entry) => !entry.absorbed).map((entry) => entry.field));
}

function isFailedAlternative(error: ErrorObject): boolean {
  // A oneOf that failed because several branches passed has no branch errors to merge.
  return error.keyword === 'anyOf' || (error.keyword === 'oneOf' && error.params.passingSchemas == null);
}

/**
 * Ajv reports each failed branch and then "must match a schema in anyOf"; one message saying which
 * alternatives were expected reads better. Branch errors come directly before the anyOf error, and lie
 * under its schema path unless a `$ref` moved them (then they lie outside the anyOf's parent).
 */
function mergeAlternatives(described: Described[], alternativeIndex: number): void {
  const alternative = described[alternativeIndex];
  if (alternative === undefined) return;
  const { instancePath, schemaPath } = alternative.error;
  const parentPath = schemaPath.slice(0, schemaPath.lastIndexOf('/'));
  const branches: Described[] = [];
  for (let index = alternativeIndex - 1; index >= 0; index -= 1) {
    const entry = described[index];
    if (entry === undefined) break;
    if (entry.absorbed) continue;
    const samePlace = entry.error.instancePath === instancePath || entry.error.instancePath.startsWith(`${instancePath}/`);
    const inBranch = entry.error.schemaPath.startsWith(`${schemaPath}/`) || !entry.error.schemaPath.startsWith(`${parentPath}/`);
    if (!samePlace || !inBranch) break;
    branches.unshift(entry);
  }
  if (branches.length === 0) return;
  for (const branch of branches) branch.absorbed = true;
  const messages = branches.map(({ field }) => relativeMessage(field, alternative.field.path));
  alternative.field = { path: alternative.field.path, message: unique(messages).join(' or ') };
}

function relativeMessage(field: FieldError, basePath: string): string {
  if (field.path === basePath) return field.message;
  const relative = field.path.slice(basePath.length + 1).split('/').map(unescapePointer).join('.');
  return `"${relative}" ${field.message}`;
}

function describeError(error: ErrorObject, root: string): FieldError {
  const params: Record<string, unknown> = error.params;
  const at = root + error.instancePath;
  const child = (name: unknown): string => `${at}/${escapePointer(String(name))}`;
  switch (error.keyword) {
    case 'required':
      return { path: child(params.missingProperty), message: 'is required' };
    case 'dependentRequired':
    case 'dependencies':
      if (params.missingProperty === undefined) break;
      return { path: child(params.missingProperty), message: `is required when "${String(params.property)}" is present` };
    case 'additionalProperties':
      return { path: child(params.additionalProperty), message: 'is not allowed' };
    case 'unevaluatedProperties':
      return { path: child(params.unevaluatedProperty), message: 'is not allowed' };
    case 'false schema':
      return { path: at, message: 'is not allowed' };
    case 'type':
      return { path: at, message: `must be ${listOf(params.type).join(' or ')}` };
    case 'enum':
      return { path: at, message: `must be one of ${formatValues(listOf(params.allowedValues))}` };
    case 'const':
      return { path: at, message: `must be ${JSON.stringify(params.allowedValue)}` };
  }
  if (typeof error.propertyName === 'string') {
    return { path: child(error.propertyName), message: `is not an allowed name: ${error.message ?? 'is invalid'}` };
  }
  return { path: at, message: error.message ?? 'is invalid' };
}

// ---- Small helpers.

function isSchemaObject(value: unknown): value is SchemaObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function formatValues(values: readonly unknown[]): string {
  const shown = values.slice(0, MAX_LISTED_VALUES).map((value) => JSON.stringify(value)).join(', ');
  return values.length > MAX_LISTED_VALUES ? `${shown} (and ${values.length - MAX_LISTED_VALUES} more)` : shown;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

// Ajv reports schema locations as URI fragments ("#/properties/a%20b"), optionally after a base URI.
function fragmentToPointer(location: string): string {
  const fragment = location.slice(location.indexOf('#') + 1);
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

function withoutEmptyFragment(uri: string): string {
  return uri.endsWith('#') ? uri.slice(0, -1) : uri;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function unique(errors: readonly FieldError[]): FieldError[];
function unique(values: readonly string[]): string[];
function unique(values: ReadonlyArray<FieldError | string>): Array<FieldError | string> {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = typeof value === 'string' ? value : `${value.path}\u0000${value.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
