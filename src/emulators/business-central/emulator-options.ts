// What an emulated Business Central company holds and expects. Every default is a development value that
// `meterbridge emulate business-central` prints; none is a secret of any real tenant.

export interface GlAccount {
  /** The account's number (`accountNumber`, Code[20]). */
  number: string;
  name: string;
  /** Blocked accounts take journal lines but refuse posting, as BC's "Blocked must be equal to 'No'". */
  blocked?: boolean;
}

export interface Customer {
  number: string;
  name: string;
}

export interface Item {
  number: string;
  name: string;
  /** The G/L account a posted sale of the item credits. */
  salesAccount: string;
  /**
   * The tax BC computes on the item's lines (its tax group's rate), percent; 0 by default. Meterbridge
   * posts its own tax, so a taxable item makes BC's total differ from Meterbridge's.
   */
  taxPercent?: number;
  unitOfMeasureCode?: string;
}

/** A dimension (Dimensions page) and the values a dimension set line may give it. */
export interface Dimension {
  /** The dimension's code (Code[20]), a dimension set line's `code`. */
  code: string;
  name?: string;
  values: Array<{ code: string; name?: string }>;
}

export interface BusinessCentralChart {
  /** The chart of G/L accounts: a journal line's `accountNumber` must name one. */
  accounts: GlAccount[];
  /** Bank accounts a journal line may name (`accountType` "Bank Account"), each posting to a G/L account. */
  bankAccounts: Array<{ number: string; glAccount: string }>;
  customers: Customer[];
  items: Item[];
  /** Currency codes other than the local one (LCY); the LCY code itself means "no currency" (blank). */
  currencies: string[];
  localCurrency: string;
  /** Journal templates; the first is the default one (`GENERAL`), used when a request names none. */
  journalTemplates: string[];
  /** Where posted sales documents put the receivable and the tax BC computed. */
  receivablesAccount: string;
  salesTaxAccount: string;
  /** The company's dimensions and their values: what a dimension set line's `code` and `valueCode` may name. */
  dimensions: Dimension[];
}

export interface BusinessCentralCompany {
  id: string;
  name: string;
}

export interface BusinessCentralCredentials {
  /** The Entra tenant (directory) id in the URLs and the token endpoint's path. */
  tenant: string;
  environment: string;
  /** The app registration's client id and secret, for the client credentials grant. */
  clientId: string;
  clientSecret: string;
}

export interface Outage {
  /** `503`: every API request answers 503 (the tenant is not accessible); `refuse`: connections are refused. */
  mode: '503' | 'refuse';
  /** When the outage ends, ms since the epoch on the emulator's clock. */
  untilMs: number;
}

/** Faults and limits; all can be changed while the emulator runs (admin endpoint or `setFaults`). */
export interface FaultSettings {
  /** Delay before a request is handled, ms. */
  latencyMs: number;
  /** Share (0..1) of API requests answered by a random 500, 502, 503 or 504 before anything is done. */
  errorRate: number;
  /** Delay after a request was handled (its change committed) and before it is answered, ms. */
  slowMs: number;
  /** Share (0..1) of writes committed and then answered by destroying the connection. */
  dropAfterCommitRate: number;
  outage: Outage | undefined;
  /** Requests in flight at once before 429 (BC: 100 simultaneous requests). */
  concurrency: number;
  /** Requests per sliding window before 429 (BC: 6,000 per 5 minutes, per user). */
  windowRequests: number;
  windowMs: number;
  /** Seconds sent as `Retry-After` with a 429; undefined sends none (BC's header is unconfirmed). */
  retryAfterSeconds: number | undefined;
}

export interface BusinessCentralEmulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  company?: Partial<BusinessCentralCompany>;
  chart?: Partial<BusinessCentralChart>;
  credentials?: Partial<BusinessCentralCredentials>;
  faults?: Partial<FaultSettings>;
  /** Entities per page before `@odata.nextLink` (BC: 20,000). */
  pageSize?: number;
  /** Seed of the one random source behind errorRate and dropAfterCommitRate, so runs repeat. */
  seed?: number;
  /** The clock (ms since the epoch): token lifetimes, outage windows, the rate window, default dates. */
  now?: () => number;
  /** Why requests were refused (tokens, logins) and unexpected errors; silent by default. */
  log?: (message: string) => void;
  /** Largest accepted request body, bytes (BC documents 350 MB for OData; 10 MB here). */
  maxBodyBytes?: number;
}

