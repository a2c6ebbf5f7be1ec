import type { Logger } from 'ajv/dist/2020.js';
import { uniqueFieldErrors, type FieldError } from '../../platform/errors.js';
import { fragmentToPointer } from '../../platform/json-pointer.js';
import { dialectOf, metaValidator, newAjv, type AjvInstance, type Dialect } from './schema-dialects.js';
import {
  checkDocument,
  checkTopLevelType,
  inspectSchema,
  isSchemaObject,
  metaSchemaErrors,
  type Reference,
  type SchemaObject,
} from './schema-inspection.js';
import { toFieldErrors } from './validation-errors.js';

export type { FieldError } from '../../platform/errors.js';
export { MAX_SCHEMA_BYTES, MAX_SCHEMA_DEPTH } from './schema-inspection.js';

/** Checks one event's `data`; an empty array means valid. Paths are rooted at `/data`. */
export type DataValidator = (data: unknown) => FieldError[];

export type CompileResult = { ok: true; validate: DataValidator } | { ok: false; errors: FieldError[] };

export function compileDataSchema(schema: unknown): CompileResult {
  const documentErrors = checkDocument(schema);
  if (documentErrors.length > 0) return { ok: false, errors: documentErrors };
  const root = schema as SchemaObject;

  const dialect = dialectOf(root);
  if ('error' in dialect) return { ok: false, errors: [dialect.error] };

  const ajv = metaValidator(dialect);
  const inspection = inspectSchema(root, ajv);
  const errors = uniqueFieldErrors([...checkTopLevelType(root), ...inspection.errors, ...metaSchemaErrors(ajv, root)]);
  if (errors.length > 0) return { ok: false, errors };
  return compileStrictly(dialect, root, inspection.references);
}

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
  if (findings.length > 0) return { ok: false, errors: uniqueFieldErrors(findings.map(strictFinding)) };
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
  return [strictFinding(error instanceof Error ? error.message : String(error))];
}
