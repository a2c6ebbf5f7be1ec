import type { Registry } from 'prom-client';
import type { Config } from '../config/index.js';
import type { Access } from '../modules/access/index.js';
import type { Alerts } from '../modules/alerts/index.js';
import type { Billing } from '../modules/billing/index.js';
import type { CatalogService } from '../modules/catalog/index.js';
import type { Ingestion } from '../modules/ingestion/index.js';
import type { Metering } from '../modules/metering/index.js';
import type { Postings } from '../modules/outbox/index.js';
import type { Reconciliations } from '../modules/reconciliation/index.js';
import type { PostingPreview } from '../modules/accounting/index.js';
import type { Schemas } from '../modules/schemas/index.js';
import type { ServiceLevels } from '../modules/service-levels/index.js';
import type { Clock } from '../platform/clock.js';
import type { Database } from '../platform/database/database.js';
import type { Logger } from '../platform/logger.js';

/** Everything the HTTP layer needs, built once by the composition root. */
export interface HttpDependencies {
  config: Readonly<Config>;
  db: Database;
  access: Access;
  ingestion: Ingestion;
  schemas: Schemas;
  catalog: CatalogService;
  metering: Metering;
  billing: Billing;
  postings: Postings;
  reconciliations: Reconciliations;
  alerts: Alerts;
  serviceLevels: ServiceLevels;
  previewPostings(period: unknown): Promise<PostingPreview>;
  metrics: Registry;
  clock: Clock;
  logger: Logger;
}
