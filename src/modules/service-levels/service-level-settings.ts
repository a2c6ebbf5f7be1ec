import type { FieldError } from '../../platform/errors.js';
import { booleanField, decimalIn, integerIn, readFields } from '../alerts/index.js';

/** An objective: a share (`target`, such as 0.99) of its items within its bound, over the last `windowDays`. */
interface Objective {
  enabled: boolean;
  /** Decimal text in (0, 1]. */
  target: string;
  windowDays: number;
}

/** The `serviceLevels` section of the configuration file, every field filled. */
export interface ServiceLevelSettings {
  /** Acceptance → usage record: each event's usage derived within `seconds` of its acceptance. */
  usageLatency: Objective & { seconds: number };
  /** Every period's invoice finalized within `hours` of the period's end. */
  invoicing: Objective & { hours: number };
  /** Every metering exception resolved or ignored within `hours` of being opened. */
  exceptionResolution: Objective & { hours: number };
  /** Every delivered posting read back by a completed reconciliation within `hours` of its delivery. */
  reconciliation: Objective & { hours: number };
}

export const DEFAULT_SERVICE_LEVEL_SETTINGS: ServiceLevelSettings = Object.freeze({
  usageLatency: { enabled: true, seconds: 5, target: '0.99', windowDays: 30 },
  invoicing: { enabled: true, hours: 72, target: '0.99', windowDays: 30 },
  exceptionResolution: { enabled: true, hours: 48, target: '0.95', windowDays: 30 },
  reconciliation: { enabled: true, hours: 24, target: '0.99', windowDays: 30 },
});

const common = {
  enabled: booleanField,
  target: decimalIn(0, 1, { aboveMin: true }),
  windowDays: integerIn(1, 366),
};

/** Reads the `serviceLevels` section; every problem goes to `errors` with its path under `at`. */
export function readServiceLevelSettings(raw: unknown, at: string, errors: FieldError[]): ServiceLevelSettings {
  const D = DEFAULT_SERVICE_LEVEL_SETTINGS;
  const pass = (value: unknown) => ({ value });
  const top = readFields<Record<string, unknown>>(
    raw,
    at,
    { usageLatency: pass, invoicing: pass, exceptionResolution: pass, reconciliation: pass },
    {},
    errors,
  );
  return {
    usageLatency: readFields(
      top.usageLatency,
      `${at}.usageLatency`,
      { ...common, seconds: integerIn(1, 7 * 24 * 3600) },
      { ...D.usageLatency },
      errors,
    ),
    invoicing: readFields(
      top.invoicing,
      `${at}.invoicing`,
      { ...common, hours: integerIn(1, 24 * 366) },
      { ...D.invoicing },
      errors,
    ),
    exceptionResolution: readFields(
      top.exceptionResolution,
      `${at}.exceptionResolution`,
      { ...common, hours: integerIn(1, 24 * 366) },
      { ...D.exceptionResolution },
      errors,
    ),
    reconciliation: readFields(
      top.reconciliation,
      `${at}.reconciliation`,
      { ...common, hours: integerIn(1, 24 * 366) },
      { ...D.reconciliation },
      errors,
    ),
  };
}
