import type { FieldError } from '../../platform/errors.js';
import {
  booleanField,
  decimalIn,
  integerIn,
  isMapping,
  readFields,
  textField,
  type FieldReader,
} from './settings-section.js';

/** The `alerts` section of the configuration file, every field filled (defaults where not given). */
export interface AlertSettings {
  /** How often `serve` evaluates every rule and delivers notifications. */
  evaluateEverySeconds: number;
  /** Where firings and resolutions are sent; none: they are kept and listed, not sent. */
  webhook?: AlertWebhookSettings;
  rules: AlertRuleSettings;
}

export interface AlertWebhookSettings {
  url: string;
  /** The name of the signing secret (MB_SECRET_<NAME> or the secrets file), resolved at each delivery. */
  secret?: string;
  timeoutMs: number;
}

export interface AlertRuleSettings {
  unbilledUsage: { enabled: boolean; afterHours: number };
  stuckPostings: { enabled: boolean; olderThanMinutes: number };
  deadLetters: { enabled: boolean };
  breakerOpen: { enabled: boolean };
  exceptionsGrowing: { enabled: boolean; by: number; windowMinutes: number };
  /** Events rejected per minute, averaged over the window, above which the rule fires (decimal text). */
  schemaRejections: { enabled: boolean; perMinute: string; windowMinutes: number };
  silentMeter: SilentMeterSettings;
  /** A period's latest reconciliation with at least this many mismatches, or a target left unverified. */
  reconciliationMismatches: { enabled: boolean; atLeast: number };
}

/** See docs/alerts.md, "Silent meter": the last window against the same hours of the previous days. */
export interface SilentMeterSettings {
  enabled: boolean;
  windowMinutes: number;
  baselineDays: number;
  /** Usage at or below this share of its baseline is "fallen to near zero" (decimal text). */
  dropBelow: string;
  /** Raw events at or above this share of their own baseline still "arrive" (decimal text). */
  rawAtLeast: string;
  /** A meter whose baseline averages fewer usage records per window has no baseline to fall from. */
  minBaseline: number;
  /** The window ends this long before now, so events still being metered do not look missing. */
  settleMinutes: number;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = Object.freeze({
  evaluateEverySeconds: 60,
  rules: Object.freeze({
    unbilledUsage: { enabled: true, afterHours: 96 },
    stuckPostings: { enabled: true, olderThanMinutes: 48 * 60 },
    deadLetters: { enabled: true },
    breakerOpen: { enabled: true },
    exceptionsGrowing: { enabled: true, by: 100, windowMinutes: 60 },
    schemaRejections: { enabled: true, perMinute: '10', windowMinutes: 10 },
    silentMeter: {
      enabled: true,
      windowMinutes: 60,
      baselineDays: 7,
      dropBelow: '0.1',
      rawAtLeast: '0.5',
      minBaseline: 10,
      settleMinutes: 5,
    },
    reconciliationMismatches: { enabled: true, atLeast: 1 },
  }),
});

const enabled = { enabled: booleanField };
const DAY_MINUTES = 24 * 60;
const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,99}$/;
const HTTP_URL = /^https?:\/\/[^\s]+$/;

/**
 * Reads the `alerts` section; every problem goes to `errors` with its path under `at` (such as
 * `file meterbridge.yaml: alerts`), and the defaults stand in for what was wrong.
 */
export function readAlertSettings(raw: unknown, at: string, errors: FieldError[]): AlertSettings {
  const D = DEFAULT_ALERT_SETTINGS;
  const top = readFields(
    raw,
    at,
    { evaluateEverySeconds: integerIn(1, 24 * 3600), webhook: passThrough, rules: passThrough },
    { evaluateEverySeconds: D.evaluateEverySeconds, webhook: undefined as unknown, rules: undefined as unknown },
    errors,
  );
  const rulesAt = `${at}.rules`;
  const rulesRaw = top.rules;
  const rules = readFields(
    rulesRaw,
    rulesAt,
    Object.fromEntries(Object.keys(D.rules).map((name) => [name, passThrough])) as never,
    {} as Record<string, unknown>,
    errors,
  );
  const rule = <K extends keyof AlertRuleSettings>(
    name: K,
    readers: { [F in keyof AlertRuleSettings[K]]: FieldReader<AlertRuleSettings[K][F]> },
  ): AlertRuleSettings[K] =>
    readFields<AlertRuleSettings[K]>(rules[name], `${rulesAt}.${name}`, readers, { ...D.rules[name] }, errors);
  const settings: AlertSettings = {
    evaluateEverySeconds: top.evaluateEverySeconds,
    rules: {
      unbilledUsage: rule('unbilledUsage', { ...enabled, afterHours: integerIn(0, 24 * 366) }),
      stuckPostings: rule('stuckPostings', { ...enabled, olderThanMinutes: integerIn(1, 366 * DAY_MINUTES) }),
      deadLetters: rule('deadLetters', enabled),
      breakerOpen: rule('breakerOpen', enabled),
      exceptionsGrowing: rule('exceptionsGrowing', {
        ...enabled,
        by: integerIn(0, 1_000_000_000),
        windowMinutes: integerIn(1, 31 * DAY_MINUTES),
      }),
      schemaRejections: rule('schemaRejections', {
        ...enabled,
        perMinute: decimalIn(0, 1_000_000_000),
        windowMinutes: integerIn(1, DAY_MINUTES),
      }),
      silentMeter: rule('silentMeter', {
        ...enabled,
        windowMinutes: integerIn(5, DAY_MINUTES),
        baselineDays: integerIn(1, 31),
        dropBelow: decimalIn(0, 1),
        rawAtLeast: decimalIn(0, 1000),
        minBaseline: integerIn(1, 1_000_000_000),
        settleMinutes: integerIn(0, 120),
      }),
      reconciliationMismatches: rule('reconciliationMismatches', {
        ...enabled,
        atLeast: integerIn(1, 1_000_000_000),
      }),
    },
  };
  const silent = settings.rules.silentMeter;
  if (silent.settleMinutes >= silent.windowMinutes)
    errors.push({
      path: `${rulesAt}.silentMeter.settleMinutes`,
      message: `must be shorter than windowMinutes (${silent.windowMinutes}), got ${silent.settleMinutes}`,
    });
  if (top.webhook !== undefined && top.webhook !== null) {
    const webhookAt = `${at}.webhook`;
    if (!isMapping(top.webhook)) errors.push({ path: webhookAt, message: 'must be a mapping' });
    else if (top.webhook.url === undefined) errors.push({ path: `${webhookAt}.url`, message: 'is required' });
    const webhook = readFields<{ url: string; secret: string | undefined; timeoutMs: number }>(
      top.webhook,
      webhookAt,
      {
        url: textField(2000, HTTP_URL, 'an http:// or https:// URL'),
        secret: textField(100, SECRET_NAME, 'a secret name (upper-case letters, digits and "_", a letter first)'),
        timeoutMs: integerIn(100, 120_000),
      },
      { url: '', secret: undefined, timeoutMs: 10_000 },
      errors,
    );
    if (webhook.url)
      settings.webhook = {
        url: webhook.url,
        timeoutMs: webhook.timeoutMs,
        ...(webhook.secret && { secret: webhook.secret }),
      };
  }
  return settings;
}

const passThrough = (raw: unknown) => ({ value: raw });
