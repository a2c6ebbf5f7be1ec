import { FaultSettingsError, readNumber, readOutage, type NumberBounds } from '../common/fault-fields.js';
import type { FaultSettings } from './emulator-options.js';

// Reads fault settings from untrusted JSON (the admin endpoint, a config file, CLI flags): every field is
// checked and every problem reported together, so a typo never silently leaves a fault off.

export { FaultSettingsError };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

type NumberField = 'latencyMs' | 'slowMs' | 'errorRate' | 'dropAfterCommitRate' | 'concurrency' | 'windowRequests';
const NUMBER_FIELDS: Readonly<Record<NumberField, NumberBounds>> = {
  latencyMs: { min: 0, max: 600_000, integer: true },
  slowMs: { min: 0, max: 600_000, integer: true },
  errorRate: { min: 0, max: 1, integer: false },
  dropAfterCommitRate: { min: 0, max: 1, integer: false },
  concurrency: { min: 1, max: 100_000, integer: true },
  windowRequests: { min: 1, max: 100_000_000, integer: true },
};
const NUMBER_NAMES = Object.keys(NUMBER_FIELDS) as NumberField[];
const KNOWN = new Set<string>([...NUMBER_NAMES, 'windowMs', 'outage', 'retryAfterSeconds']);

/** The fields `value` sets; fields it leaves out keep their current value. */
export function parseFaultSettings(value: unknown, now: number): Partial<FaultSettings> {
  if (!isRecord(value)) throw new FaultSettingsError(['fault settings must be a JSON object']);
  const problems: string[] = [];
  const settings: Partial<FaultSettings> = {};
  for (const key of Object.keys(value)) if (!KNOWN.has(key)) problems.push(`unknown setting "${key}"`);
  for (const name of NUMBER_NAMES) {
    if (value[name] === undefined) continue;
    const read = readNumber(value[name], name, NUMBER_FIELDS[name], problems);
    if (read !== undefined) settings[name] = read;
  }
  if (value.windowMs !== undefined) {
    const read = readNumber(value.windowMs, 'windowMs', { min: 1, max: 86_400_000, integer: true }, problems);
    if (read !== undefined) settings.windowMs = read;
  }
  if (value.retryAfterSeconds !== undefined) {
    settings.retryAfterSeconds =
      value.retryAfterSeconds === null
        ? undefined
        : readNumber(value.retryAfterSeconds, 'retryAfterSeconds', { min: 0, max: 86_400, integer: true }, problems);
  }
  if ('outage' in value) settings.outage = readOutage(value.outage, now, problems);
  if (problems.length > 0) throw new FaultSettingsError(problems);
  return settings;
}

/** What the admin endpoint shows: an outage only while it lasts, absent values as null. */
export function describeFaults(faults: FaultSettings, now: number): Record<string, unknown> {
  const outage = faults.outage && faults.outage.untilMs > now ? faults.outage : null;
  return { ...faults, outage, retryAfterSeconds: faults.retryAfterSeconds ?? null };
}
