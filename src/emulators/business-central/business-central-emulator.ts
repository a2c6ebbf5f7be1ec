import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Decimal } from 'decimal.js';
import { handleAdmin } from './admin-routes.js';
import { handleApi, type ApiRuntime } from './api-handler.js';
import { BcError, sendBcError, sendJson } from './bc-error.js';
import { copyByHand, moveByHand } from './by-hand.js';
import { CompanyStore, type EntitySetName } from './company-store.js';
import { dimensionSetOf } from './dimension-set-lines.js';
import {
  DEFAULT_CHART,
  DEFAULT_COMPANY,
  DEFAULT_CREDENTIALS,
  DEFAULT_FAULTS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PAGE_SIZE,
  type BusinessCentralChart,
  type BusinessCentralCompany,
  type BusinessCentralCredentials,
  type BusinessCentralEmulatorOptions,
  type FaultSettings,
} from './emulator-options.js';
import { StatsCounter, type EmulatorStats } from './emulator-stats.js';
import { ENTITY_SPECS } from './entity-specs.js';
import { renderEntity } from './entity-values.js';
import { readBytes } from './read-json-body.js';
import { RequestLimits } from './request-limits.js';
import { payInvoice } from './sales-documents.js';
import { listenerUrl, openEmulatorListener } from '../common/emulator-listener.js';
import { seededRandom } from '../common/seeded-random.js';
import { TokenError, TokenIssuer } from './token-endpoint.js';

// A Business Central environment with one company on a local port, and the Entra ID token endpoint
// that admits its clients, for tests and for `meterbridge emulate business-central`. Plain node:http
// rather than Fastify: the faults live below HTTP (a listener that stops accepting, a socket destroyed
// after the commit) and every byte of a hostile body must be answered BC's way. State is in memory only.

export interface LedgerEntry {
  entryNumber: number;
  transactionNumber: number;
  postingDate: string;
  documentNumber: string;
  documentType: string;
  accountNumber: string;
  debit: string;
  credit: string;
  /** The entry's dimension set (its `dimensionSetLines`): dimension code -> value code. */
  dimensions: Record<string, string>;
}

export interface BusinessCentralEmulator {
  /** `http://host:port`: the API's base URL; the API lives under `${url}/v2.0/<tenant>/<environment>/api/v2.0/`. */
  url: string;
  port: number;
  /** `${url}/<tenant>/oauth2/v2.0/token`, Entra ID's token endpoint for the tenant. */
  tokenEndpoint: string;
  company: BusinessCentralCompany;
  credentials: BusinessCentralCredentials;
  chart: BusinessCentralChart;
  faults(): FaultSettings;
  /** Changes some fault settings; an outage in `refuse` mode closes the listener until it ends. */
  setFaults(settings: Partial<FaultSettings>): void;
  /** Every entity held, by entity set, as GET answers it. */
  entities(): Record<EntitySetName, Array<Record<string, unknown>>>;
  /**
   * The general ledger with what the API does not show: each entry's transaction, amounts as exact text,
   * and its dimension set (which the API shows as the entry's `dimensionSetLines`).
   */
  ledger(): LedgerEntry[];
  stats(): EmulatorStats;
  /** Forgets every token issued: a client holding one gets 401 Authentication_InvalidCredentials. */
  revokeTokens(): number;
  /** A customer payment of `amount` (decimal text) on a posted invoice, by its id. */
  pay(invoiceId: string, amount: string): void;
  /**
   * A person posts the posting under the document number once more, at the work date: a journal's G/L
   * entries, or a posted sales document (by its external document number) with its lines.
   */
  copyByHand(documentNumber: string): void;
  /** A person moves the posting's amount on one G/L entry to another account, or on one posted line to another item. */
  moveByHand(documentNumber: string): void;
  /** Forgets every entity and count and restores the start fault settings (issued tokens stay valid). */
  reset(): void;
  close(): Promise<void>;
}

const TOKEN_BODY_BYTES = 64 * 1024;
/**
 * The longest request line taken (its URL): past it 414, in BC's error shape. Node's own limit (16 KB of
 * headers, answered by a bare 431) is raised so that a long `$filter` is answered the vendor's way.
 */
const MAX_URL_CHARS = 16 * 1024;
const MAX_HEADER_BYTES = 256 * 1024;

