import { FaultSettingsError, readNumber, readOutage, readWindow, type NumberBounds } from '../common/fault-fields.js';
import type { FaultSettings } from './emulator-options.js';

// Reads fault settings from untrusted JSON (the admin endpoint, a config file): every field is checked
// and every problem reported together, so a typo never silently leaves a fault off.

export { FaultSettingsError };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

type NumberField = 'latencyMs' | 'errorRate' | 'slowMs' | 'dropAfterCommitRate' | 'concurrency';
const NUMBER_FIELDS: Record<NumberField, NumberBounds> = {
  latencyMs: { min: 0, max: 600_000, integer: true },
  slowMs: { min: 0, max: 600_000, integer: true },
  errorRate: { min: 0, max: 1, integer: false },
  dropAfterCommitRate: { min: 0, max: 1, integer: false },
  // 0 gets its own problem below.
  concurrency: { min: 0, max: 10_000, integer: true },
};
const NUMBER_NAMES: readonly NumberField[] = ['latencyMs', 'slowMs', 'errorRate', 'dropAfterCommitRate', 'concurrency'];
const KNOWN = new Set<string>([...NUMBER_NAMES, 'outage', 'ratePerSecond', 'refuseLogins']);

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
  if (value.concurrency === 0) problems.push('concurrency must be at least 1');
  if (value.ratePerSecond !== undefined) {
    settings.ratePerSecond =
      value.ratePerSecond === null
        ? undefined
        : readNumber(value.ratePerSecond, 'ratePerSecond', { min: 0, max: 1_000_000, integer: true }, problems);
  }
  if ('outage' in value) settings.outage = readOutage(value.outage, now, problems);
  if ('refuseLogins' in value) settings.refuseLogins = readWindow(value.refuseLogins, 'refuseLogins', now, problems);
  if (problems.length > 0) throw new FaultSettingsError(problems);
  return settings;
}

/** What the admin endpoint shows: an outage or a login refusal only while it lasts. */
export function describeFaults(faults: FaultSettings, now: number): Record<string, unknown> {
  const outage = faults.outage && faults.outage.untilMs > now ? faults.outage : null;
  const refuseLogins = faults.refuseLogins && faults.refuseLogins.untilMs > now ? faults.refuseLogins : null;
  return { ...faults, outage, refuseLogins, ratePerSecond: faults.ratePerSecond ?? null };
}
