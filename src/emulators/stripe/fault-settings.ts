import type { FaultSettings, Outage } from './emulator-options.js';

// Reads fault settings from untrusted JSON (the admin endpoint, the CLI's flags): every field is checked
// and every problem reported together, so a typo never silently leaves a fault off.

export class FaultSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid fault settings: ${problems.join('; ')}`);
    this.name = 'FaultSettingsError';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

type NumberField =
  'latencyMs' | 'slowMs' | 'errorRate' | 'dropAfterCommitRate' | 'storedErrorRate' | 'lockTimeoutRate' | 'concurrency';
const NUMBER_FIELDS: Record<NumberField, { max: number; integer: boolean }> = {
  latencyMs: { max: 600_000, integer: true },
  slowMs: { max: 600_000, integer: true },
  errorRate: { max: 1, integer: false },
  dropAfterCommitRate: { max: 1, integer: false },
  storedErrorRate: { max: 1, integer: false },
  lockTimeoutRate: { max: 1, integer: false },
  concurrency: { max: 10_000, integer: true },
};
const NUMBER_NAMES = Object.keys(NUMBER_FIELDS) as NumberField[];
const NULLABLE = { ratePerSecond: 1_000_000, retryAfterSeconds: 86_400 } as const;
const KNOWN = new Set<string>([...NUMBER_NAMES, ...Object.keys(NULLABLE), 'outage', 'refuseKeys']);

function readNumber(value: unknown, name: string, max: number, integer: boolean, problems: string[]) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max)
    problems.push(`${name} must be a number from 0 to ${max}`);
  else if (integer && !Number.isInteger(value)) problems.push(`${name} must be a whole number`);
  else return value;
  return undefined;
}

/** `{untilMs}` or `{forMs}` (relative to `now`); null ends the window. */
function readWindow(value: unknown, name: string, now: number, problems: string[]): { untilMs: number } | undefined {
  if (value === null) return undefined;
  if (!isRecord(value)) {
    problems.push(`${name} must be null or {"untilMs" | "forMs": number}`);
    return undefined;
  }
  if (typeof value.untilMs === 'number' && Number.isFinite(value.untilMs)) return { untilMs: value.untilMs };
  const forMs = readNumber(value.forMs, `${name}.forMs`, 86_400_000, true, problems);
  return forMs === undefined ? undefined : { untilMs: now + forMs };
}

function readOutage(value: unknown, now: number, problems: string[]): Outage | undefined {
  if (value === null) return undefined;
  if (!isRecord(value) || (value.mode !== '503' && value.mode !== 'refuse')) {
    problems.push('outage must be null or {"mode": "503" | "refuse", "untilMs" | "forMs": number}');
    return undefined;
  }
  const window = readWindow(value, 'outage', now, problems);
  return window === undefined ? undefined : { mode: value.mode, untilMs: window.untilMs };
}

/** The fields `value` sets; fields it leaves out keep their current value. */
export function parseFaultSettings(value: unknown, now: number): Partial<FaultSettings> {
  if (!isRecord(value)) throw new FaultSettingsError(['fault settings must be a JSON object']);
  const problems: string[] = [];
  const settings: Partial<FaultSettings> = {};
  for (const key of Object.keys(value)) if (!KNOWN.has(key)) problems.push(`unknown setting "${key}"`);
  for (const name of NUMBER_NAMES) {
    if (value[name] === undefined) continue;
    const { max, integer } = NUMBER_FIELDS[name];
    const read = readNumber(value[name], name, max, integer, problems);
    if (read !== undefined) settings[name] = read;
  }
  if (value.concurrency === 0) problems.push('concurrency must be at least 1');
  for (const [name, max] of Object.entries(NULLABLE) as Array<[keyof typeof NULLABLE, number]>) {
    if (value[name] === undefined) continue;
    settings[name] = value[name] === null ? undefined : readNumber(value[name], name, max, true, problems);
  }
  if ('outage' in value) settings.outage = readOutage(value.outage, now, problems);
  if ('refuseKeys' in value) settings.refuseKeys = readWindow(value.refuseKeys, 'refuseKeys', now, problems);
  if (problems.length > 0) throw new FaultSettingsError(problems);
  return settings;
}

/** What the admin endpoint shows: an outage or a key refusal only while it lasts. */
export function describeFaults(faults: FaultSettings, now: number): Record<string, unknown> {
  const outage = faults.outage && faults.outage.untilMs > now ? faults.outage : null;
  const refuseKeys = faults.refuseKeys && faults.refuseKeys.untilMs > now ? faults.refuseKeys : null;
  return {
    ...faults,
    outage,
    refuseKeys,
    ratePerSecond: faults.ratePerSecond ?? null,
    retryAfterSeconds: faults.retryAfterSeconds ?? null,
  };
}