export async function startBusinessCentralEmulator(
  options: BusinessCentralEmulatorOptions = {},
): Promise<BusinessCentralEmulator> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const company: BusinessCentralCompany = { ...DEFAULT_COMPANY, ...options.company };
  company.id = company.id.toLowerCase();
  const chart: BusinessCentralChart = { ...DEFAULT_CHART, ...options.chart };
  const credentials: BusinessCentralCredentials = { ...DEFAULT_CREDENTIALS, ...options.credentials };
  const startFaults: FaultSettings = { ...DEFAULT_FAULTS, ...options.faults };
  let faults = { ...startFaults };
  const store = new CompanyStore(company, chart, now);
  const stats = new StatsCounter();
  const closing = new AbortController();
  const tokens = new TokenIssuer(credentials, now);
  const limits = new RequestLimits(() => faults, now);
  const runtime: ApiRuntime = {
    store,
    credentials,
    faults: () => faults,
    random: seededRandom(options.seed ?? 1),
    limits,
    tokens,
    stats,
    pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    now,
    signal: closing.signal,
    log,
  };
  async function handleToken(request: IncomingMessage, response: ServerResponse, tenant: string): Promise<void> {
    stats.tokenRequest();
    try {
      if (request.method !== 'POST')
        throw new BcError(405, 'BadRequest_MethodNotAllowed', 'Use POST for the token endpoint.');
      const form = new URLSearchParams((await readBytes(request, TOKEN_BODY_BYTES)).toString('utf8'));
      sendJson(response, 200, tokens.issue(tenant, form), { 'content-type': 'application/json; charset=utf-8' });
    } catch (error) {
      if (error instanceof TokenError) {
        log(`token request refused: ${error.message}`);
        return sendJson(response, error.status, error.body(new Date(now())), {
          'content-type': 'application/json; charset=utf-8',
        });
      }
      if (error instanceof BcError) return sendBcError(response, error);
      log(`token request failed: ${String(error)}`);
      response.destroy();
    }
  }

  const server = createServer(
    { maxHeaderSize: MAX_HEADER_BYTES },
    (request: IncomingMessage, response: ServerResponse) => {
      if ((request.url ?? '').length > MAX_URL_CHARS)
        return sendBcError(response, new BcError(414, 'BadRequest', 'The request URL is too long.'));
      const base = `http://${request.headers.host ?? `${host}:${port}`}`;
      const url = URL.canParse(request.url ?? '/', base) ? new URL(request.url ?? '/', base) : undefined;
      if (url === undefined) return void response.writeHead(400, { connection: 'close' }).end();
      if (url.pathname.startsWith('/__emulator/')) return void handleAdmin(request, response, url.pathname, admin);
      if (tcp.refusing()) {
        // A keep-alive connection opened before the outage: cut it, as a host that went away would.
        stats.count('refused');
        return void request.socket.destroy();
      }
      const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
      if (token !== null) return void handleToken(request, response, decodeURIComponent(token[1]!));
      if (url.pathname.startsWith('/v2.0/')) return void handleApi(request, response, url, runtime);
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not a Business Central API path\n');
    },
  );
  const tcp = await openEmulatorListener(server, host, options.port ?? 0, () => faults.outage, { now, log });
  const { port, applyOutage } = tcp;

  const entities = () =>
    Object.fromEntries(
      ENTITY_SPECS.map((spec) => [
        spec.entitySet,
        store.list(spec.entitySet as EntitySetName).map((entity) => renderEntity(spec, entity)),
      ]),
    ) as Record<EntitySetName, Array<Record<string, unknown>>>;

  const ledger = (): LedgerEntry[] =>
    store.list('generalLedgerEntries').map(({ id, values }) => ({
      entryNumber: Number(values.entryNumber),
      transactionNumber: Number(values.transactionNumber),
      postingDate: String(values.postingDate),
      documentNumber: String(values.documentNumber),
      documentType: String(values.documentType),
      accountNumber: String(values.accountNumber),
      debit: String(values.debitAmount),
      credit: String(values.creditAmount),
      dimensions: dimensionSetOf(store, id),
    }));

  const admin = {
    faults: () => faults,
    setFaults(settings: Partial<FaultSettings>) {
      faults = { ...faults, ...settings };
      applyOutage();
    },
    entities,
    ledger,
    describeChart: () => ({ company, ...chart }),
    stats: () => stats.snapshot(),
    revokeTokens: () => tokens.revokeAll(),
    pay: (invoiceId: string, amount: string) => payInvoice(store, invoiceId, new Decimal(amount)),
    copyByHand: (documentNumber: string) => copyByHand(store, documentNumber),
    moveByHand: (documentNumber: string) => moveByHand(store, documentNumber),
    reset() {
      store.clear();
      stats.reset();
      limits.forgetArrivals();
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
    tokenEndpoint: `${url}/${credentials.tenant}/oauth2/v2.0/token`,
    company,
    credentials,
    chart,
    ...admin,
    async close() {
      closing.abort();
      await tcp.close();
    },
  };
}
