import { Command } from 'commander';
import {
  DEFAULT_CUSTOMERS,
  FaultSettingsError,
  parseFaultSettings,
  startStripeEmulator,
  type StripeEmulator,
  type StripeEmulatorOptions,
  type StripeMeterSeed,
} from '../../emulators/stripe/index.js';
import { ValidationError } from '../../platform/errors.js';
import { faultFlagValues, firstSignal, numberFlag, portFlag } from './emulator-flags.js';

// `meterbridge emulate stripe`: a Stripe account on a local port (invoice items, draft invoices,
// customers, billing meter events v1 and v2), for the Stripe client's tests and local runs against no
// real account. It prints what a client needs (URL, secret key, API version: development values) and
// stops cleanly on SIGINT or SIGTERM; its objects and idempotency keys live in memory and end with it.

interface StripeFlags {
  port: string;
  host: string;
  key?: string;
  customer: string[];
  meter: string[];
  concurrency?: string;
  rate?: string;
  latencyMs?: string;
  slowMs?: string;
  errorRate?: string;
  dropAfterCommit?: string;
  storedErrorRate?: string;
  lockTimeoutRate?: string;
  retryAfter?: string;
  seed?: string;
}

/** Resolves when the emulator should stop: the first SIGINT or SIGTERM, unless a test gives its own. */
export type UntilStripeStopped = (emulator: StripeEmulator) => Promise<unknown>;

const collect = (value: string, previous: string[]) => [...previous, value];

/** `mtr_123:api_calls` or `api_calls` (an id is made up). */
function readMeter(text: string, index: number): StripeMeterSeed {
  const [first, second] = text.split(':');
  const eventName = second ?? first!;
  const id = second === undefined ? `mtr_Emulator${String(index + 1).padStart(10, '0')}` : first!;
  if (!/^mtr_[A-Za-z0-9]+$/.test(id) || !/^[A-Za-z0-9_.-]{1,100}$/.test(eventName))
    throw new ValidationError(`--meter must be <event_name> or mtr_<id>:<event_name>, got "${text}"`);
  return { id, event_name: eventName };
}

/** The emulator's options from the flags. */
export function stripeOptions(flags: StripeFlags, now = Date.now()): StripeEmulatorOptions {
  const port = portFlag(flags.port);
  if (flags.key !== undefined && !/^sk_(test|live)_[A-Za-z0-9_]{4,}$/.test(flags.key))
    throw new ValidationError('--key must be a secret key such as sk_test_...');
  for (const id of flags.customer)
    if (!/^cus_[A-Za-z0-9]{1,60}$/.test(id))
      throw new ValidationError(`--customer must be cus_<letters or digits>, got "${id}"`);
  const given = {
    ...faultFlagValues(flags),
    storedErrorRate: numberFlag(flags.storedErrorRate, '--stored-error-rate'),
    lockTimeoutRate: numberFlag(flags.lockTimeoutRate, '--lock-timeout-rate'),
    retryAfterSeconds: numberFlag(flags.retryAfter, '--retry-after'),
  };
  let faults;
  try {
    faults = parseFaultSettings(
      Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)),
      now,
    );
  } catch (error) {
    if (error instanceof FaultSettingsError) throw new ValidationError(error.message);
    throw error;
  }
  return {
    host: flags.host,
    port,
    seed: numberFlag(flags.seed, '--seed'),
    faults,
    ...(flags.key === undefined ? {} : { secretKeys: [flags.key] }),
    ...(flags.customer.length === 0
      ? {}
      : { customers: [...DEFAULT_CUSTOMERS, ...flags.customer.map((id) => ({ id, name: id }))] }),
    ...(flags.meter.length === 0 ? {} : { meters: flags.meter.map(readMeter) }),
  };
}

function banner(emulator: StripeEmulator): string {
  const faults = emulator.faults();
  const objects = emulator.objects() as {
    customers: Array<{ id: string }>;
    meters: Array<{ id: string; event_name: string }>;
  };
  return [
    `Stripe emulator listening on ${emulator.url} (API version ${emulator.apiVersion}; /v1 and /v2 paths)`,
    `  objects and idempotency keys live in memory: stopping the emulator loses them`,
    `  secret key: ${emulator.secretKeys.join(', ')}`,
    `  customers: ${objects.customers.map((customer) => customer.id).join(', ')}`,
    `  meters: ${objects.meters.map((meter) => `${meter.id} (${meter.event_name})`).join(', ') || '(none: meter events of any name are taken)'}`,
    `  stripe-node: new Stripe(key, { apiVersion: '${emulator.apiVersion}', host: '${emulator.host}', port: ${emulator.port}, protocol: 'http', maxNetworkRetries: 0 })`,
    `  limits and faults: concurrency ${faults.concurrency}, rate ${faults.ratePerSecond ?? 'unlimited'}/s, latency ${faults.latencyMs} ms, slow ${faults.slowMs} ms,`,
    `    error rate ${faults.errorRate}, drop after commit ${faults.dropAfterCommitRate}, stored 500 ${faults.storedErrorRate}, lock timeout ${faults.lockTimeoutRate}`,
    `  admin: ${emulator.url}/__emulator/faults (GET, PUT), /objects, /requests, /stats, /clock, /customers, /reset (POST)`,
  ].join('\n');
}

export function stripeCommand(untilStopped: UntilStripeStopped = firstSignal): Command {
  return new Command('stripe')
    .description(
      "emulate Stripe's API for billing (invoice items, draft invoices, meter events v1 and v2) with injectable faults",
    )
    .option('--port <n>', 'port to listen on (0 picks a free one)', '12111')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--key <sk>', 'the secret key the account accepts (default sk_test_emulator_...)')
    .option('--customer <id>', 'a customer id to hold besides the defaults (repeatable)', collect, [])
    .option('--meter <meter>', 'a meter, <event_name> or mtr_<id>:<event_name> (repeatable)', collect, [])
    .option('--concurrency <n>', 'requests in flight at once before 429 rate_limit (default 100)')
    .option('--rate <n>', 'requests per second before 429 rate_limit')
    .option('--latency-ms <n>', 'delay while each request is handled (its idempotency key in flight)')
    .option('--slow-ms <n>', 'delay after a request is handled (committed) and before it is answered')
    .option(
      '--error-rate <p>',
      'share (0..1) of requests answered with a random 500, 502 or 503 before anything is done',
    )
    .option('--drop-after-commit <p>', 'share (0..1) of writes committed and then answered by a dropped connection')
    .option(
      '--stored-error-rate <p>',
      'share (0..1) of writes failing with a 500 that is saved and replayed for the key',
    )
    .option('--lock-timeout-rate <p>', 'share (0..1) of writes answered 429 lock_timeout')
    .option('--retry-after <s>', 'seconds sent as Retry-After with a 429')
    .option('--seed <n>', 'seed of the random faults and ids')
    .action(async (flags: StripeFlags) => {
      const emulator = await startStripeEmulator(stripeOptions(flags));
      console.log(banner(emulator));
      await untilStopped(emulator);
      await emulator.close();
      console.log('Stripe emulator stopped');
    });
}
