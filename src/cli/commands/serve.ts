import { Command } from 'commander';
import { buildServer } from '../../http/server.js';
import { createApp, type App } from '../../main.js';
import { PreconditionFailedError } from '../../platform/errors.js';
import { createLogger, type Logger } from '../../platform/logger.js';
import { startAccrualWorker } from '../../workers/accrual-worker.js';
import { startAlertWorker } from '../../workers/alert-worker.js';
import { startReconciliationWorker } from '../../workers/reconciliation-worker.js';
import { startBillingWorker } from '../../workers/billing-worker.js';
import { startMeteringWorker } from '../../workers/metering-worker.js';
import { startPostingWorker } from '../../workers/posting-worker.js';
import { installProcessGuards } from '../process-guards.js';
import {
  configFrom,
  withAccountingOptions,
  withBillingOptions,
  withIngestionOptions,
  withMeteringOptions,
  withPostingOptions,
  withServerOptions,
  withStoreOptions,
} from '../options.js';
import { withConfiguredApp } from '../with-app.js';

/**
 * Listens, registers the first admin key and starts the workers; returns what stops them again (the
 * app itself is closed by `withConfiguredApp`, also when starting fails half-way).
 */
async function startServing(app: App, logger: Logger): Promise<() => Promise<void>> {
  const { config } = app;
  const server = await buildServer(app);
  let address: string;
  try {
    address = await server.listen({ host: config.host, port: config.port });
  } catch (error) {
    throw new PreconditionFailedError(`cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
  }
  // Only once listening: a key shown for a server that never started would be a key to nothing.
  let bootstrapped: Awaited<ReturnType<typeof app.access.bootstrap>>;
  try {
    bootstrapped = await app.access.bootstrap(config.bootstrapAdminKey);
  } catch (error) {
    // The store went away since it was opened: a server left listening without its workers or a
    // key would look up and do nothing, so it stops and says why (exit 1).
    await server.close();
    throw error;
  }
  if (bootstrapped && !config.bootstrapAdminKey) {
    // Printed, never logged: this is the only time the key exists outside its owner's hands.
    console.log(
      `\nA new store: created the first admin API key (shown once, store it now):\n\n  ${bootstrapped.key}\n`,
    );
  } else if (bootstrapped) {
    logger.info({ keyId: bootstrapped.id }, 'registered the admin key given in MB_BOOTSTRAP_ADMIN_KEY');
  }
  const worker = config.metering.worker ? startMeteringWorker(app) : undefined;
  const finalizer = startBillingWorker(app);
  const poster = startPostingWorker(app);
  // Only when accounting.autoAccrue is on: otherwise periods are accrued by hand (`meterbridge accrue`).
  const accruer = startAccrualWorker(app);
  const alerter = startAlertWorker(app);
  const reconciler = startReconciliationWorker(app);
  logger.info(
    {
      address,
      meteringWorker: Boolean(worker),
      autoAccrue: Boolean(accruer),
      store: config.databaseUrl ? 'postgres' : `pglite:${config.dataDir}`,
    },
    'meterbridge is serving',
  );
  console.log(`Meterbridge listening on ${address} (API docs: ${address}/docs)`);
  return async () => {
    await server.close();
    await Promise.all([
      worker?.stop(),
      finalizer.stop(),
      poster.stop(),
      accruer?.stop(),
      alerter.stop(),
      reconciler.stop(),
    ]);
  };
}

/**
 * The first SIGINT or SIGTERM. The other signal's listener stays, so that signal is ignored while
 * shutting down; the same signal again ends the process at once (Node's default).
 */
function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export function serveCommand(): Command {
  const command = withServerOptions(
    new Command('serve').description('run the Meterbridge service (HTTP API) on the embedded store or on PostgreSQL'),
  );
  return withAccountingOptions(
    withPostingOptions(withBillingOptions(withMeteringOptions(withIngestionOptions(withStoreOptions(command))))),
  ).action(async (options) => {
    const config = configFrom(options);
    const logger = createLogger(config.logLevel);
    // Before anything opens a connection: a database outage from here on must not end the process.
    installProcessGuards(logger);
    let stopping = false;
    try {
      await withConfiguredApp(
        config,
        (settings) => createApp(settings, { logger }),
        async (app) => {
          const stop = await startServing(app, logger);
          const signal = await firstSignal();
          stopping = true;
          logger.info({ signal }, 'shutting down');
          await stop();
        },
      );
    } catch (error) {
      if (!stopping) throw error;
      // Still exits: a store that cannot be closed cleanly (its server gone) must not keep the process up.
      logger.error({ err: error }, 'error while shutting down');
      process.exit(1);
    }
    process.exit(0);
  });
}
