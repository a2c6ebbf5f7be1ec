import { Ajv } from 'ajv/dist/ajv.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Options } from 'ajv/dist/2020.js';
// ajv-formats is CommonJS: under NodeNext the default import is its `module.exports` object, whose
// `default` property is the plugin both at run time and in the type declarations.
import ajvFormats from 'ajv-formats';
import type { FieldError } from '../../platform/errors.js';

// The JSON Schema dialects a schema may declare in `$schema`, and the Ajv instances set up for them.

const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

export type AjvInstance = Ajv | Ajv2020;

export interface Dialect {
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

export function newAjv(dialect: Dialect, options: Options): AjvInstance {
  const ajv = dialect.create({ ...AJV_OPTIONS, ...options });
  // Only the formats: its formatMinimum-style keywords are Ajv extensions that other JSON Schema tools ignore.
  ajvFormats.default(ajv, { mode: 'full', keywords: false });
  return ajv;
}

// Compiling a meta-schema costs ~15 ms, so each dialect shares one instance for meta-validation. It never
// compiles a user schema, so it does not grow; user schemas get a fresh instance each (see
// compileStrictly in schema-compiler.ts).
const metaValidators = new Map<Dialect, AjvInstance>();

export function metaValidator(dialect: Dialect): AjvInstance {
  let ajv = metaValidators.get(dialect);
  if (ajv === undefined) {
    ajv = newAjv(dialect, { logger: false });
    metaValidators.set(dialect, ajv);
  }
  return ajv;
}

/** The dialect the schema's `$schema` declares (2020-12 when it declares none), or why it is refused. */
export function dialectOf(root: Record<string, unknown>): Dialect | { error: FieldError } {
  const declared = root.$schema;
  if (declared === undefined) return DEFAULT_DIALECT;
  const dialect = typeof declared === 'string' ? DIALECTS.get(withoutEmptyFragment(declared)) : undefined;
  if (dialect !== undefined) return dialect;
  const message = `${JSON.stringify(declared)} is not a supported dialect; use "${DRAFT_2020_12}" (the default) or "${DRAFT_07}"`;
  return { error: { path: '/$schema', message } };
}

function withoutEmptyFragment(uri: string): string {
  return uri.endsWith('#') ? uri.slice(0, -1) : uri;
}
