import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { uniqueFieldErrors, type FieldError } from '../../platform/errors.js';
import { escapePointerToken } from '../../platform/json-pointer.js';
import { TARGET_KIND_SPECS, type TargetDefinition, type TargetKindSpec } from '../connectors/index.js';
import { compileCatalogSchema } from './catalog-ajv.js';
import { schemaFieldErrors } from './schema-errors.js';
import { findSecretValues, secretShape } from './secret-values.js';

// A target's own rules: a kind with a connector, settings that meet the kind's schema, a secret named (not
// written) where the kind authenticates, and no secret anywhere in its settings. Errors never quote a value
// that looks like a secret.

type Report = (path: string, message: string) => void;

const PUT_IN_A_SECRET =
  'put it in a secret (MB_SECRET_<NAME> or the secrets file) and give the secret\'s name in "credentials"';

const validators = new Map<Record<string, unknown>, ValidateFunction>();

/** Compiled once per kind's schema, on first use. */
function settingsValidator(spec: TargetKindSpec): ValidateFunction {
  let validate = validators.get(spec.settingsSchema);
  if (!validate) {
    validate = compileCatalogSchema(spec.settingsSchema, { verbose: true });
    validators.set(spec.settingsSchema, validate);
  }
  return validate;
}

function usableKinds(specs: Readonly<Record<string, TargetKindSpec>>): string {
  const kinds = Object.values(specs)
    .filter((spec) => spec.connector)
    .map((spec) => spec.kind);
  return kinds.length < 2 ? kinds.join('') : `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)}`;
}

export function checkTarget(
  target: TargetDefinition,
  t: number,
  report: Report,
  specs: Readonly<Record<string, TargetKindSpec>> = TARGET_KIND_SPECS,
): void {
  const at = `/targets/${t}`;
  const kind: string = target.kind;
  const spec = Object.hasOwn(specs, kind) ? specs[kind] : undefined;
  const secrets = findSecretValues(target.settings, spec?.identifierPaths ?? []);
  for (const { path, looksLike } of secrets)
    report(`${at}/settings${path}`, `looks like a secret (${looksLike}): ${PUT_IN_A_SECRET}`);

  if (target.credentials !== undefined) {
    const looksLike = secretShape(target.credentials);
    if (looksLike)
      report(`${at}/credentials`, `looks like a secret itself (${looksLike}): credentials is the name of a secret`);
  }
  if (!spec) {
    const shown = secretShape(kind) || kind.length > 60 ? 'this kind' : `"${kind}"`;
    report(`${at}/kind`, `${shown} is not a known target kind; the kinds with a connector are ${usableKinds(specs)}`);
    return;
  }
  if (!spec.connector) {
    report(
      `${at}/kind`,
      `target kind "${kind}" has no connector in this release; the usable kinds are ${usableKinds(specs)}`,
    );
    return;
  }
  if (spec.needsCredentials && target.credentials === undefined)
    report(`${at}/credentials`, `is required: a ${kind} target authenticates with a secret; give the secret's name`);
  const validate = settingsValidator(spec);
  if (validate(target.settings)) return;
  // A place already reported as a secret is not reported again as, say, a field the kind does not know.
  const secretPaths = new Set(secrets.map(({ path }) => path));
  for (const error of settingsErrors(validate.errors ?? []))
    if (!secretPaths.has(error.path)) report(`${at}/settings${error.path}`, error.message);
}

/**
 * Ajv's errors for a kind's settings. A pattern or format is described by its schema's `description`
 * (compiled verbose), a `false` schema is a field another setting rules out; the rest read as the catalog's.
 */
function settingsErrors(errors: readonly ErrorObject[]): FieldError[] {
  return uniqueFieldErrors(
    errors.flatMap((error): FieldError[] => {
      const path =
        typeof error.propertyName === 'string'
          ? `${error.instancePath}/${escapePointerToken(error.propertyName)}`
          : error.instancePath;
      const description = (error.parentSchema as { description?: unknown } | undefined)?.description;
      if ((error.keyword === 'pattern' || error.keyword === 'format') && typeof description === 'string')
        return [{ path, message: `must be ${description}` }];
      if (error.keyword === 'false schema') return [{ path, message: 'is not allowed with the method chosen' }];
      return schemaFieldErrors([error]);
    }),
  );
}
