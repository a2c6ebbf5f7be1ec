// What an emulated SAP S/4HANA Cloud tenant holds and expects. Every default is a development value
// printed by `meterbridge emulate sap-s4hana`; none is a secret of any real tenant.

export interface SapCompanyCode {
  /** The company code's currency (its local currency). */
  currency: string;
  /** The chart of accounts its G/L accounts come from. */
  chartOfAccounts: string;
  /** The controlling area its cost and profit centers belong to. */
  controllingArea: string;
}

/** What a posted journal entry may reference; anything else gets SAP's error in the confirmation's log. */
export interface SapChart {
  companyCodes: Record<string, SapCompanyCode>;
  /** Chart of accounts -> its G/L accounts. */
  chartsOfAccounts: Record<string, string[]>;
  /** Currency key -> its decimals. */
  currencies: Record<string, number>;
  /** Controlling area -> its cost centers. */
  costCenters: Record<string, string[]>;
  /** Controlling area -> its profit centers. */
  profitCenters: Record<string, string[]>;
}

export interface SapCredentials {
  /** The communication user (Basic authentication). */
  user: string;
  password: string;
}

export interface Outage {
  /** `503`: every request answers the web dispatcher's 503 page; `refuse`: the listener closes. */
  mode: '503' | 'refuse';
  /** When the outage ends, in ms since the epoch on the emulator's clock. */
  untilMs: number;
}

/** Faults and limits; all can be changed while running (admin endpoint or `setFaults`). */
export interface FaultSettings {
  /** Delay before a request is handled, ms. */
  latencyMs: number;
  /** Share (0..1) of requests answered by a random 500 (SOAP fault or OData error), 502, 503 or 504. */
  errorRate: number;
  /** Delay after a request was handled (a posting committed) and before it is answered, ms. */
  slowMs: number;
  /** Share (0..1) of postings committed and then answered by destroying the connection. */
  dropAfterCommitRate: number;
  outage: Outage | undefined;
  /** Requests in flight at once before 429; undefined is no limit (SAP publishes none). */
  concurrency: number | undefined;
  /** Requests per second over a sliding second before 429; undefined is no limit. */
  ratePerSecond: number | undefined;
  /** The 429's Retry-After in seconds; undefined sends none. */
  retryAfterSeconds: number | undefined;
  /** Until when every request answers 401 whatever its credentials (a locked communication user). */
  refuseLogins: { untilMs: number } | undefined;
}

/** The emulator serves HTTPS with these and then accepts client certificates signed by `ca`. */
export interface TlsOptions {
  key: string;
  cert: string;
  /** CA certificates client certificates must chain to. */
  ca: string;
  /** The subject CN a client certificate must have (the communication user it maps to); any when absent. */
  clientCommonName?: string;
}

export interface SapEmulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  chart?: Partial<SapChart>;
  credentials?: Partial<SapCredentials>;
  faults?: Partial<FaultSettings>;
  tls?: TlsOptions;
  /** Seed of the one random source behind errorRate and dropAfterCommitRate, so runs repeat. */
  seed?: number;
  /** The clock (ms since the epoch), for outage windows and CreationDateTime. */
  now?: () => number;
  /** Why requests were refused and unexpected errors; silent by default. */
  log?: (message: string) => void;
  /** Largest accepted request body, bytes. */
  maxBodyBytes?: number;
  /** The logical system named in the log's notes. */
  logicalSystem?: string;
  /**
   * The OData service's page size: an answer holds at most this many rows and a `__next` link to the
   * rest (server-driven paging). None by default: every row at once.
   */
  maxPageRows?: number;
}

export const DEFAULT_CHART: Readonly<SapChart> = {
  companyCodes: {
    '1010': { currency: 'EUR', chartOfAccounts: 'YCOA', controllingArea: 'A000' },
    '1710': { currency: 'USD', chartOfAccounts: 'YCOA', controllingArea: 'A000' },
  },
  chartsOfAccounts: {
    YCOA: ['11001000', '12100000', '12600000', '22000000', '41000000', '41000100', '44000000', '48000000'],
  },
  currencies: { EUR: 2, USD: 2, GBP: 2, CHF: 2, CAD: 2, AUD: 2, JPY: 0, KWD: 3 },
  costCenters: { A000: ['10101101', '10101201', '17101101', '17101201'] },
  profitCenters: { A000: ['YB101', 'YB102', 'YB700'] },
};

export const DEFAULT_CREDENTIALS: Readonly<SapCredentials> = {
  user: 'MB_COMM_USER',
  password: 'emulator-password',
};

export const DEFAULT_FAULTS: Readonly<FaultSettings> = {
  latencyMs: 0,
  errorRate: 0,
  slowMs: 0,
  dropAfterCommitRate: 0,
  outage: undefined,
  concurrency: undefined,
  ratePerSecond: undefined,
  retryAfterSeconds: undefined,
  refuseLogins: undefined,
};

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOGICAL_SYSTEM = 'EMULCLNT100';
