import { isParamObject, type Param, type ParamObject } from './form-params.js';
import { invalidParam, missingParam, notEmulated, unknownParam } from './stripe-error.js';

// Typed reads of form parameters with Stripe's refusals: every leaf arrives as text, and each parameter
// says what text it takes (`Invalid integer: abc`). A parameter Stripe does not know is refused by name
// (`Received unknown parameter`), and one Stripe knows but the emulator does not emulate is refused too,
// so a client never believes the emulator applied something it ignored.

/** Refuses any parameter outside `known`, and those of `unemulated` by their own message. */
export function checkParams(params: ParamObject, known: readonly string[], unemulated: readonly string[] = []): void {
  for (const name of Object.keys(params)) {
    if (unemulated.includes(name)) throw notEmulated(name);
    if (!known.includes(name)) throw unknownParam(name);
  }
}

function text(params: ParamObject, name: string, path = name): string | undefined {
  const value: Param | undefined = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw invalidParam(path, `Invalid string: ${path} must be a string, not a hash or array.`);
  return value;
}

export function readString(
  params: ParamObject,
  name: string,
  options: { max?: number; required?: boolean; path?: string } = {},
): string | undefined {
  const path = options.path ?? name;
  const value = text(params, name, path);
  if (value === undefined || value === '') {
    if (options.required) throw missingParam(path);
    return value;
  }
  const max = options.max ?? 5000;
  if (value.length > max)
    throw invalidParam(path, `Invalid string: ${path} must be at most ${max} characters long, got ${value.length}.`);
  return value;
}

export function readInteger(
  params: ParamObject,
  name: string,
  options: { path?: string; min?: number; max?: number } = {},
): number | undefined {
  const path = options.path ?? name;
  const value = text(params, name, path);
  if (value === undefined) return undefined;
  if (!/^-?\d{1,15}$/.test(value)) throw invalidParam(path, `Invalid integer: ${value}`, 'parameter_invalid_integer');
  const number = Number(value);
  if (options.min !== undefined && number < options.min)
    throw invalidParam(
      path,
      `This value must be greater than or equal to ${options.min}.`,
      'parameter_invalid_integer',
    );
  if (options.max !== undefined && number > options.max)
    throw invalidParam(path, `This value must be less than or equal to ${options.max}.`, 'parameter_invalid_integer');
  return number;
}

export function readBoolean(params: ParamObject, name: string): boolean | undefined {
  const value = text(params, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw invalidParam(name, `Invalid boolean: ${value}`);
  return value === 'true';
}

/** A decimal in text, at most `places` decimals (Stripe's `unit_amount_decimal`: 12). */
export function readDecimal(params: ParamObject, name: string, places = 12, path = name): string | undefined {
  const value = text(params, name, path);
  if (value === undefined) return undefined;
  if (!new RegExp(`^-?\\d{1,19}(\\.\\d{1,${places}})?$`).test(value))
    throw invalidParam(path, `Invalid decimal: ${value}`, 'parameter_invalid_string');
  return value;
}

export function readEnum<T extends string>(params: ParamObject, name: string, values: readonly T[]): T | undefined {
  const value = text(params, name);
  if (value === undefined) return undefined;
  const found = values.find((known) => known === value);
  if (found === undefined)
    throw invalidParam(name, `Invalid ${name}: must be one of ${values.join(', ')}`, 'parameter_invalid_string');
  return found;
}

/** Lower-case ISO 4217 (upper case is taken and lowered, as Stripe does). */
export function readCurrency(params: ParamObject, name = 'currency'): string | undefined {
  const value = text(params, name);
  if (value === undefined) return undefined;
  if (!/^[A-Za-z]{3}$/.test(value))
    throw invalidParam(
      name,
      `Invalid currency: ${value.toLowerCase()}. Stripe currently supports these currencies: ...`,
    );
  return value.toLowerCase();
}

export const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 } as const;

/**
 * `metadata[key]=value`; `metadata=` (empty) clears every key and `metadata[key]=` clears one, so an
 * update merges. Returns the keys to set (an empty value: to remove), or 'clear'.
 */
export function readMetadata(params: ParamObject, name = 'metadata'): Record<string, string> | 'clear' | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (value === '') return 'clear';
  if (!isParamObject(value)) throw invalidParam(name, 'Invalid hash: metadata must be a hash of keys and values.');
  const entries = Object.entries(value);
  if (entries.length > METADATA_LIMITS.keys)
    throw invalidParam(name, `You can specify up to ${METADATA_LIMITS.keys} metadata keys.`);
  const metadata: Record<string, string> = {};
  for (const [key, entry] of entries) {
    const path = `${name}[${key}]`;
    if (typeof entry !== 'string') throw invalidParam(path, `Invalid string: ${path} must be a string.`);
    if (key.length > METADATA_LIMITS.keyLength)
      throw invalidParam(
        path,
        `Metadata keys can have up to ${METADATA_LIMITS.keyLength} characters, but you passed in a key that is ${key.length} characters long.`,
      );
    if (entry.length > METADATA_LIMITS.valueLength)
      throw invalidParam(
        path,
        `Metadata values can have up to ${METADATA_LIMITS.valueLength} characters, but you passed in a value that is ${entry.length} characters long.`,
      );
    metadata[key] = entry;
  }
  return metadata;
}

/** Applies what readMetadata read to an object's metadata. */
export function mergeMetadata(
  current: Record<string, string>,
  change: Record<string, string> | 'clear' | undefined,
): Record<string, string> {
  if (change === undefined) return current;
  if (change === 'clear') return {};
  const merged = { ...current };
  for (const [key, value] of Object.entries(change)) {
    if (value === '') delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** A sub-hash such as `period` or `payload`, refusing keys outside `known`. */
export function readHash(params: ParamObject, name: string, known: readonly string[]): ParamObject | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (!isParamObject(value)) throw invalidParam(name, `Invalid hash: ${name} must be a hash.`);
  for (const key of Object.keys(value)) if (!known.includes(key)) throw unknownParam(`${name}[${key}]`);
  return value;
}
