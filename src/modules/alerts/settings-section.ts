import type { FieldError } from '../../platform/errors.js';

// Reads one nested section of the configuration file (`alerts`, `serviceLevels`): every field known and
// checked, every problem reported with its dotted path and why, none thrown. Numbers that thresholds
// compare exactly (shares, rates) are kept as decimal text, never floats.

export type FieldReader<T> = (raw: unknown) => { value: T } | { error: string };

export const isMapping = (raw: unknown): raw is Record<string, unknown> =>
  raw !== null && typeof raw === 'object' && !Array.isArray(raw);

/** An integer in [min, max], written as a number or digits. */
export function integerIn(min: number, max: number): FieldReader<number> {
  return (raw) => {
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
    return Number.isSafeInteger(value) && value >= min && value <= max
      ? { value }
      : { error: `must be an integer from ${min} to ${max}, got ${shown(raw)}` };
  };
}

const DECIMAL = /^(0|[1-9]\d{0,11})(\.\d{1,12})?$/;

/** A non-negative decimal (at most 12 digits each side of the point), as exact text; bounds inclusive unless said. */
export function decimalIn(min: number, max: number, { aboveMin = false } = {}): FieldReader<string> {
  return (raw) => {
    const text = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : typeof raw === 'string' ? raw : '';
    const value = Number(text);
    const ok = DECIMAL.test(text) && value <= max && (aboveMin ? value > min : value >= min);
    return ok
      ? { value: text }
      : {
          error: `must be a decimal number ${aboveMin ? 'above' : 'from'} ${min} ${aboveMin ? 'up ' : ''}to ${max}, got ${shown(raw)}`,
        };
  };
}

export const booleanField: FieldReader<boolean> = (raw) =>
  typeof raw === 'boolean'
    ? { value: raw }
    : raw === 'on' || raw === 'off'
      ? { value: raw === 'on' }
      : { error: `must be true or false (or on, off), got ${shown(raw)}` };

/** A non-empty string of at most `max` characters, matching `pattern` when given (`why` says what it must be). */
export function textField(max: number, pattern?: RegExp, why = 'a non-empty string'): FieldReader<string> {
  return (raw) =>
    typeof raw === 'string' && raw.length > 0 && raw.length <= max && (!pattern || pattern.test(raw))
      ? { value: raw }
      : { error: `must be ${why} of at most ${max} characters, got ${shown(raw)}` };
}

function shown(raw: unknown): string {
  const text = JSON.stringify(raw) ?? String(raw);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Reads a mapping whose fields `readers` names: each present field read by its reader, defaults for the
 * rest, an unknown field an error. `raw` undefined is an empty mapping.
 */
export function readFields<T extends object>(
  raw: unknown,
  path: string,
  readers: { [K in keyof T]: FieldReader<T[K]> },
  defaults: T,
  errors: FieldError[],
): T {
  const value = { ...defaults };
  if (raw === undefined || raw === null) return value;
  if (!isMapping(raw)) {
    errors.push({ path, message: 'must be a mapping' });
    return value;
  }
  for (const [name, field] of Object.entries(raw)) {
    const reader = Object.hasOwn(readers, name) ? readers[name as keyof T] : undefined;
    if (!reader) {
      errors.push({
        path: `${path}.${name}`,
        message: `is not a known setting (known: ${Object.keys(readers).join(', ')})`,
      });
      continue;
    }
    const parsed = reader(field);
    if ('error' in parsed) errors.push({ path: `${path}.${name}`, message: parsed.error });
    else value[name as keyof T] = parsed.value;
  }
  return value;
}
