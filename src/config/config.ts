import type { AlertSettings } from '../modules/alerts/index.js';
import type { IngestionLimits } from '../modules/ingestion/index.js';
import type { ServiceLevelSettings } from '../modules/service-levels/index.js';

export type { IngestionLimits };

/** The validated, frozen configuration handed to the composition root. Nothing else reads process.env. */
export interface Config {
  /** PostgreSQL server URL; when absent the embedded PGlite store in `dataDir` is used. */
  databaseUrl?: string;
  dataDir: string;
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Administrator key for a new store, for automated deployments; never defaulted. */
  bootstrapAdminKey?: string;
  /** Secrets file of the posting targets (`createSecretResolver`); absent: secrets come from MB_SECRET_<NAME> only. */
  secretsFile?: string;
  ingestion: IngestionLimits;
  metering: MeteringSettings;
  billing: BillingSettings;
  /**
   * Accounting automation as `serve` runs it. Optional so that a configuration built by hand (tests,
   * embedding) stays valid: absent means off. `loadConfig` always fills it.
   */
  accounting?: AccountingSettings;
  /** Alert rules and their webhook (the file's `alerts` section); absent: the defaults. `loadConfig` always fills it. */
  alerts?: AlertSettings;
  /** Service-level objectives (the file's `serviceLevels` section); absent: the defaults. */
  serviceLevels?: ServiceLevelSettings;
  /** Reconciliation as `serve` runs it; absent: nothing scheduled (a configuration built by hand). */
  reconciliation?: ReconciliationSettings;
}

/** Reconciliation as `serve` runs it (`docs/reconciliation.md`, Runs in the background). */
export interface ReconciliationSettings {
  /** Hours between the runs `serve` queues of the current and the previous month (0: none, by hand only). */
  everyHours: number;
}

/** Period-end accrual as `serve` runs it (`docs/posting.md`, Accruals). */
export interface AccountingSettings {
  /** Whether `serve` accrues each period on its own once it has ended (and the delay has passed). */
  autoAccrue: boolean;
  /**
   * Minutes after a period's end before it is accrued: time for the period's last events to be metered.
   * Shorter than the billing grace period when `autoAccrue` is on, so the period's invoices are still drafts.
   */
  accrualDelayMinutes: number;
}

export interface BillingSettings {
  /** Hours a draft invoice waits before it finalizes on its own (0: at once). */
  graceHours: number;
}

/** The metering stage as `serve` runs it. */
export interface MeteringSettings {
  /** Whether `serve` runs the metering worker in its process (run it elsewhere with `meterbridge metering run`). */
  worker: boolean;
  /** Raw events read per batch (one transaction). */
  batchSize: number;
  /** How long an idle worker waits before looking for new events again. */
  pollIntervalMs: number;
  /** Events arriving more than this many days after their time are held as exceptions for a person. */
  horizonDays: number;
}
