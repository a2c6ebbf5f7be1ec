import { DEFAULT_HORIZON_DAYS, DEFAULT_METERING_BATCH } from '../modules/metering/index.js';
import type { Config } from './config.js';

export type SettingKey =
  | 'databaseUrl'
  | 'dataDir'
  | 'host'
  | 'port'
  | 'logLevel'
  | 'bootstrapAdminKey'
  | 'unknownTypes'
  | 'maxEventBytes'
  | 'maxBodyBytes'
  | 'maxBatchEvents'
  | 'maxFutureSeconds'
  | 'meteringWorker'
  | 'meteringBatchSize'
  | 'meteringPollMs'
  | 'meteringHorizonDays'
  | 'billingGraceHours'
  | 'autoAccrue'
  | 'accrualDelayMinutes'
  | 'reconcileEveryHours'
  | 'secretsFile';

/** Parses one raw value; returns an error message instead of throwing so every problem is reported together. */
type Parser = (raw: unknown) => { value: unknown } | { error: string };

export interface Setting {
  key: SettingKey;
  /** Command-line flag (commander's camelCase option name is `key`). */
  flag: string;
  /** The flag's value as `--help` names it. */
  argument: string;
  /** What the setting does, for `--help`, which adds the env name and the default. */
  description: string;
  env: string;
  /** Dotted path in the optional config file; its section groups the flags of the commands that take them. */
  filePath: string;
  /**
   * The value when no source gives one, written as a flag, env or file would carry it and parsed like
   * them; none when the setting stays absent unless configured (the database URL, the admin key).
   */
  default?: string | number;
  parse: Parser;
  apply: (config: Config, value: unknown) => void;
}

/** The configuration file is named by a flag or the environment, never by another file. */
export const CONFIG_FILE = {
  flag: '--config',
  argument: '<file>',
  description: 'YAML or JSON configuration file',
  env: 'MB_CONFIG',
} as const;

const text: Parser = (raw) =>
  typeof raw === 'string' && raw.trim() !== '' ? { value: raw.trim() } : { error: 'must be a non-empty string' };

function integer(min: number, max: number): Parser {
  return (raw) => {
    const value =
      typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      return { error: `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}` };
    }
    return { value };
  };
}

/** `a, b or c`, as help text lists a setting's choices. */
function listed(choices: readonly string[]): string {
  return choices.length < 2 ? choices.join('') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
}

function oneOf(...choices: string[]): Parser {
  return (raw) =>
    typeof raw === 'string' && choices.includes(raw.trim())
      ? { value: raw.trim() }
      : { error: `must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}` };
}

const databaseUrl: Parser = (raw) => {
  const parsed = text(raw);
  if ('error' in parsed) return parsed;
  const value = parsed.value as string;
  return /^postgres(ql)?:\/\//.test(value) ? { value } : { error: 'must be a postgres:// or postgresql:// URL' };
};

const adminKey: Parser = (raw) => {
  const parsed = text(raw);
  if ('error' in parsed) return parsed;
  return (parsed.value as string).length >= 32 ? parsed : { error: 'must be at least 32 characters long' };
};

