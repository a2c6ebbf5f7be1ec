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
  | 'billingGraceHours';

/** Parses one raw value; returns an error message instead of throwing so every problem is reported together. */
type Parser = (raw: unknown) => { value: unknown } | { error: string };

export interface Setting {
  key: SettingKey;
  /** Command-line flag (commander's camelCase option name is `key`). */
  flag: string;
  env: string;
  /** Dotted path in the optional config file. */
  filePath: string;
  parse: Parser;
  apply: (config: Config, value: unknown) => void;
}

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

export const SETTINGS: readonly Setting[] = [
  {
    key: 'databaseUrl',
    flag: '--database-url',
    env: 'MB_DATABASE_URL',
    filePath: 'database.url',
    parse: databaseUrl,
    apply: (c, v) => (c.databaseUrl = v as string),
  },
  {
    key: 'dataDir',
    flag: '--data-dir',
    env: 'MB_DATA_DIR',
    filePath: 'database.dataDir',
    parse: text,
    apply: (c, v) => (c.dataDir = v as string),
  },
  {
    key: 'host',
    flag: '--host',
    env: 'MB_HOST',
    filePath: 'server.host',
    parse: text,
    apply: (c, v) => (c.host = v as string),
  },
  {
    key: 'port',
    flag: '--port',
    env: 'MB_PORT',
    filePath: 'server.port',
    parse: integer(0, 65535),
    apply: (c, v) => (c.port = v as number),
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    env: 'MB_LOG_LEVEL',
    filePath: 'log.level',
    parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    apply: (c, v) => (c.logLevel = v as Config['logLevel']),
  },
  {
    key: 'bootstrapAdminKey',
    flag: '--bootstrap-admin-key',
    env: 'MB_BOOTSTRAP_ADMIN_KEY',
    filePath: 'auth.bootstrapAdminKey',
    parse: adminKey,
    apply: (c, v) => (c.bootstrapAdminKey = v as string),
  },
  {
    key: 'unknownTypes',
    flag: '--unknown-types',
    env: 'MB_UNKNOWN_TYPES',
    filePath: 'ingestion.unknownTypes',
    parse: oneOf('accept', 'reject'),
    apply: (c, v) => (c.ingestion.unknownTypes = v as 'accept' | 'reject'),
  },
  {
    key: 'maxEventBytes',
    flag: '--max-event-bytes',
    env: 'MB_MAX_EVENT_BYTES',
    filePath: 'ingestion.maxEventBytes',
    parse: integer(256, 16 * 1024 * 1024),
    apply: (c, v) => (c.ingestion.maxEventBytes = v as number),
  },
  {
    key: 'maxBodyBytes',
    flag: '--max-body-bytes',
    env: 'MB_MAX_BODY_BYTES',
    filePath: 'ingestion.maxBodyBytes',
    parse: integer(1024, 1024 * 1024 * 1024),
    apply: (c, v) => (c.ingestion.maxBodyBytes = v as number),
  },
  {
    key: 'maxBatchEvents',
    flag: '--max-batch-events',
    env: 'MB_MAX_BATCH_EVENTS',
    filePath: 'ingestion.maxBatchEvents',
    parse: integer(1, 1_000_000),
    apply: (c, v) => (c.ingestion.maxBatchEvents = v as number),
  },
  {
    key: 'maxFutureSeconds',
    flag: '--max-future-seconds',
    env: 'MB_MAX_FUTURE_SECONDS',
    filePath: 'ingestion.maxFutureSeconds',
    parse: integer(0, 7 * 24 * 3600),
    apply: (c, v) => (c.ingestion.maxFutureSeconds = v as number),
  },
  {
    key: 'meteringWorker',
    flag: '--metering-worker',
    env: 'MB_METERING_WORKER',
    filePath: 'metering.worker',
    parse: oneOf('on', 'off'),
    apply: (c, v) => (c.metering.worker = v === 'on'),
  },
  {
    key: 'meteringBatchSize',
    flag: '--metering-batch-size',
    env: 'MB_METERING_BATCH_SIZE',
    filePath: 'metering.batchSize',
    parse: integer(1, 100_000),
    apply: (c, v) => (c.metering.batchSize = v as number),
  },
  {
    key: 'meteringPollMs',
    flag: '--metering-poll-ms',
    env: 'MB_METERING_POLL_MS',
    filePath: 'metering.pollIntervalMs',
    parse: integer(10, 60_000),
    apply: (c, v) => (c.metering.pollIntervalMs = v as number),
  },
  {
    key: 'meteringHorizonDays',
    flag: '--metering-horizon-days',
    env: 'MB_METERING_HORIZON_DAYS',
    filePath: 'metering.horizonDays',
    parse: integer(1, 3660),
    apply: (c, v) => (c.metering.horizonDays = v as number),
  },
  {
    key: 'billingGraceHours',
    flag: '--billing-grace-hours',
    env: 'MB_BILLING_GRACE_HOURS',
    filePath: 'billing.graceHours',
    parse: integer(0, 24 * 366),
    apply: (c, v) => (c.billing.graceHours = v as number),
  },
];
