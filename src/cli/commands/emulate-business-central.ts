import { Command } from 'commander';
import {
  loadEmulatorConfig,
  parseFaultSettings,
  startBusinessCentralEmulator,
  type BusinessCentralEmulator,
  type BusinessCentralEmulatorOptions,
} from '../../emulators/business-central/index.js';
import { ValidationError } from '../../platform/errors.js';
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

// `meterbridge emulate business-central`: a Business Central environment with one company on a local
// port (API v2.0: journals, journal lines, G/L entries, sales invoices and credit memos) and the Entra
// ID token endpoint that admits its client, for connector tests and local runs against no real ERP. It
// prints what a client needs (URLs, tenant, company, client id and secret: development values) and
// stops cleanly on SIGINT or SIGTERM; its data lives in memory and ends with it.

interface BusinessCentralFlags extends EmulatorFlags {
  windowRequests?: string;
  windowMs?: string;
  retryAfter?: string;
  pageSize?: string;
}

/** The emulator's options from the flags, a config file's settings overridden by the flags given. */
export function businessCentralOptions(flags: BusinessCentralFlags, now = Date.now()): BusinessCentralEmulatorOptions {
  const port = portFlag(flags.port);
  const options = flags.config === undefined ? {} : loadEmulatorConfig(flags.config, now);
  // `--rate n` is BC's request window narrowed to one second; `--window-*` set the window itself.
  const { ratePerSecond, ...shared } = faultFlagValues(flags);
  const given: Record<string, number | undefined> = {
    ...shared,
    windowRequests: numberFlag(flags.windowRequests, '--window-requests') ?? ratePerSecond,
    windowMs: numberFlag(flags.windowMs, '--window-ms') ?? (ratePerSecond === undefined ? undefined : 1000),
    retryAfterSeconds: numberFlag(flags.retryAfter, '--retry-after'),
  };
  const faults = parseFaultSettings(
    Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)),
    now,
  );
  const pageSize = numberFlag(flags.pageSize, '--page-size');
  if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1))
    throw new ValidationError(`--page-size must be a whole number of at least 1, got "${flags.pageSize}"`);
  const seed = numberFlag(flags.seed, '--seed');
  return {
    ...options,
    host: flags.host,
    port,
    seed,
    ...(pageSize === undefined ? {} : { pageSize }),
    faults: { ...options.faults, ...faults },
  };
}

function banner(emulator: BusinessCentralEmulator): string {
  const { tenant, environment, clientId, clientSecret } = emulator.credentials;
  const faults = emulator.faults();
  return [
    `Business Central emulator listening on ${emulator.url}`,
    `  data lives in memory: stopping the emulator loses it`,
    `  API v2.0: ${emulator.url}/v2.0/${tenant}/${environment}/api/v2.0/companies(${emulator.company.id})/`,
    `  company ${emulator.company.id} (${emulator.company.name}), local currency ${emulator.chart.localCurrency}`,
    `  Entra ID token endpoint: ${emulator.tokenEndpoint}`,
    `    tenant ${tenant}, client id ${clientId}, client secret ${clientSecret}`,
    `    scope https://api.businesscentral.dynamics.com/.default`,
    `  target settings: baseUrl ${emulator.url}, tokenEndpoint ${emulator.tokenEndpoint}, environment ${environment}`,
    `  limits and faults: ${faults.windowRequests} requests per ${faults.windowMs} ms, concurrency ${faults.concurrency}, Retry-After ${faults.retryAfterSeconds ?? 'none'},`,
    `    latency ${faults.latencyMs} ms, slow ${faults.slowMs} ms, error rate ${faults.errorRate}, drop after commit ${faults.dropAfterCommitRate}`,
    `  admin: ${emulator.url}/__emulator/faults (GET, PUT), /__emulator/entities, /__emulator/ledger, /__emulator/chart, /__emulator/stats, /__emulator/reset (POST)`,
  ].join('\n');
}

export function businessCentralCommand(untilStopped: UntilStopped<BusinessCentralEmulator> = firstSignal): Command {
  const command = withListenOptions(
    new Command('business-central'),
    '8789',
    'JSON or YAML file: company, chart, credentials, faults, pageSize',
  )
    .description(
      "emulate Dynamics 365 Business Central's API v2.0 (journals, G/L entries, sales invoices) and its Entra ID token endpoint, with injectable faults",
    )
    .option('--window-requests <n>', 'requests per sliding window before 429 (6000)')
    .option('--window-ms <n>', 'the sliding window, ms (300000: five minutes)')
    .option('--retry-after <s>', "seconds the 429's Retry-After says (none sent by default)")
    .option('--page-size <n>', 'entities per page before @odata.nextLink (20000)');
  return withFaultOptions(command, 'requests at once before 429 (100)').action(
    emulatorAction({
      name: 'Business Central',
      options: (flags: BusinessCentralFlags) => businessCentralOptions(flags),
      start: startBusinessCentralEmulator,
      banner,
      untilStopped,
    }),
  );
}