const LOG_LEVELS: readonly Config['logLevel'][] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const SETTINGS: readonly Setting[] = [
  {
    key: 'databaseUrl',
    flag: '--database-url',
    argument: '<url>',
    description: 'PostgreSQL server URL; default is the embedded store',
    env: 'MB_DATABASE_URL',
    filePath: 'database.url',
    parse: databaseUrl,
    apply: (c, v) => (c.databaseUrl = v as string),
  },
  {
    key: 'dataDir',
    flag: '--data-dir',
    argument: '<dir>',
    description: 'embedded store directory',
    env: 'MB_DATA_DIR',
    filePath: 'database.dataDir',
    default: './.meterbridge',
    parse: text,
    apply: (c, v) => (c.dataDir = v as string),
  },
  {
    key: 'host',
    flag: '--host',
    argument: '<host>',
    description: 'listen address',
    env: 'MB_HOST',
    filePath: 'server.host',
    default: '127.0.0.1',
    parse: text,
    apply: (c, v) => (c.host = v as string),
  },
  {
    key: 'port',
    flag: '--port',
    argument: '<port>',
    description: 'listen port',
    env: 'MB_PORT',
    filePath: 'server.port',
    default: 8080,
    parse: integer(0, 65535),
    apply: (c, v) => (c.port = v as number),
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    argument: '<level>',
    description: listed(LOG_LEVELS),
    env: 'MB_LOG_LEVEL',
    filePath: 'log.level',
    default: 'info',
    parse: oneOf(...LOG_LEVELS),
    apply: (c, v) => (c.logLevel = v as Config['logLevel']),
  },
  {
    key: 'bootstrapAdminKey',
    flag: '--bootstrap-admin-key',
    argument: '<key>',
    description: 'administrator key registered on a new store instead of a generated one (32 characters or more)',
    env: 'MB_BOOTSTRAP_ADMIN_KEY',
    filePath: 'auth.bootstrapAdminKey',
    parse: adminKey,
    apply: (c, v) => (c.bootstrapAdminKey = v as string),
  },
  {
    key: 'unknownTypes',
    flag: '--unknown-types',
    argument: '<policy>',
    description: 'events of types with no schema: accept (as telemetry) or reject',
    env: 'MB_UNKNOWN_TYPES',
    filePath: 'ingestion.unknownTypes',
    default: 'accept',
    parse: oneOf('accept', 'reject'),
    apply: (c, v) => (c.ingestion.unknownTypes = v as 'accept' | 'reject'),
  },
  {
    key: 'maxEventBytes',
    flag: '--max-event-bytes',
    argument: '<n>',
    description: 'largest event accepted',
    env: 'MB_MAX_EVENT_BYTES',
    filePath: 'ingestion.maxEventBytes',
    default: 64 * 1024,
    parse: integer(256, 16 * 1024 * 1024),
    apply: (c, v) => (c.ingestion.maxEventBytes = v as number),
  },
  {
    key: 'maxBodyBytes',
    flag: '--max-body-bytes',
    argument: '<n>',
    description: 'largest request body accepted',
    env: 'MB_MAX_BODY_BYTES',
    filePath: 'ingestion.maxBodyBytes',
    default: 10 * 1024 * 1024,
    parse: integer(1024, 1024 * 1024 * 1024),
    apply: (c, v) => (c.ingestion.maxBodyBytes = v as number),
  },
  {
    key: 'maxBatchEvents',
    flag: '--max-batch-events',
    argument: '<n>',
    description: 'most events per request',
    env: 'MB_MAX_BATCH_EVENTS',
    filePath: 'ingestion.maxBatchEvents',
    default: 10_000,
    parse: integer(1, 1_000_000),
    apply: (c, v) => (c.ingestion.maxBatchEvents = v as number),
  },
  {
    key: 'maxFutureSeconds',
    flag: '--max-future-seconds',
    argument: '<n>',
    description: 'how far ahead an event time may be',
    env: 'MB_MAX_FUTURE_SECONDS',
    filePath: 'ingestion.maxFutureSeconds',
    default: 300,
    parse: integer(0, 7 * 24 * 3600),
    apply: (c, v) => (c.ingestion.maxFutureSeconds = v as number),
  },
  {
    key: 'meteringWorker',
    flag: '--metering-worker',
    argument: '<on|off>',
    description: 'run the metering stage in this process',
    env: 'MB_METERING_WORKER',
    filePath: 'metering.worker',
    default: 'on',
    parse: oneOf('on', 'off'),
    apply: (c, v) => (c.metering.worker = v === 'on'),
  },
  {
    key: 'meteringBatchSize',
    flag: '--metering-batch-size',
    argument: '<n>',
    description: 'raw events per metering batch',
    env: 'MB_METERING_BATCH_SIZE',
    filePath: 'metering.batchSize',
    default: DEFAULT_METERING_BATCH,
    parse: integer(1, 100_000),
    apply: (c, v) => (c.metering.batchSize = v as number),
  },
  {
    key: 'meteringPollMs',
    flag: '--metering-poll-ms',
    argument: '<ms>',
    description: 'how often an idle metering worker looks for new events',
    env: 'MB_METERING_POLL_MS',
    filePath: 'metering.pollIntervalMs',
    default: 100,
    parse: integer(10, 60_000),
    apply: (c, v) => (c.metering.pollIntervalMs = v as number),
  },
  {
    key: 'meteringHorizonDays',
    flag: '--metering-horizon-days',
    argument: '<days>',
    description: 'events arriving later than this after their time are held as exceptions',
    env: 'MB_METERING_HORIZON_DAYS',
    filePath: 'metering.horizonDays',
    default: DEFAULT_HORIZON_DAYS,
    parse: integer(1, 3660),
    apply: (c, v) => (c.metering.horizonDays = v as number),
  },
  {
    key: 'billingGraceHours',
    flag: '--billing-grace-hours',
    argument: '<hours>',
    description: 'how long a draft invoice waits before it finalizes on its own',
    env: 'MB_BILLING_GRACE_HOURS',
    filePath: 'billing.graceHours',
    default: 72,
    parse: integer(0, 24 * 366),
    apply: (c, v) => (c.billing.graceHours = v as number),
  },
  {
    key: 'autoAccrue',
    flag: '--auto-accrue',
    argument: '<on|off>',
    description: "accrue each period's revenue still on drafts on its own once the period has ended",
    env: 'MB_AUTO_ACCRUE',
    filePath: 'accounting.autoAccrue',
    default: 'off',
    parse: oneOf('on', 'off'),
    apply: (c, v) => (accountingOf(c).autoAccrue = v === 'on'),
  },
  {
    key: 'accrualDelayMinutes',
    flag: '--accrual-delay-minutes',
    argument: '<minutes>',
    description: "how long after a period's end it is accrued (shorter than the billing grace period)",
    env: 'MB_ACCRUAL_DELAY_MINUTES',
    filePath: 'accounting.accrualDelayMinutes',
    default: 60,
    parse: integer(0, 60 * 24 * 366),
    apply: (c, v) => (accountingOf(c).accrualDelayMinutes = v as number),
  },
  {
    key: 'reconcileEveryHours',
    flag: '--reconcile-every-hours',
    argument: '<hours>',
    description: 'hours between the reconciliations serve queues of the current and previous month (0: none)',
    env: 'MB_RECONCILE_EVERY_HOURS',
    filePath: 'reconciliation.everyHours',
    default: 6,
    parse: integer(0, 24 * 31),
    apply: (c, v) => (c.reconciliation = { everyHours: v as number }),
  },
  {
    key: 'secretsFile',
    flag: '--secrets-file',
    argument: '<file>',
    description:
      "YAML or JSON file of targets' secrets by name, read at each use (mode 0600); MB_SECRET_<NAME> takes precedence",
    env: 'MB_SECRETS_FILE',
    filePath: 'posting.secretsFile',
    parse: text,
    apply: (c, v) => (c.secretsFile = v as string),
  },
];

