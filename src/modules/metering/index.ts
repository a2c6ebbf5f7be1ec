export { createMetering, meteringMetersInUse, type Metering, type MeteringDependencies } from './metering.js';
export {
  findUnbilledBefore,
  findUnbilledBeforeEach,
  countOpenExceptionsAt,
  countUsageByMeterInWindows,
  usageLatencyAttainment,
  exceptionResolutionAttainment,
  type UnbilledSubscriptionUsage,
  type ArrivalWindow,
  type Attainment,
} from './alert-queries.js';
export { DEFAULT_HORIZON_DAYS } from './derive.js';
export { METERING_STAGE, DEFAULT_METERING_BATCH, type MeteringBatch, type MeteringStage } from './metering-stage.js';
export type { MeteringLag } from './metering-metrics.js';
export type { ReplayProgress, ReplayRequest, ReplayResult } from './replay.js';
export type { ExceptionsService, ExceptionPage, ReprocessResult } from './exceptions.js';
export type { MeteringException, ExceptionFilter } from './exceptions-repository.js';
export {
  parseExceptionQuery,
  parseExceptionIds,
  EXCEPTION_STATUSES,
  MAX_EXCEPTION_PAGE,
  type ExceptionParams,
  type ExceptionQuery,
} from './exception-filter.js';
export { EXCEPTION_REASONS, type ExceptionReason } from './usage.js';
export type { InvoicedChange, RederiveSummary } from './rederive.js';
export type { TelemetryTally } from './repository.js';
export {
  queryUsage,
  parseUsageQuery,
  USAGE_WINDOWS,
  type UsageQuery,
  type UsageQueryResult,
  type UsageRow,
  type UsageWindow,
} from './usage-query.js';
export {
  aggregateUsage,
  aggregateInvoiced,
  eventValues,
  quantityOf,
  markUsageBilled,
  releaseBilledUsage,
  metersWithUnbilledUsage,
  findLineRecords,
  type SubscriptionWindow,
  type MeterWindow,
  type MeterAggregate,
  type BillingDocument,
  type UnbilledMeter,
  type LineRecord,
  type LineRecordsQuery,
} from './billing-usage-repository.js';
export {
  findUsageOfEvent,
  findExceptionsOfEvent,
  isMetered,
  type EventUsageRecord,
  type EventException,
} from './event-lineage.js';
export {
  scanUsage,
  type UnbilledUsage,
  type UsageScan,
  type StrayRecords,
  type UsageTally,
  type UsageTallyScope,
} from './usage-tally.js';
