import { FaultSettingsError, readNumber, readOutage, readWindow } from '../common/fault-fields.js';
import type { FaultSettings } from './emulator-options.js';

// Fault settings from untrusted JSON (the admin endpoint, a config file, the CLI's flags): every field is
// checked and every problem reported together, so a typo never silently leaves a fault off. `null` turns
// a limit or a window off.

export { FaultSettingsError };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const NUMBERS = {
  latencyMs: { min: 0, max: 600_000, integer: true },
  slowMs: { min: 0, max: 600_000, integer: true },
  errorRate: { min: 0, max: 1, integer: false },
  dropAfterCommitRate: { min: 0, max: 1, integer: false },
} as const;
/** Limits that may be null (off). */
const LIMITS = {
  concurrency: { min: 1, max: 10_000 },
  ratePerSecond: { min: 1, max: 1_000_000 },
  retryAfterSeconds: { min: 0, max: 86_400 },
} as const;
const KNOWN = new Set<string>([...Object.keys(NUMBERS), ...Object.keys(LIMITS), 'outage', 'refuseLogins']);

/** The fields `value` sets; fields it leaves out keep their current value. */
export function parseFaultSettings(value: unknown, now: number): Partial<FaultSettings> {
  if (!isRecord(value)) throw new FaultSettingsError(['fault settings must be a JSON object']);
  const problems: string[] = [];
  const settings: Partial<FaultSettings> = {};
  for (const key of Object.keys(value)) if (!KNOWN.has(key)) problems.push(`unknown setting "${key}"`);
  for (const [name, bounds] of Object.entries(NUMBERS) as Array<
    [keyof typeof NUMBERS, (typeof NUMBERS)[keyof typeof NUMBERS]]
  >) {
    if (value[name] === undefined) continue;
    const read = readNumber(value[name], name, bounds, problems);
    if (read !== undefined) settings[name] = read;
  }
  for (const [name, bounds] of Object.entries(LIMITS) as Array<
    [keyof typeof LIMITS, (typeof LIMITS)[keyof typeof LIMITS]]
  >) {
    if (value[name] === undefined) continue;
    settings[name] =
      value[name] === null ? undefined : readNumber(value[name], name, { ...bounds, integer: true }, problems);
  }
  if ('outage' in value) settings.outage = readOutage(value.outage, now, problems);
  if ('refuseLogins' in value) settings.refuseLogins = readWindow(value.refuseLogins, 'refuseLogins', now, problems);
  if (problems.length > 0) throw new FaultSettingsError(problems);
  return settings;
}

/** What the admin endpoint shows: an outage or a login refusal only while it lasts; null for off. */
export function describeFaults(faults: FaultSettings, now: number): Record<string, unknown> {
  const outage = faults.outage && faults.outage.untilMs > now ? faults.outage : null;
  const refuseLogins = faults.refuseLogins && faults.refuseLogins.untilMs > now ? faults.refuseLogins : null;
  return {
    ...faults,
    outage,
    refuseLogins,
    concurrency: faults.concurrency ?? null,
    ratePerSecond: faults.ratePerSecond ?? null,
    retryAfterSeconds: faults.retryAfterSeconds ?? null,
  };
}