export const DEFAULT_COMPANY: Readonly<BusinessCentralCompany> = {
  id: 'c0a1b2c3-0000-4000-8000-00000000c0de',
  name: 'CRONUS USA, Inc.',
};

export const DEFAULT_CHART: Readonly<BusinessCentralChart> = {
  accounts: [
    { number: '10100', name: 'Checking account' },
    { number: '13100', name: 'Accounts Receivable' },
    { number: '22000', name: 'Deferred Revenue' },
    { number: '23100', name: 'Sales Tax Payable' },
    { number: '40100', name: 'Usage Revenue' },
    { number: '40200', name: 'Subscription Revenue' },
    { number: '40300', name: 'Services Revenue' },
    { number: '49900', name: 'Blocked Revenue', blocked: true },
  ],
  bankAccounts: [{ number: 'CHECKING', glAccount: '10100' }],
  customers: [
    { number: '10000', name: 'Adatum Corporation' },
    { number: '20000', name: 'Trey Research' },
    { number: '30000', name: 'School of Fine Art' },
  ],
  items: [
    { number: 'USAGE', name: 'Metered usage', salesAccount: '40100', unitOfMeasureCode: 'UNIT' },
    { number: 'SUBSCRIPTION', name: 'Subscription', salesAccount: '40200', unitOfMeasureCode: 'MONTH' },
    { number: 'TAXED', name: 'An item BC taxes itself', salesAccount: '40300', taxPercent: 10 },
  ],
  currencies: ['EUR', 'GBP', 'CAD'],
  localCurrency: 'USD',
  journalTemplates: ['GENERAL', 'MB'],
  receivablesAccount: '13100',
  salesTaxAccount: '23100',
  // As CRONUS names its dimensions (department, area, customer and business groups).
  dimensions: [
    {
      code: 'DEPARTMENT',
      name: 'Department',
      values: [
        { code: 'ADM', name: 'Administration' },
        { code: 'PROD', name: 'Production' },
        { code: 'SALES', name: 'Sales' },
      ],
    },
    {
      code: 'AREA',
      name: 'Area',
      values: [
        { code: '10', name: 'Europe North' },
        { code: '20', name: 'Europe South' },
        { code: '30', name: 'America' },
      ],
    },
    {
      code: 'CUSTOMERGROUP',
      name: 'Customer Group',
      values: [
        { code: 'LARGE', name: 'Large Business' },
        { code: 'MEDIUM', name: 'Medium Business' },
        { code: 'SMALL', name: 'Small Business' },
      ],
    },
    {
      code: 'BUSINESSGROUP',
      name: 'Business Group',
      values: [
        { code: 'HOME', name: 'Home' },
        { code: 'INDUSTRIAL', name: 'Industrial' },
        { code: 'OFFICE', name: 'Office' },
      ],
    },
  ],
};

export const DEFAULT_CREDENTIALS: Readonly<BusinessCentralCredentials> = {
  tenant: '7e5d1b2a-0000-4000-8000-00000000beef',
  environment: 'Sandbox',
  clientId: '3f2b8c1d-0000-4000-8000-0000000c11e7',
  clientSecret: 'emulator-client-secret',
};

export const DEFAULT_FAULTS: Readonly<FaultSettings> = {
  latencyMs: 0,
  errorRate: 0,
  slowMs: 0,
  dropAfterCommitRate: 0,
  outage: undefined,
  // Business Central online's operational limits for OData and APIs.
  concurrency: 100,
  windowRequests: 6000,
  windowMs: 300_000,
  retryAfterSeconds: undefined,
};

export const DEFAULT_PAGE_SIZE = 20_000;
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
