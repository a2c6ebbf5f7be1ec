// Reads the query string of a usage query into a `UsageQuery`, refusing it whole with every bad
// parameter at once (path `/query/<name>`). Pure: the meters come from the caller's catalog version.
import type { Meter } from '../catalog/index.js';
import { ValidationError, type FieldError } from '../../platform/errors.js';
import type { UsageQuery, UsageQueryLimits } from './usage-query-types.js';
import {
  countWindows,
  formatInstant,
  isKnownTimeZone,
  parseInstant,
  USAGE_WINDOWS,
  type UsageWindow,
} from './usage-window.js';

/** Group names every meter has: the record's attribution columns. A meter's own groupBy paths come after. */
export const ATTRIBUTION_GROUPS = ['customer', 'subscription', 'legal_entity', 'currency'] as const;

export const USAGE_QUERY_PARAMETERS = ['meter', 'customer', 'from', 'to', 'window', 'tz', 'group_by'] as const;

export const DEFAULT_USAGE_QUERY_LIMITS: UsageQueryLimits = { maxWindows: 10_000 };

// Long enough for any real value; past it a value is refused before any other check reads it.
const MAX_PARAMETER_LENGTH = 1024;
// Catalog keys are at most this long.
const MAX_KEY_LENGTH = 256;

/** A value quoted for a message, cut short so a hostile value cannot flood the response. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

function pointer(name: string): string {
  return `/query/${(name.length > 64 ? `${name.slice(0, 64)}…` : name).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function listed(names: readonly string[]): string {
  return names.length > 20 ? `${names.slice(0, 20).join(', ')}, …` : names.join(', ');
}

export function parseUsageQuery(
  params: Readonly<Record<string, string | undefined>>,
  meters: readonly Meter[],
  limits: Partial<UsageQueryLimits> = {},
): { meter: Meter; query: UsageQuery } {
  const { maxWindows } = { ...DEFAULT_USAGE_QUERY_LIMITS, ...limits };
  const errors: FieldError[] = [];
  const fail = (name: string, message: string): undefined => {
    errors.push({ path: pointer(name), message });
    return undefined;
  };
  const known = new Set<string>(USAGE_QUERY_PARAMETERS);
  for (const name of Object.keys(params)) {
    if (!known.has(name) && params[name] !== undefined)
      fail(name, `is not a parameter of a usage query; they are ${USAGE_QUERY_PARAMETERS.join(', ')}`);
  }
  // Every parameter read below passed this: present (when required) and of a sane length.
  const read = (name: (typeof USAGE_QUERY_PARAMETERS)[number], required: boolean): string | undefined => {
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    if (value === undefined) return required ? fail(name, 'is required') : undefined;
    if (value === '') return fail(name, 'must not be empty');
    if (value.length > MAX_PARAMETER_LENGTH) return fail(name, `must be at most ${MAX_PARAMETER_LENGTH} characters`);
    return value;
  };

  const meterKey = read('meter', true);
  const meter = meterKey === undefined ? undefined : meters.find((candidate) => candidate.key === meterKey);
  if (meterKey !== undefined && !meter) {
    fail(
      'meter',
      `the current catalog has no meter ${quoted(meterKey)}; its meters are ${listed(meters.map((m) => m.key)) || 'none'}`,
    );
  }

  let customer = read('customer', false);
  if (customer !== undefined && customer.length > MAX_KEY_LENGTH)
    customer = fail('customer', `must be at most ${MAX_KEY_LENGTH} characters`);

  const instant = (name: 'from' | 'to'): number | undefined => {
    const text = read(name, true);
    if (text === undefined) return undefined;
    const parsed = parseInstant(text);
    return parsed.ok ? parsed.micros : fail(name, parsed.message);
  };
  const from = instant('from');
  const to = instant('to');
  if (from !== undefined && to !== undefined && from >= to)
    fail('to', 'must be later than from: the range is [from, to)');

  const windowText = read('window', false);
  const window =
    windowText === undefined || (USAGE_WINDOWS as readonly string[]).includes(windowText)
      ? ((windowText ?? null) as UsageWindow | null)
      : undefined;
  if (window === undefined)
    fail('window', `must be one of ${USAGE_WINDOWS.join(', ')} (or absent for one window over [from, to))`);

  const tzText = read('tz', false);
  const tz = tzText === undefined ? 'UTC' : isKnownTimeZone(tzText) ? tzText : undefined;
  if (tz === undefined)
    fail('tz', `${quoted(tzText as string)} is not an IANA time zone name (such as Europe/Berlin) or UTC`);

  const groupBy = parseGroupBy(read('group_by', false), meter, (message) => fail('group_by', message));

  if (from !== undefined && to !== undefined && from < to && window !== undefined && tz !== undefined) {
    const windows = countWindows(from, to, window, tz);
    if (windows > maxWindows) {
      fail(
        'window',
        `[from, to) cut into ${window} windows is ${windows} windows; at most ${maxWindows} are answered: narrow the range or use a longer window`,
      );
    }
  }

  if (
    errors.length > 0 ||
    !meter ||
    from === undefined ||
    to === undefined ||
    window === undefined ||
    tz === undefined ||
    !groupBy
  ) {
    throw new ValidationError('the usage query is invalid', errors);
  }
  return {
    meter,
    query: { customer: customer ?? null, from: formatInstant(from), to: formatInstant(to), window, tz, groupBy },
  };
}

/** The comma-separated group names, each allowed for the meter and named once; undefined when refused. */
function parseGroupBy(
  text: string | undefined,
  meter: Meter | undefined,
  fail: (message: string) => undefined,
): string[] | undefined {
  if (text === undefined) return [];
  const names = text.split(',');
  const allowed = [...ATTRIBUTION_GROUPS, ...(meter?.groupBy ?? [])];
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const name of names) {
    if (name === '') problems.push('has an empty name (a leading, trailing or doubled comma)');
    else if (seen.has(name)) problems.push(`names ${quoted(name)} more than once`);
    else if (meter && !allowed.includes(name))
      problems.push(`${quoted(name)} is not a group of meter ${meter.key}; its groups are ${listed(allowed)}`);
    seen.add(name);
  }
  // Each problem once, and a bounded number of them: a hostile list cannot flood the response.
  for (const message of [...new Set(problems)].slice(0, 10)) fail(message);
  return problems.length === 0 ? names : undefined;
}
