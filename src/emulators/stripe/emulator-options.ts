// What an emulated Stripe account holds and expects. Every default is a development value printed by
// `meterbridge emulate stripe`; none is a key of any real account.

/** The API version whose shapes the emulator answers (the vendored OpenAPI description's). */
export const EMULATED_API_VERSION = '2024-04-10';

export interface StripeCustomerSeed {
  id: string;
  name?: string;
  email?: string;
  /** Lower-case ISO 4217; what an invoice item or invoice without `currency` is in. */
  currency?: string;
}

export interface StripeMeterSeed {
  id: string;
  event_name: string;
  display_name?: string;
  /** `sum` (the default) or `count`; `last` is not emulated. */
  formula?: 'sum' | 'count';
}

export interface Outage {
  /** `503`: every API request answers 503 (an HTML page, as a load balancer's); `refuse`: the listener closes. */
  mode: '503' | 'refuse';
  /** When the outage ends, in ms since the epoch on the emulator's clock. */
  untilMs: number;
}

/** Faults and limits; all can be changed while running (admin endpoint or `setFaults`). */
export interface FaultSettings {
  /** Delay while a request is handled (its idempotency key in flight, nothing committed yet), ms. */
  latencyMs: number;
  /** Share (0..1) of requests answered by a random 500 (api_error JSON), 502 (HTML) or 503 before anything is done; never saved for replay. */
  errorRate: number;
  /** Delay after a request was handled (a write committed and its answer saved) and before it is answered, ms. */
  slowMs: number;
  /** Share (0..1) of writes committed (and saved for replay) and then answered by destroying the connection. */
  dropAfterCommitRate: number;
  /** Share (0..1) of writes that fail inside Stripe with a 500 api_error: nothing committed, but the answer is saved and replayed for the key. */
  storedErrorRate: number;
  /** Share (0..1) of writes answered 429 `lock_timeout` (another request holds the object); nothing committed or saved. */
  lockTimeoutRate: number;
  outage: Outage | undefined;
  /** Requests in flight at once; past it 429 `rate_limit` (Stripe-Rate-Limited-Reason: global-concurrency). */
  concurrency: number;
  /** Requests per second over a sliding second; past it 429 `rate_limit` (global-rate); undefined is no limit. */
  ratePerSecond: number | undefined;
  /** Seconds sent as `Retry-After` with a 429 (Stripe documents none: off by default). */
  retryAfterSeconds: number | undefined;
  /** Until when every key is refused (401), as a rolled or revoked key is. */
  refuseKeys: { untilMs: number } | undefined;
}

export interface StripeEmulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The secret keys the account accepts (Bearer, or Basic with the key as user name). */
  secretKeys?: string[];
  customers?: StripeCustomerSeed[];
  /** Meters for event summaries; with none, meter events of any name are accepted. */
  meters?: StripeMeterSeed[];
  /** API versions accepted in `Stripe-Version`; others are refused, since only these shapes are emulated. */
  apiVersions?: string[];
  faults?: Partial<FaultSettings>;
  /** Seed of the one random source behind the rates and of every generated id, so runs repeat. */
  seed?: number;
  /** The clock (ms since the epoch): idempotency retention, meter event windows, sessions, outages. */
  now?: () => number;
  /** How long an idempotency key's saved answer is kept (Stripe: at least 24 hours). */
  idempotencyRetentionMs?: number;
  /** How long a v2 meter event session's token is valid (Stripe: 15 minutes). */
  meterEventSessionMs?: number;
  /** Unexpected errors and refusals; silent by default. */
  log?: (message: string) => void;
  /** Largest accepted request body, bytes. */
  maxBodyBytes?: number;
}

export const DEFAULT_SECRET_KEY = 'sk_test_emulator_0000000000000000';

export const DEFAULT_CUSTOMERS: readonly StripeCustomerSeed[] = [
  { id: 'cus_EmulatorAcme01', name: 'Acme Corp', email: 'billing@acme.example', currency: 'usd' },
  { id: 'cus_EmulatorGlobex', name: 'Globex GmbH', email: 'ap@globex.example', currency: 'eur' },
];

export const DEFAULT_FAULTS: Readonly<FaultSettings> = {
  latencyMs: 0,
  errorRate: 0,
  slowMs: 0,
  dropAfterCommitRate: 0,
  storedErrorRate: 0,
  lockTimeoutRate: 0,
  outage: undefined,
  concurrency: 100,
  ratePerSecond: undefined,
  retryAfterSeconds: undefined,
  refuseKeys: undefined,
};

export const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_SESSION_MS = 15 * 60 * 1000;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
