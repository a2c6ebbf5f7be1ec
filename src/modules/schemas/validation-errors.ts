import type { ErrorObject } from 'ajv/dist/2020.js';
import { uniqueFieldErrors, type FieldError } from '../../platform/errors.js';
import { escapePointerToken, unescapePointerToken } from '../../platform/json-pointer.js';

// Ajv errors to FieldErrors, for both meta-schema errors (root '') and data errors (root '/data').

const MAX_LISTED_VALUES = 10;

interface Described {
  error: ErrorObject;
  field: FieldError;
  absorbed: boolean;
}

/** Ajv's errors as field errors with JSON Pointer paths under `root`, one per problem. */
export function toFieldErrors(errors: readonly ErrorObject[], root: string): FieldError[] {
  // A failed propertyNames repeats what the errors from its subschema (each naming the property) already said.
  const informative = errors.filter((error) => error.keyword !== 'propertyNames');
  const described: Described[] = informative.map((error) => ({ error, field: describeError(error, root), absorbed: false }));
  described.forEach((entry, index) => {
    if (isFailedAlternative(entry.error)) mergeAlternatives(described, index);
  });
  return uniqueFieldErrors(described.filter((entry) => !entry.absorbed).map((entry) => entry.field));
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
  alternative.field = { path: alternative.field.path, message: [...new Set(messages)].join(' or ') };
}

function relativeMessage(field: FieldError, basePath: string): string {
  if (field.path === basePath) return field.message;
  const relative = field.path.slice(basePath.length + 1).split('/').map(unescapePointerToken).join('.');
  return `"${relative}" ${field.message}`;
}

function describeError(error: ErrorObject, root: string): FieldError {
  const params: Record<string, unknown> = error.params;
  const at = root + error.instancePath;
  const child = (name: unknown): string => `${at}/${escapePointerToken(String(name))}`;
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

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function formatValues(values: readonly unknown[]): string {
  const shown = values.slice(0, MAX_LISTED_VALUES).map((value) => JSON.stringify(value)).join(', ');
  return values.length > MAX_LISTED_VALUES ? `${shown} (and ${values.length - MAX_LISTED_VALUES} more)` : shown;
}
