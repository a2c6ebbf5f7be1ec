import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Decimal } from 'decimal.js';
import { handleAdmin } from './admin-routes.js';
import {
  DEFAULT_CHART,
  DEFAULT_CREDENTIALS,
  DEFAULT_FAULTS,
  DEFAULT_MAX_BODY_BYTES,
  type FaultSettings,
  type NetSuiteChart,
  type NetSuiteCredentials,
  type NetSuiteEmulatorOptions,
} from './emulator-options.js';
import { StatsCounter, type EmulatorStats } from './emulator-stats.js';
import { toApiRecord } from './api-record.js';
import { copyByHand, moveByHand } from './hand-edits.js';
import { RecordStore } from './record-store.js';
import { RequestLimits } from './request-limits.js';
import { listenerUrl, openEmulatorListener } from '../common/emulator-listener.js';
import { seededRandom } from '../common/seeded-random.js';
import { handleServices, type ServicesRuntime } from './services-handler.js';
import { TbaVerifier } from './tba-verify.js';
import { TokenIssuer } from './token-endpoint.js';

// A NetSuite account on a local port, for tests and for `meterbridge emulate netsuite`. Plain
// node:http rather than Fastify: the faults live below HTTP (a listener that stops accepting, a socket
// destroyed after the commit) and every byte of a hostile body must be answered NetSuite's way, not
// a framework's. State is in memory only: closing (or restarting the CLI) loses every record.

export interface NetSuiteEmulator {
  /** `http://host:port`; NetSuite's paths start at `${url}/services/rest/`. */
  url: string;
  port: number;
  credentials: NetSuiteCredentials;
  chart: NetSuiteChart;
  faults(): FaultSettings;
  /** Changes some fault settings; an outage in `refuse` mode closes the listener until it ends. */
  setFaults(settings: Partial<FaultSettings>): void;
  /** Every record held, as GET answers it with `expandSubResources=true` (its lines in), with its record type. */
  records(): Array<Record<string, unknown>>;
  stats(): EmulatorStats;
  /** Forgets every bearer token issued (revoked tokens): a client holding one gets 401 INVALID_LOGIN. */
  revokeTokens(): number;
  /** Records a payment of `amount` (decimal text) on an invoice, lowering its amountRemaining. */
  pay(invoiceId: string, amount: string): void;
  /** A second record under the external id, as a person makes one off the API; answers its internal id. */
  copyByHand(externalId: string): string;
  /** The record's first line booked by hand to an account or item it does not use, its total kept. */
  moveByHand(externalId: string): void;
  /** Forgets every record and count and restores the start fault settings (issued tokens stay valid). */
  reset(): void;
  close(): Promise<void>;
}

export async function startNetSuiteEmulator(options: NetSuiteEmulatorOptions = {}): Promise<NetSuiteEmulator> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const chart: NetSuiteChart = { ...DEFAULT_CHART, ...options.chart };
  const credentials: NetSuiteCredentials = { ...DEFAULT_CREDENTIALS, ...options.credentials };
  const startFaults: FaultSettings = { ...DEFAULT_FAULTS, ...options.faults };
  let faults = { ...startFaults };
  const store = new RecordStore();
  const stats = new StatsCounter();
  const closing = new AbortController();
  const runtime: ServicesRuntime = {
    store,
    chart,
    now,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    faults: () => faults,
    random: seededRandom(options.seed ?? 1),
    limits: new RequestLimits(() => faults, now),
    tokens: new TokenIssuer(credentials, now),
    tba: new TbaVerifier(credentials, now),
    stats,
    signal: closing.signal,
    log: options.log ?? (() => undefined),
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    // A Host header or path URL cannot parse is answered, never thrown out of the handler.
    const url = URL.canParse(request.url ?? '/', `http://${request.headers.host ?? `${host}:${port}`}`)
      ? new URL(request.url ?? '/', `http://${request.headers.host ?? `${host}:${port}`}`)
      : undefined;
    if (url === undefined) return void response.writeHead(400, { connection: 'close' }).end();
    if (url.pathname.startsWith('/__emulator/')) return void handleAdmin(request, response, url.pathname, admin);
    if (tcp.refusing()) {
      // A keep-alive connection opened before the outage: cut it, as a host that went away would.
      stats.request();
      stats.count('refused');
      return void request.socket.destroy();
    }
    if (url.pathname.startsWith('/services/rest/')) return void handleServices(request, response, url, runtime);
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not a NetSuite REST path\n');
  });
  // As NetSuite's emulator always did: a connection open when an outage starts is cut at its next request.
  const tcp = await openEmulatorListener(server, host, options.port ?? 0, () => faults.outage, {
    now,
    log: runtime.log,
    cutOpenConnections: false,
  });
  const { port, applyOutage } = tcp;

  const admin = {
    faults: () => faults,
    setFaults(settings: Partial<FaultSettings>) {
      faults = { ...faults, ...settings };
      applyOutage();
    },
    records: () => store.all().map((record) => ({ type: record.type, ...toApiRecord(record, url, store, true) })),
    stats: () => stats.snapshot(),
    revokeTokens: () => runtime.tokens.revokeAll(),
    pay: (invoiceId: string, amount: string) => store.pay(invoiceId, new Decimal(amount)),
    copyByHand: (externalId: string) => copyByHand(store, externalId, now()),
    moveByHand: (externalId: string) => moveByHand(store, chart, externalId, now()),
    reset() {
      store.clear();
      stats.reset();
      faults = { ...startFaults };
      applyOutage();
    },
    now,
  };
  const url = listenerUrl(host, port);
  applyOutage();

  return {
    url,
    port,
    credentials,
    chart,
    ...admin,
    async close() {
      closing.abort();
      await tcp.close();
    },
  };
}
