import { Command } from 'commander';
import {
  loadOracleEmulatorConfig,
  parseRuntimeSettings,
  startOracleFusionEmulator,
  type OracleFusionEmulator,
  type OracleFusionEmulatorOptions,
} from '../../emulators/oracle-fusion/index.js';
import {
  faultFlagValues,
  firstSignal,
  numberFlag,
  portFlag,
  withFaultOptions,
  withListenOptions,
  type EmulatorFlags,
} from './emulator-flags.js';
import { emulatorAction, type UntilStopped } from './emulator-action.js';

// `meterbridge emulate oracle-fusion`: an Oracle Fusion pod's FBDI journal import on a local port, for
// connector tests and local runs against no real ERP. It prints what a client needs (URL, the integration
// user, the ledger and its combinations: development values) and stops on SIGINT or SIGTERM; what it
// holds lives in memory and ends with it.

interface OracleFusionFlags extends EmulatorFlags {
  jobMs?: string;
}

/** The emulator's options from the flags, a config file's overridden by the flags given. */
export function oracleFusionOptions(flags: OracleFusionFlags, now = Date.now()): OracleFusionEmulatorOptions {
  const port = portFlag(flags.port);
  const options = flags.config === undefined ? {} : loadOracleEmulatorConfig(flags.config, now);
  const jobMs = numberFlag(flags.jobMs, '--job-ms');
  const { jobMs: parsedJobMs, ...faults } = parseRuntimeSettings(
    { ...faultFlagValues(flags), ...(jobMs === undefined ? {} : { jobMs }) },
    now,
  );
  return {
    ...options,
    host: flags.host,
    port,
    seed: numberFlag(flags.seed, '--seed'),
    faults: { ...options.faults, ...faults },
    ...(parsedJobMs === undefined ? {} : { jobMs: parsedJobMs }),
  };
}

function banner(emulator: OracleFusionEmulator): string {
  const settings = emulator.settings();
  const root = `${emulator.url}/fscmRestApi/resources/11.13.18.05/`;
  return [
    `Oracle Fusion emulator listening on ${emulator.url} (REST resources under ${root})`,
    `  jobs, batches and interface rows live in memory: stopping the emulator loses them`,
    `  basic authentication: user ${emulator.credentials.username}, password ${emulator.credentials.password}`,
    ...emulator.ledgers.map(
      (ledger) =>
        `  ledger ${ledger.id} (${ledger.name}, ${ledger.currencies.join(' ')}), data access sets ${ledger.dataAccessSets.join(', ') || 'none'}, ` +
        `${ledger.combinations.length} combinations such as ${ledger.combinations.slice(0, 3).join(', ')}${ledger.suspense ? `, suspense ${ledger.suspense}` : ''}`,
    ),
    `  sources: ${emulator.sources.join(', ')}; categories: ${emulator.categories.join(', ')}`,
    `  import jobs run ${settings.jobMs} ms; concurrency ${settings.concurrency}, rate ${settings.ratePerSecond ?? 'unlimited'}/s, latency ${settings.latencyMs} ms,`,
    `    slow ${settings.slowMs} ms, error rate ${settings.errorRate}, drop after commit ${settings.dropAfterCommitRate}`,
    `  admin: ${emulator.url}/__emulator/faults (GET, PUT), /__emulator/batches, /__emulator/jobs, /__emulator/interface, /__emulator/stats, /__emulator/reset (POST)`,
  ].join('\n');
}

export function oracleFusionCommand(untilStopped: UntilStopped<OracleFusionEmulator> = firstSignal): Command {
  const command = withListenOptions(
    new Command('oracle-fusion'),
    '8788',
    'JSON or YAML file: ledgers (with their combinations), sources, categories, credentials, faults',
  )
    .description(
      "emulate Oracle Fusion's FBDI journal import (erpintegrations, ESS jobs, journalBatches) with injectable faults",
    )
    .option('--job-ms <n>', 'how long an import job runs before it ends (default 2000)');
  return withFaultOptions(command, 'requests in flight before 429 (default 10)').action(
    emulatorAction({
      name: 'Oracle Fusion',
      options: (flags: OracleFusionFlags) => oracleFusionOptions(flags),
      start: startOracleFusionEmulator,
      banner,
      untilStopped,
    }),
  );
}
