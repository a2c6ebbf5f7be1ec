// What an emulated NetSuite account holds and expects. Every default is a development value that is
// printed by `meterbridge emulate netsuite`; none is a secret of any real account.

/** The ids a posted record may reference; anything else is refused as NetSuite refuses an invalid reference. */
export interface NetSuiteChart {
  subsidiaries: string[];
  currencies: string[];
  accounts: string[];
  departments: string[];
  classes: string[];
  locations: string[];
  customers: string[];
  items: string[];
  /**
   * Items that post tax (an "other charge" on the tax payable account): their lines are the record's
   * `taxTotal`, the other lines its `subtotal`. Lines may name them as any item.
   */
  taxItems: string[];
}

export interface NetSuiteCredentials {
  /** The account id, which TBA clients send as the OAuth `realm` (e.g. 1234567_SB1). */
  accountId: string;
  /** OAuth 2.0 client credentials: the integration's client id, the JWT's `iss`. */
  clientId: string;
  /** Certificate id (the JWT header's `kid`) -> public key or certificate, PEM. */
  certificates: Record<string, string>;
  /** Token-based authentication (OAuth 1.0a). */
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

export interface Outage {
  /** `503`: every /services/rest request answers 503; `refuse`: the listener closes (connection refused). */
  mode: '503' | 'refuse';
  /** When the outage ends, in ms since the epoch on the emulator's clock. */
  untilMs: number;
}

/** Faults and limits; all can be changed while running (admin endpoint or `setFaults`). */
export interface FaultSettings {
  /** Delay before a request is handled, ms. */
  latencyMs: number;
  /** Share (0..1) of requests answered by a random 500, 502 or 503 before anything is done. */
  errorRate: number;
  /** Delay after a request was handled (records committed) and before it is answered, ms. */
  slowMs: number;
  /** Share (0..1) of record writes committed and then answered by destroying the connection. */
  dropAfterCommitRate: number;
  outage: Outage | undefined;
  /** The account's concurrency limit: requests in flight beyond it answer 429. */
  concurrency: number;
  /** Requests per second over a sliding second; undefined is no limit. */
  ratePerSecond: number | undefined;
  /**
   * Until when every authenticated request answers 401 INVALID_LOGIN whatever its credentials (a revoked
   * role or integration, or NetSuite's 401 under load); the token endpoint still issues tokens.
   */
  refuseLogins: { untilMs: number } | undefined;
}

export interface NetSuiteEmulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  chart?: Partial<NetSuiteChart>;
  credentials?: Partial<NetSuiteCredentials>;
  faults?: Partial<FaultSettings>;
  /** Seed of the one random source behind errorRate and dropAfterCommitRate, so runs repeat. */
  seed?: number;
  /** The clock (ms since the epoch), for token lifetimes, TBA timestamps and outage windows. */
  now?: () => number;
  /** Why requests were refused (login, token) and unexpected errors; silent by default. */
  log?: (message: string) => void;
  /** Largest accepted request body, bytes (NetSuite documents none for REST; 10 MB here). */
  maxBodyBytes?: number;
}

export const DEFAULT_CHART: Readonly<NetSuiteChart> = {
  subsidiaries: ['1', '2'],
  currencies: ['1', '2', '3'],
  accounts: ['1', '4', '6', '54', '58', '112', '113', '120'],
  departments: ['1', '2'],
  classes: ['1', '2'],
  locations: ['1', '2'],
  customers: ['100', '101', '102'],
  items: ['10', '11', '12'],
  taxItems: ['90'],
};

export const DEFAULT_CREDENTIALS: Readonly<NetSuiteCredentials> = {
  accountId: '1234567_SB1',
  clientId: 'emulator-client-id',
  certificates: {},
  consumerKey: 'emulator-consumer-key',
  consumerSecret: 'emulator-consumer-secret',
  tokenId: 'emulator-token-id',
  tokenSecret: 'emulator-token-secret',
};

export const DEFAULT_FAULTS: Readonly<FaultSettings> = {
  latencyMs: 0,
  errorRate: 0,
  slowMs: 0,
  dropAfterCommitRate: 0,
  outage: undefined,
  // A developer account's limit, as ERP-APIS.md says.
  concurrency: 5,
  ratePerSecond: undefined,
  refuseLogins: undefined,
};

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
