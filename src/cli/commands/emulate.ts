import { Command } from 'commander';
import {
  loadEmulatorConfig,
  parseFaultSettings,
  startNetSuiteEmulator,
  type NetSuiteEmulator,
  type NetSuiteEmulatorOptions,
} from '../../emulators/netsuite/index.js';
import { businessCentralCommand } from './emulate-business-central.js';
import { sapS4HanaCommand } from './emulate-sap.js';
import { stripeCommand } from './emulate-stripe.js';
import { oracleFusionCommand } from './emulate-oracle-fusion.js';
import { emulatorAction, type UntilStopped } from './emulator-action.js';
import {
  faultFlagValues,
  firstSignal,
  numberFlag,
  portFlag,
  withFaultOptions,
  withListenOptions,
  type EmulatorFlags,
} from './emulator-flags.js';

// `meterbridge emulate netsuite`: a NetSuite account on a local port, for connector tests and local
// runs against no real ERP. It prints what a client needs (URL and credentials, all development
// values) and stops cleanly on SIGINT or SIGTERM; its records live in memory and end with it.

type NetSuiteFlags = EmulatorFlags;

/** The emulator's options from the flags, a config file's settings overridden by the flags given. */
export function netSuiteOptions(flags: NetSuiteFlags, now = Date.now()): NetSuiteEmulatorOptions {
  const port = portFlag(flags.port);
  const options = flags.config === undefined ? {} : loadEmulatorConfig(flags.config, now);
  const faults = parseFaultSettings(faultFlagValues(flags), now);
  const seed = numberFlag(flags.seed, '--seed');
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

function netSuiteCommand(untilStopped: UntilStopped<NetSuiteEmulator>): Command {
  const command = withListenOptions(
    new Command('netsuite'),
    '8787',
    'JSON or YAML file: chart, credentials (certificates), faults',
  ).description("emulate NetSuite's SuiteTalk REST API (records, SuiteQL, token endpoint) with injectable faults");
  return withFaultOptions(
    command,
    "the account's concurrency limit (429 past it)",
    'share (0..1) of requests answered with a random 500, 502 or 503',
  ).action(
    emulatorAction({
      name: 'NetSuite',
      options: (flags: NetSuiteFlags) => netSuiteOptions(flags),
      start: startNetSuiteEmulator,
      banner,
      untilStopped,
    }),
  );
}

export function emulateCommand(untilStopped: UntilStopped<NetSuiteEmulator> = firstSignal): Command {
  return new Command('emulate')
    .description("run a local emulator of a target system's API, for tests and local runs")
    .addCommand(netSuiteCommand(untilStopped))
    .addCommand(businessCentralCommand())
    .addCommand(oracleFusionCommand())
    .addCommand(sapS4HanaCommand())
    .addCommand(stripeCommand());
}
