import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { openEmulatorListener } from '../common/emulator-listener.js';
import { seededRandom } from '../common/seeded-random.js';
import { handleAdmin, type AdminApi } from './admin-routes.js';
import { handleApi, type ApiRuntime } from './api-handler.js';
import { toApiCustomer, toApiInvoice, toApiInvoiceItem, toApiMeter } from './api-objects.js';
import {
  DAY_MS,
  DEFAULT_CUSTOMERS,
  DEFAULT_FAULTS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_SECRET_KEY,
  DEFAULT_SESSION_MS,
  EMULATED_API_VERSION,
  type FaultSettings,
  type StripeCustomerSeed,
  type StripeEmulatorOptions,
} from './emulator-options.js';
import { StatsCounter, type EmulatorStats, type LoggedRequest } from './emulator-stats.js';
import { IdempotencyStore } from './idempotency.js';
import { RequestLimits } from './request-limits.js';
import { sendJson } from './stripe-error.js';
import { StripeStore } from './stripe-store.js';

// A Stripe account on a local port, for tests and for `meterbridge emulate stripe`. Plain node:http, as
// the NetSuite emulator: the faults live below HTTP (a listener that stops accepting, a socket destroyed
// after the commit). State is in memory only: closing (or restarting the CLI) loses every object and
// every idempotency key. The clock can be moved forward (`advanceClock`) to age keys past retention.

export interface StripeEmulator {
  /** `http://host:port`; Stripe's paths start at `${url}/v1/`. */
  url: string;
  host: string;
  port: number;
  secretKeys: readonly string[];
  apiVersion: string;
  faults(): FaultSettings;
  /** Changes some fault settings; an outage in `refuse` mode closes the listener until it ends. */
  setFaults(settings: Partial<FaultSettings>): void;
  /** Every object held, as the API answers them, and every meter event (with its error, if any). */
  objects(): Record<string, unknown>;
  /** The last requests, with their parameters, idempotency keys and Stripe-Version. */
  requests(): LoggedRequest[];
  stats(): EmulatorStats;
  addCustomer(seed: Partial<StripeCustomerSeed>): Record<string, unknown>;
  /** Moves the emulator's clock forward (idempotency retention, sessions, meter windows). */
  advanceClock(ms: number): void;
  /** The emulator's clock, ms since the epoch. */
  now(): number;
  /**
   * A copy of an invoice item made by hand (the Dashboard, another integration): a new pending item with
   * the same amounts and metadata, created now. Undefined when there is no such item.
   */
  copyInvoiceItem(id: string): Record<string, unknown> | undefined;
  /** An invoice item's amount edited by hand (minor units). Undefined when there is no such item. */
  setInvoiceItemAmount(id: string, amount: number): Record<string, unknown> | undefined;
  /** Expires every v2 meter event session token now. */
  expireSessions(): number;
  /** Forgets every object, key and count, seeds the start customers and meters, restores the start faults. */
  reset(): void;
  close(): Promise<void>;
}

export async function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  const host = options.host ?? '127.0.0.1';
  const baseNow = options.now ?? Date.now;
  let offsetMs = 0;
  const now = () => baseNow() + offsetMs;
  const startFaults: FaultSettings = { ...DEFAULT_FAULTS, ...options.faults };
  let faults = { ...startFaults };
  const random = seededRandom(options.seed ?? 1);
  const store = new StripeStore(random);
  const customers = options.customers ?? DEFAULT_CUSTOMERS;
  const meters = options.meters ?? [];
  const seedStore = () => store.seed(customers, meters, Math.floor(now() / 1000));
  seedStore();
  const stats = new StatsCounter();
  const closing = new AbortController();
  const apiVersions = options.apiVersions ?? [EMULATED_API_VERSION];
  const runtime: ApiRuntime = {
    store,
    now,
    meterEventSessionMs: options.meterEventSessionMs ?? DEFAULT_SESSION_MS,
    faults: () => faults,
    random,
    limits: new RequestLimits(() => faults, now),
    idempotency: new IdempotencyStore(options.idempotencyRetentionMs ?? DAY_MS, now),
    stats,
    secretKeys: options.secretKeys ?? [DEFAULT_SECRET_KEY],
    apiVersions,
    defaultVersion: apiVersions[0] ?? EMULATED_API_VERSION,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    signal: closing.signal,
    log: options.log ?? (() => undefined),
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const base = `http://${request.headers.host ?? `${host}:${port}`}`;
    const url = URL.canParse(request.url ?? '/', base) ? new URL(request.url ?? '/', base) : undefined;
    if (url === undefined) return void response.writeHead(400, { connection: 'close' }).end();
    if (url.pathname.startsWith('/__emulator/')) return void handleAdmin(request, response, url.pathname, admin);
    if (tcp.refusing()) {
      // A keep-alive connection opened before the outage: cut it, as a host that went away would.
      stats.request();
      stats.count('refused');
      return void request.socket.destroy();
    }
    if (url.pathname.startsWith('/v1/') || url.pathname.startsWith('/v2/'))
      return void handleApi(request, response, url, runtime);
    sendJson(response, 404, {
      error: {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${request.method}: ${url.pathname}).`,
      },
    });
  });
  const tcp = await openEmulatorListener(server, host, options.port ?? 0, () => faults.outage, {
    now,
    log: runtime.log,
  });
  const { port, applyOutage } = tcp;

  const admin: AdminApi = {
    faults: () => faults,
    setFaults(settings: Partial<FaultSettings>) {
      faults = { ...faults, ...settings };
      applyOutage();
    },
    objects: () => ({
      customers: [...store.customers.values()].map(toApiCustomer),
      invoiceitems: [...store.invoiceItems.values()].map(toApiInvoiceItem),
      invoices: [...store.invoices.values()].map((invoice) => toApiInvoice(invoice, store)),
      meters: [...store.meters.values()].map(toApiMeter),
      meter_events: store.meterEvents.map(({ receivedMs: _receivedMs, ...event }) => ({ ...event })),
      idempotency_keys: runtime.idempotency.size(),
    }),
    requests: () => stats.requests(),
    stats: () => stats.snapshot(),
    addCustomer: (seed) => toApiCustomer(store.addCustomer(seed, Math.floor(now() / 1000))),
    advanceClock(ms: number) {
      offsetMs += ms;
      applyOutage();
    },
    expireSessions() {
      const at = now();
      for (const session of store.sessions.values()) session.expiresAtMs = Math.min(session.expiresAtMs, at);
      return store.sessions.size;
    },
    reset() {
      store.clear();
      runtime.idempotency.clear();
      runtime.limits.forgetArrivals();
      stats.reset();
      seedStore();
      faults = { ...startFaults };
      applyOutage();
    },
    now,
    copyInvoiceItem(id) {
      const copy = store.copyInvoiceItem(id, Math.floor(now() / 1000));
      return copy && toApiInvoiceItem(copy);
    },
    setInvoiceItemAmount(id, amount) {
      const item = store.setInvoiceItemAmount(id, amount);
      return item && toApiInvoiceItem(item);
    },
  };
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  applyOutage();

  return {
    url,
    host,
    port,
    secretKeys: runtime.secretKeys,
    apiVersion: runtime.defaultVersion,
    ...admin,
    async close() {
      closing.abort();
      await tcp.close();
    },
  };
}
