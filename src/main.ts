import { collectDefaultMetrics, Registry } from 'prom-client';
import { secretResolverFor, type Config } from './config/index.js';
import { createAccess, type Access } from './modules/access/index.js';
import {
  bothObservers,
  createAlerts,
  createRejectionRecorder,
  DEFAULT_ALERT_SETTINGS,
  registerAlertMetrics,
  switchedOff,
  type Alerts,
  type RejectionRecorder,
} from './modules/alerts/index.js';
import {
  notePostedDocuments,
  createAccruals,
  createPostingPlanner,
  createPostingPreview,
  createPostingRenderer,
  createTargetConnectors,
  type AccrualOptions,
  type AccrualResult,
  type PostingPreview,
} from './modules/accounting/index.js';
import { createBilling, finalizedCreditUse, type Billing } from './modules/billing/index.js';
import { createCatalog, type CatalogService } from './modules/catalog/index.js';
import { createIngestion, createIngestionMetrics, type Ingestion } from './modules/ingestion/index.js';
import { createLineage, type LineageService } from './modules/lineage/index.js';
import { createMetering, meteringMetersInUse, type Metering } from './modules/metering/index.js';
import type { SecretResolver } from './modules/connectors/index.js';
import {
  createDispatcher,
  createPostingMetrics,
  createPostings,
  type Dispatcher,
  type Postings,
} from './modules/outbox/index.js';
import { createSchemas, type Schemas } from './modules/schemas/index.js';
import {
  createServiceLevels,
  DEFAULT_SERVICE_LEVEL_SETTINGS,
  registerServiceLevelMetrics,
  type ServiceLevels,
} from './modules/service-levels/index.js';
import {
  createReconciliations,
  reconciledWithinObjective,
  reconciliationMismatchRule,
  type Reconciliations,
} from './modules/reconciliation/index.js';
import { systemClock, type Clock } from './platform/clock.js';
import type { Database } from './platform/database/database.js';
import { migrate } from './platform/database/migrate.js';
import { openStore } from './platform/database/open-store.js';
import { silentLogger, type Logger } from './platform/logger.js';

/** The assembled application: one store, its modules, and (once built) the HTTP server. */
export interface App {
  config: Readonly<Config>;
  db: Database;
  access: Access;
  schemas: Schemas;
  catalog: CatalogService;
  ingestion: Ingestion;
  metering: Metering;
  billing: Billing;
  postings: Postings;
  /** Delivers due postings to their targets (the posting worker runs it; `postings run` once). */
  dispatcher: Dispatcher;
  /** What a period's documents would post, computed and sent nowhere. */
  previewPostings(period: unknown): Promise<PostingPreview>;
  /** Accrues a closed period's revenue still on drafts, reversed on the next period's first day. */
  accrue(period: unknown, options?: AccrualOptions): Promise<AccrualResult>;
  /** Three-way reconciliation of a period: usage, documents and what each target holds, read back. */
  reconciliations: Reconciliations;
  /** Traces an event, a target's document or an invoice line through every stage (reads only). */
  lineage: LineageService;
  /** Alert rules, their firings and notifications (the alert worker evaluates and delivers them). */
  alerts: Alerts;
  /** Counts the events ingestion rejects, for the schema-rejection rule. */
  rejections: RejectionRecorder;
  serviceLevels: ServiceLevels;
  metrics: Registry;
  logger: Logger;
  clock: Clock;
  close(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  clock?: Clock;
  /** An already open store (tests share one); otherwise the configured one is opened. */
  db?: Database;
  /** Where targets' secrets come from; by default the environment and the configured secrets file. */
  secrets?: SecretResolver;
}

/** Composition root: config -> database (migrated) -> modules. Nothing here runs at import time. */
export async function createApp(config: Readonly<Config>, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const db = options.db ?? (await openStore(config));
  try {
    await migrate(db);
  } catch (error) {
    if (!options.db) await db.close();
    throw error;
  }
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics, prefix: 'meterbridge_' });
  const schemas = createSchemas({ db, clock });
  const rejections = createRejectionRecorder({ db, clock, logger });
  const ingestion = createIngestion({
    db,
    schemas,
    clock,
    limits: config.ingestion,
    observer: bothObservers(createIngestionMetrics(metrics), rejections),
  });
  const catalog = createCatalog({
    db,
    clock,
    metersInUse: meteringMetersInUse(clock),
    creditsInUse: finalizedCreditUse,
  });
  const secrets = options.secrets ?? secretResolverFor(config);
  const alerts = createAlerts({
    db,
    clock,
    logger,
    secrets,
    settings: config.alerts ?? DEFAULT_ALERT_SETTINGS,
    meters: async () =>
      ((await catalog.current())?.catalog.meters ?? []).map(({ key, eventType }) => ({ key, eventType })),
    subscriptions: async () =>
      new Map(
        ((await catalog.current())?.catalog.subscriptions ?? []).map((subscription) => [
          subscription.key,
          subscription,
        ]),
      ),
  });
  const { reconciliationMismatches } = (config.alerts ?? DEFAULT_ALERT_SETTINGS).rules;
  alerts.rules.register(
    reconciliationMismatches.enabled
      ? reconciliationMismatchRule(reconciliationMismatches)
      : switchedOff('reconciliation_mismatches'),
  );
  registerAlertMetrics(metrics, db, () => alerts.rules.list().map((rule) => rule.rule));
  const serviceLevelSettings = config.serviceLevels ?? DEFAULT_SERVICE_LEVEL_SETTINGS;
  const serviceLevels = createServiceLevels({ db, clock, settings: serviceLevelSettings });
  if (serviceLevelSettings.reconciliation.enabled)
    serviceLevels.register(reconciledWithinObjective(serviceLevelSettings.reconciliation));
  registerServiceLevelMetrics(metrics, serviceLevels, clock);
  const { graceHours } = config.billing;
  const billing = createBilling({
    db,
    catalog,
    clock,
    graceHours,
    listener: createPostingPlanner({ catalog, graceHours }),
  });
  const postings = createPostings({ db, clock, render: createPostingRenderer({ catalog, billing }) });
  const connectorFor = createTargetConnectors({ catalog, secrets, clock });
  return {
    config,
    db,
    access: createAccess({ db, clock }),
    schemas,
    catalog,
    ingestion,
    metering: createMetering({
      db,
      catalog,
      clock,
      metrics,
      batchSize: config.metering.batchSize,
      horizonDays: config.metering.horizonDays,
    }),
    billing,
    postings,
    reconciliations: createReconciliations({ db, clock, catalog, billing, postings, connectorFor, graceHours }),
    previewPostings: createPostingPreview({ catalog, billing, now: () => clock.now() }),
    accrue: createAccruals({ db, catalog, billing, clock }),
    lineage: createLineage({ db, billing }),
    dispatcher: createDispatcher({
      db,
      clock,
      connectorFor,
      observer: createPostingMetrics(metrics, db),
      onDelivered: notePostedDocuments,
    }),
    alerts,
    rejections,
    serviceLevels,
    metrics,
    logger,
    clock,
    close: async () => {
      await rejections.settled();
      if (!options.db) await db.close();
    },
  };
}
