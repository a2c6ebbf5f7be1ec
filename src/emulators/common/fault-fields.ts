// The fields every emulator's fault settings share, read from untrusted JSON (the admin endpoint, a
// config file, the CLI's flags) the same way: each problem is collected rather than thrown, so that a
// vendor's parser reports every problem together and a typo never silently leaves a fault off. Which
// fields a vendor has, and their bounds, stay with the vendor.

export class FaultSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid fault settings: ${problems.join('; ')}`);
    this.name = 'FaultSettingsError';
  }
}

export interface NumberBounds {
  min: number;
  max: number;
  integer: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The number, or undefined with a problem when it is not one within `bounds`. */
export function readNumber(value: unknown, name: string, bounds: NumberBounds, problems: string[]) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < bounds.min || value > bounds.max)
    problems.push(`${name} must be a number from ${bounds.min} to ${bounds.max}`);
  else if (bounds.integer && !Number.isInteger(value)) problems.push(`${name} must be a whole number`);
  else return value;
  return undefined;
}

/** How long a window may be given with `forMs`: a day. */
const WINDOW_BOUNDS: NumberBounds = { min: 0, max: 86_400_000, integer: true };

/** `{untilMs}` or `{forMs}` (relative to `now`); null ends the window. */
export function readWindow(
  value: unknown,
  name: string,
  now: number,
  problems: string[],
): { untilMs: number } | undefined {
  if (value === null) return undefined;
  if (isRecord(value) && typeof value.untilMs === 'number' && Number.isFinite(value.untilMs))
    return { untilMs: value.untilMs };
  if (!isRecord(value)) {
    problems.push(`${name} must be null or {"untilMs" | "forMs": number}`);
    return undefined;
  }
  const forMs = readNumber(value.forMs, `${name}.forMs`, WINDOW_BOUNDS, problems);
  return forMs === undefined ? undefined : { untilMs: now + forMs };
}

/** `{mode, untilMs}` or `{mode, forMs}` (relative to `now`); null ends an outage. */
export function readOutage(
  value: unknown,
  now: number,
  problems: string[],
): { mode: '503' | 'refuse'; untilMs: number } | undefined {
  if (value === null) return undefined;
  if (!isRecord(value) || (value.mode !== '503' && value.mode !== 'refuse')) {
    problems.push('outage must be null or {"mode": "503" | "refuse", "untilMs" | "forMs": number}');
    return undefined;
  }
  const window = readWindow({ untilMs: value.untilMs, forMs: value.forMs }, 'outage', now, problems);
  return window && { mode: value.mode, untilMs: window.untilMs };
}
