import { Command } from 'commander';
import { createApp, type App } from '../../main.js';
import type { MeteringBatch } from '../../modules/metering/index.js';
import { PreconditionFailedError } from '../../platform/errors.js';
import { createLogger } from '../../platform/logger.js';
import { startMeteringWorker } from '../../workers/metering-worker.js';
import { withMeteringOptions, withStoreOptions } from '../options.js';
import { printResult } from '../print-result.js';
import { withApp, type AppCommandDependencies, type OpenApp } from '../with-app.js';

const RUN_HELP = `
Runs the metering stage in this process: raw events become usage records, exceptions or telemetry.
Run it here when \`serve\` runs with --metering-worker off; several may run at once (they take turns).
Without --once it runs until SIGINT (Ctrl-C) or SIGTERM, finishing the batch in progress first.

Exit status: 0 stopped cleanly or caught up; 1 it could not run (no catalog yet with --once, no store).`;

// How long --once waits for events committed but not readable yet: on PostgreSQL the stage reads only
// transactions older than every running one, so another client's open transaction holds them back.
const ONCE_GRACE_MS = 5000;

export interface MeteringCommandDependencies extends AppCommandDependencies {
  /** Resolves with the signal's name when the worker should stop; tests stop it themselves. */
  untilStopped?: () => Promise<string>;
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function sum(batches: readonly MeteringBatch[], field: 'events' | 'usage' | 'exceptions' | 'telemetry'): number {
  return batches.reduce((total, batch) => total + batch[field], 0);
}

/** Batches until the log is read to its end, giving events held back by an open transaction a short grace. */
async function meterToEnd(app: App): Promise<{ batches: MeteringBatch[]; waiting: number }> {
  const batches = await app.metering.stage.runUntilCaughtUp({ waitMs: ONCE_GRACE_MS });
  return { batches, waiting: (await app.metering.lag()).events };
}

async function runOnce(app: App): Promise<void> {
  if (!(await app.catalog.current())) {
    throw new PreconditionFailedError(
      'no catalog has been applied yet: events wait unmetered until `meterbridge catalog apply`',
    );
  }
  const { batches, waiting } = await meterToEnd(app);
  const versions = [
    ...new Set(batches.map((batch) => batch.catalogVersion).filter((version) => version !== undefined)),
  ];
  console.log(
    `metered ${sum(batches, 'events')} event(s) in ${batches.filter((batch) => batch.events > 0).length} batch(es): ` +
      `${sum(batches, 'usage')} usage record(s), ${sum(batches, 'exceptions')} exception(s), ${sum(batches, 'telemetry')} telemetry event(s)` +
      ` (catalog version ${versions.join(', ')})`,
  );
  if (waiting > 0)
    console.error(
      `${waiting} committed event(s) are not readable yet (an older transaction is still open); run again to meter them`,
    );
}

async function runWorker(app: App, untilStopped: () => Promise<string>): Promise<void> {
  const { batchSize, pollIntervalMs } = app.config.metering;
  const worker = startMeteringWorker(app);
  console.log(
    `metering worker running (batches of ${batchSize}, polling every ${pollIntervalMs} ms); stop it with Ctrl-C or SIGTERM`,
  );
  const signal = await untilStopped();
  await worker.stop();
  const lag = await app.metering.lag();
  console.log(`metering worker stopped on ${signal}; ${lag.events} event(s) left to meter`);
}

async function readStatus(app: App) {
  const [lag, telemetry, exceptions] = await Promise.all([
    app.metering.lag(),
    app.metering.telemetry(),
    app.metering.exceptions.counts(),
  ]);
  return { lag, telemetry, exceptions };
}

type MeteringStatus = Awaited<ReturnType<typeof readStatus>>;

function formatStatus(status: MeteringStatus): string[] {
  const lines = [`lag: ${status.lag.events} event(s), ${status.lag.seconds.toFixed(1)} s behind`];
  lines.push(status.telemetry.length === 0 ? 'telemetry: none' : 'telemetry (events no meter reads):');
  const typeWidth = Math.max(0, ...status.telemetry.map((tally) => tally.eventType.length));
  for (const tally of status.telemetry)
    lines.push(
      `  ${tally.eventType.padEnd(typeWidth)}  ${tally.events} event(s), last at ${tally.lastEventTime.toISOString()}`,
    );
  lines.push(status.exceptions.length === 0 ? 'exceptions: none' : 'exceptions:');
  const statusWidth = Math.max(0, ...status.exceptions.map((row) => row.status.length));
  const reasonWidth = Math.max(0, ...status.exceptions.map((row) => row.reason.length));
  for (const row of status.exceptions)
    lines.push(`  ${row.status.padEnd(statusWidth)}  ${row.reason.padEnd(reasonWidth)}  ${row.count}`);
  return lines;
}

export function meteringCommand(dependencies: MeteringCommandDependencies = {}): Command {
  const openApp: OpenApp =
    dependencies.openApp ??
    // The worker logs what it does (the other commands open the app silent).
    ((config) => createApp(config, { logger: createLogger(config.logLevel) }));
  const untilStopped = dependencies.untilStopped ?? untilSignal;
  const metering = new Command('metering').description('run the metering stage and see how it is doing');

  metering.addCommand(
    withMeteringOptions(
      withStoreOptions(
        new Command('run').description('run the metering stage: raw events become usage, exceptions or telemetry'),
      ),
    )
      .option('--once', 'meter what the log holds now, print the totals and exit')
      .addHelpText('after', RUN_HELP)
      .action(async (options: Record<string, unknown>) => {
        const { once, ...configOptions } = options;
        await withApp(configOptions, openApp, (app) => (once ? runOnce(app) : runWorker(app, untilStopped)));
      }),
  );

  metering.addCommand(
    withStoreOptions(
      new Command('status').description(
        'show how far metering is behind, telemetry per event type, and exceptions per status and reason',
      ),
    )
      .option('--json', 'print the status as JSON')
      .action(async (options: Record<string, unknown>) => {
        const { json, ...storeOptions } = options;
        const status = await withApp(storeOptions, openApp, readStatus);
        printResult(status, json, formatStatus);
      }),
  );
  return metering;
}
