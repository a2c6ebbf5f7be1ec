import { ConflictError, isAppError, ValidationError } from '../platform/errors.js';

/** Where a bad option is reported: `--legal-entity` for the `legal_entity` parameter. */
export const optionPath = (name: string): string => `--${name.replace(/_/g, '-')}`;

/** A module's top-level field (`/from`, a JSON Pointer) as the option that set it (`--from`); other paths as they are. */
export function pointerAsOption(path: string): string {
  const name = /^\/(\w+)$/.exec(path)?.[1];
  return name === undefined ? path : optionPath(name);
}

/**
 * The module names fields as JSON Pointers (`/from`); on the command line they are options (`--from`),
 * or whatever `rename` makes of them.
 */
export function asOptionErrors(error: unknown, rename: (path: string) => string = pointerAsOption): unknown {
  if (!isAppError(error)) return error;
  const renamed = error.errors.map((item) => ({ ...item, path: rename(item.path) }));
  if (error instanceof ValidationError) return new ValidationError(error.message, renamed);
  if (error instanceof ConflictError) return new ConflictError(error.message, renamed);
  return error;
}
