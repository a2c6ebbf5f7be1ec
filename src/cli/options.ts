import type { Command } from 'commander';
import { loadConfig, type Config, type SettingKey } from '../config/index.js';

/** Options every command that opens the store takes; values flow into `loadConfig` as the top layer. */
export function withStoreOptions(command: Command): Command {
  return (
    command
      .option('--config <file>', 'YAML or JSON configuration file (env MB_CONFIG)')
      .option('--database-url <url>', 'PostgreSQL server URL; default is the embedded store (env MB_DATABASE_URL)')
      .option('--data-dir <dir>', 'embedded store directory (env MB_DATA_DIR, default ./.meterbridge)')
      // Values are checked by the configuration, so that every problem is reported together.
      .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (env MB_LOG_LEVEL)')
  );
}

export function withIngestionOptions(command: Command): Command {
  return command
    .option(
      '--unknown-types <policy>',
      'events of types with no schema: accept (as telemetry) or reject (env MB_UNKNOWN_TYPES)',
    )
    .option('--max-event-bytes <n>', 'largest event accepted (env MB_MAX_EVENT_BYTES, default 65536)')
    .option('--max-body-bytes <n>', 'largest request body accepted (env MB_MAX_BODY_BYTES, default 10485760)')
    .option('--max-batch-events <n>', 'most events per request (env MB_MAX_BATCH_EVENTS, default 10000)')
    .option('--max-future-seconds <n>', 'how far ahead an event time may be (env MB_MAX_FUTURE_SECONDS, default 300)');
}

export function withMeteringOptions(command: Command): Command {
  return command
    .option('--metering-worker <on|off>', 'run the metering stage in this process (env MB_METERING_WORKER, default on)')
    .option('--metering-batch-size <n>', 'raw events per metering batch (env MB_METERING_BATCH_SIZE, default 2000)')
    .option(
      '--metering-poll-ms <ms>',
      'how often an idle metering worker looks for new events (env MB_METERING_POLL_MS, default 100)',
    )
    .option(
      '--metering-horizon-days <days>',
      'events arriving later than this after their time are held as exceptions (env MB_METERING_HORIZON_DAYS, default 90)',
    );
}

export function withBillingOptions(command: Command): Command {
  return command.option(
    '--billing-grace-hours <hours>',
    'how long a draft invoice waits before it finalizes on its own (env MB_BILLING_GRACE_HOURS, default 72)',
  );
}

/** Builds the configuration from a command's options and the environment: flags > env > file > defaults. */
export function configFrom(options: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const { config: file, ...flags } = options;
  return loadConfig({ flags: flags as Partial<Record<SettingKey, unknown>>, env, file: file as string | undefined });
}
