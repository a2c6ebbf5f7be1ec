import { Command } from 'commander';
import {
  loadEmulatorConfig,
  ODATA_PATH,
  parseFaultSettings,
  SOAP_PATH,
  startSapEmulator,
  type SapEmulator,
  type SapEmulatorOptions,
} from '../../emulators/sap-s4hana/index.js';
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

// `meterbridge emulate sap-s4hana`: an SAP S/4HANA Cloud tenant on a local port (the SOAP journal entry
// post and the OData item cube), for connector tests and local runs against no real ERP. It prints what a
// client needs (URL, communication user, company codes; development values) and stops cleanly on SIGINT
// or SIGTERM; its documents live in memory and end with it.

interface SapFlags extends EmulatorFlags {
  retryAfter?: string;
}

/** The emulator's options from the flags, a config file's settings overridden by the flags given. */
export function sapOptions(flags: SapFlags, now = Date.now()): SapEmulatorOptions {
  const port = portFlag(flags.port);
  const options = flags.config === undefined ? {} : loadEmulatorConfig(flags.config, now);
  const retryAfterSeconds = numberFlag(flags.retryAfter, '--retry-after');
  const faults = parseFaultSettings(
    { ...faultFlagValues(flags), ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) },
    now,
  );
  const seed = numberFlag(flags.seed, '--seed');
  return { ...options, host: flags.host, port, seed, faults: { ...options.faults, ...faults } };
}

function banner(emulator: SapEmulator): string {
  const faults = emulator.faults();
  const codes = Object.entries(emulator.chart.companyCodes)
    .map(([code, company]) => `${code} (${company.currency}, ${company.chartOfAccounts})`)
    .join(', ');
  return [
    `SAP S/4HANA Cloud emulator listening on ${emulator.url}`,
    `  documents live in memory: stopping the emulator loses them`,
    `  journal entry post (SOAP): ${emulator.url}${SOAP_PATH}`,
    `  item cube (OData v2):      ${emulator.url}${ODATA_PATH}/A_OperationalAcctgDocItemCube`,
    `  Basic authentication: user ${emulator.credentials.user}, password ${emulator.credentials.password}`,
    `  company codes: ${codes}`,
    `  limits and faults: concurrency ${faults.concurrency ?? 'unlimited'}, rate ${faults.ratePerSecond ?? 'unlimited'}/s, Retry-After ${faults.retryAfterSeconds ?? 'none'}, latency ${faults.latencyMs} ms,`,
    `    slow ${faults.slowMs} ms, error rate ${faults.errorRate}, drop after commit ${faults.dropAfterCommitRate}`,
    `  admin: ${emulator.url}/__emulator/faults (GET, PUT), /__emulator/documents, /__emulator/stats, /__emulator/reset (POST)`,
  ].join('\n');
}

export function sapS4HanaCommand(untilStopped: UntilStopped<SapEmulator> = firstSignal): Command {
  const command = withListenOptions(new Command('sap-s4hana'), '8788', 'JSON or YAML file: chart, credentials, faults')
    .description(
      'emulate SAP S/4HANA Cloud (journal entry post over SOAP, item cube over OData v2) with injectable faults',
    )
    .option('--retry-after <s>', "seconds the 429's Retry-After says (none sent by default)");
  return withFaultOptions(command, 'requests at once before 429 (SAP publishes no limit: none by default)').action(
    emulatorAction({
      name: 'SAP S/4HANA Cloud',
      options: (flags: SapFlags) => sapOptions(flags),
      start: startSapEmulator,
      banner,
      untilStopped,
    }),
  );
}