/** The accounting section, created on first use: Config leaves it optional for hand-built configurations. */
function accountingOf(config: Config): NonNullable<Config['accounting']> {
  config.accounting ??= { autoAccrue: false, accrualDelayMinutes: 0 };
  return config.accounting;
}

/**
 * Rules between settings, checked once every setting has its value; each names the setting at fault.
 * An accrual must run while the period's invoices are still drafts: drafts finalize on their own once
 * the grace period has passed since the billing run that drafted them, which is at the period's end at
 * the earliest.
 */
export function settingConflicts(config: Readonly<Config>): { key: SettingKey; message: string }[] {
  const accounting = config.accounting;
  const graceMinutes = config.billing.graceHours * 60;
  if (accounting?.autoAccrue && accounting.accrualDelayMinutes >= graceMinutes)
    return [
      {
        key: 'accrualDelayMinutes',
        message: `must be shorter than the billing grace period (billing.graceHours ${config.billing.graceHours} = ${graceMinutes} minutes) when autoAccrue is on, got ${accounting.accrualDelayMinutes}: the period's invoices would no longer be drafts`,
      },
    ];
  return [];
}

/** A new configuration holding every default: what `loadConfig` starts from. */
export function defaultConfig(): Config {
  // Filled in below: every setting of Config that is not optional has a default.
  const config = { ingestion: {}, metering: {}, billing: {}, accounting: {} } as Config;
  for (const setting of SETTINGS) {
    if (setting.default === undefined) continue;
    const parsed = setting.parse(setting.default);
    // A default its own parser refuses is a mistake in this table, not in anyone's configuration.
    if ('error' in parsed) throw new Error(`the default of ${setting.key} ${parsed.error}`);
    setting.apply(config, parsed.value);
  }
  return config;
}
