import type { FaultSettings } from '../netsuite/emulator-options.js';

// What an emulated Oracle Fusion pod holds and expects. Every default is a development value printed by
// `meterbridge emulate oracle-fusion`; none is a secret of any real pod. The fault settings are the same
// as the NetSuite emulator's (one shape, one parser), answered Oracle's way.

export type { FaultSettings };

/** A ledger as Journal Import checks rows against it. */
export interface OracleLedger {
  /** LEDGER_ID, such as "300000046975971". */
  id: string;
  name: string;
  /** The ledger currency. */
  currency: string;
  /** Entered currencies the ledger takes, its own included. */
  currencies: string[];
  /** Data access sets that grant access to the ledger (Journal Import's first parameter, or #NULL). */
  dataAccessSets: string[];
  /**
   * The chart of accounts' valid combinations, segment values joined by "." ("101.4000.000"): their
   * number of segments is the chart's, and a row naming any other combination is rejected.
   */
  combinations: string[];
  /** Where lines with an invalid account or an unbalanced journal go when Journal Import posts errors to suspense. */
  suspense?: string;
  /** Periods closed to posting, YYYY-MM: a row dated in one is rejected. */
  closedPeriods: string[];
}

export interface OracleCredentials {
  username: string;
  password: string;
}

/** What a job takes: its status is WAIT for the first quarter of `jobMs`, RUNNING for the rest, then its end. */
export interface JobTiming {
  jobMs: number;
}

export interface OracleFusionEmulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  ledgers?: OracleLedger[];
  /** Journal sources (USER_JE_SOURCE_NAME) and categories the pod defines. */
  sources?: string[];
  categories?: string[];
  credentials?: Partial<OracleCredentials>;
  faults?: Partial<FaultSettings>;
  /** How long an import job runs before it ends, ms. */
  jobMs?: number;
  /** Seed of the one random source behind errorRate and dropAfterCommitRate, so runs repeat. */
  seed?: number;
  /** The clock (ms since the epoch), for job times and outage windows. */
  now?: () => number;
  /** Why requests were refused and unexpected errors; silent by default. */
  log?: (message: string) => void;
  /** Largest accepted request body, bytes. */
  maxBodyBytes?: number;
}

const COMPANY = '101';
const ACCOUNTS = ['1200', '1250', '2300', '4000', '4010', '4300', '4900'];
const COST_CENTERS = ['000', '100'];

export const DEFAULT_LEDGERS: readonly OracleLedger[] = Object.freeze([
  {
    id: '300000046975971',
    name: 'US Primary Ledger',
    currency: 'USD',
    currencies: ['USD'],
    dataAccessSets: ['300000046975980'],
    combinations: ACCOUNTS.flatMap((account) => COST_CENTERS.map((center) => `${COMPANY}.${account}.${center}`)),
    suspense: `${COMPANY}.9999.000`,
    closedPeriods: [],
  },
]);

export const DEFAULT_SOURCES: readonly string[] = Object.freeze(['Meterbridge', 'Spreadsheet', 'Manual']);
export const DEFAULT_CATEGORIES: readonly string[] = Object.freeze(['Usage', 'Accrual', 'Adjustment', 'Sales']);

export const DEFAULT_CREDENTIALS: Readonly<OracleCredentials> = {
  username: 'meterbridge.integration',
  password: 'emulator-password',
};

export const DEFAULT_FAULTS: Readonly<FaultSettings> = {
  latencyMs: 0,
  errorRate: 0,
  slowMs: 0,
  dropAfterCommitRate: 0,
  outage: undefined,
  // Oracle publishes no per-user limit for its REST resources; a gentle one, to be raised per test.
  concurrency: 10,
  ratePerSecond: undefined,
  refuseLogins: undefined,
};

export const DEFAULT_JOB_MS = 2000;
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
