import { Command } from 'commander';
import {
  EmulatorConfigError,
  FaultSettingsError,
  loadEmulatorConfig,
  parseFaultSettings,
  startNetSuiteEmulator,
  type NetSuiteEmulator,
  type NetSuiteEmulatorOptions,
} from '../../emulators/netsuite/index.js';
import { ValidationError } from '../../platform/errors.js';
import { businessCentralCommand } from './emulate-business-central.js';
import { sapS4HanaCommand } from './emulate-sap.js';
import { stripeCommand } from './emulate-stripe.js';
import { oracleFusionCommand } from './emulate-oracle-fusion.js';
import { firstSignal, numberFlag as number } from './emulator-flags.js';

// `meterbridge emulate netsuite`: a NetSuite account on a local port, for connector tests and local
// runs against no real ERP. It prints what a client needs (URL and credentials, all development
// values) and stops cleanly on SIGINT or SIGTERM; its records live in memory and end with it.

interface NetSuiteFlags {
  port: string;
  host: string;
  config?: string;
  concurrency?: string;
  rate?: string;
  latencyMs?: string;
  slowMs?: string;
  errorRate?: string;
  dropAfterCommit?: string;
  seed?: string;
}

/** Resolves when the emulator should stop: the first SIGINT or SIGTERM, unless a test gives its own. */
export type UntilStopped = (emulator: NetSuiteEmulator) => Promise<unknown>;

/** The emulator's options from the flags, a config file's settings overridden by the flags given. */
export function netSuiteOptions(flags: NetSuiteFlags, now = Date.now()): NetSuiteEmulatorOptions {
  const port = number(flags.port, '--port');
  if (port === undefined || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new ValidationError(`--port must be a port number, got "${flags.port}"`);
  const options = flags.config === undefined ? {} : loadEmulatorConfig(flags.config, now);
  const given = {
    concurrency: number(flags.concurrency, '--concurrency'),
    ratePerSecond: number(flags.rate, '--rate'),
    latencyMs: number(flags.latencyMs, '--latency-ms'),
    slowMs: number(flags.slowMs, '--slow-ms'),
    errorRate: number(flags.errorRate, '--error-rate'),
    dropAfterCommitRate: number(flags.dropAfterCommit, '--drop-after-commit'),
  };
  const faults = parseFaultSettings(
    Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)),
    now,
  );
  const seed = number(flags.seed, '--seed');
  return { ...options, host: flags.host, port, seed, faults: { ...options.faults, ...faults } };
}

function banner(emulator: NetSuiteEmulator): string {
  const { accountId, clientId, certificates, consumerKey, consumerSecret, tokenId, tokenSecret } = emulator.credentials;
  const faults = emulator.faults();
  return [
    `NetSuite emulator listening on ${emulator.url} (REST base ${emulator.url}/services/rest/)`,
    `  records live in memory: stopping the emulator loses them`,
    `  TBA (OAuth 1.0a, HMAC-SHA256): realm ${accountId}`,
    `    consumer key ${consumerKey}, consumer secret ${consumerSecret}`,
    `    token id ${tokenId}, token secret ${tokenSecret}`,
    `  OAuth 2.0 client credentials: token URL ${emulator.url}/services/rest/auth/oauth2/v1/token, client id ${clientId},`,
    `    certificate ids: ${Object.keys(certificates).join(', ') || '(none configured; add them with --config)'}`,
    `  limits and faults: concurrency ${faults.concurrency}, rate ${faults.ratePerSecond ?? 'unlimited'}/s, latency ${faults.latencyMs} ms,`,
    `    slow ${faults.slowMs} ms, error rate ${faults.errorRate}, drop after commit ${faults.dropAfterCommitRate}`,
    `  admin: ${emulator.url}/__emulator/faults (GET, PUT), /__emulator/records, /__emulator/stats, /__emulator/reset (POST)`,
  ].join('\n');
}

function netSuiteCommand(untilStopped: UntilStopped): Command {
  return new Command('netsuite')
    .description("emulate NetSuite's SuiteTalk REST API (records, SuiteQL, token endpoint) with injectable faults")
    .option('--port <n>', 'port to listen on (0 picks a free one)', '8787')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--config <file>', 'JSON or YAML file: chart, credentials (certificates), faults')
    .option('--concurrency <n>', "the account's concurrency limit (429 past it)")
    .option('--rate <n>', 'requests per second before 429')
    .option('--latency-ms <n>', 'delay before each request is handled')
    .option('--slow-ms <n>', 'delay after a request is handled and before it is answered')
    .option('--error-rate <p>', 'share (0..1) of requests answered with a random 500, 502 or 503')
    .option('--drop-after-commit <p>', 'share (0..1) of writes committed and then answered by a dropped connection')
    .option('--seed <n>', 'seed of the random faults')
    .action(async (flags: NetSuiteFlags) => {
      let options: NetSuiteEmulatorOptions;
      try {
        options = netSuiteOptions(flags);
      } catch (error) {
        if (error instanceof FaultSettingsError || error instanceof EmulatorConfigError)
          throw new ValidationError(error.message);
        throw error;
      }
      const emulator = await startNetSuiteEmulator(options);
      console.log(banner(emulator));
      await untilStopped(emulator);
      await emulator.close();
      console.log('NetSuite emulator stopped');
    });
}

export function emulateCommand(untilStopped: UntilStopped = firstSignal): Command {
  return new Command('emulate')
    .description("run a local emulator of a target system's API, for tests and local runs")
    .addCommand(netSuiteCommand(untilStopped))
    .addCommand(businessCentralCommand())
    .addCommand(oracleFusionCommand())
    .addCommand(sapS4HanaCommand())
    .addCommand(stripeCommand());
}
