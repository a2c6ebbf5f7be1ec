import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { Decimal } from 'decimal.js';
import { handleAdmin, type AdminApi } from './admin-routes.js';
import {
  DEFAULT_CHART,
  DEFAULT_CREDENTIALS,
  DEFAULT_FAULTS,
  DEFAULT_LOGICAL_SYSTEM,
  DEFAULT_MAX_BODY_BYTES,
  type FaultSettings,
  type SapChart,
  type SapCredentials,
  type SapEmulatorOptions,
} from './emulator-options.js';
import { StatsCounter, type EmulatorStats } from './emulator-stats.js';
import {
  badGatewayPage,
  gatewayTimeoutPage,
  RequestLimits,
  throttledPage,
  unauthorizedPage,
  unavailablePage,
  type Page,
} from './front-door.js';
import { copyByHand, moveByHand, type HandEditTarget, type MoveRequest } from './hand-edits.js';
import { postEntry } from './journal-post.js';
import { JournalStore, type StoredDocument } from './journal-store.js';
import { handleOData, odataError, refusalFormat, SERVICE } from './odata-service.js';
import { listenerUrl, openEmulatorListener } from '../common/emulator-listener.js';
import { readBodyBytes } from '../common/read-body-bytes.js';
import { seededRandom } from '../common/seeded-random.js';
import { cutAfterFailure, injectsError, mayAnswer } from '../common/request-faults.js';
import { confirmationXml, faultXml } from './soap-answer.js';
import { readBulkRequest, SOAP11, SOAP12, SoapFault } from './soap-request.js';

// An SAP S/4HANA Cloud tenant on a local port, for tests and `meterbridge emulate sap-s4hana`: the SOAP
// service Journal Entry - Post (Synchronous) and the OData v2 service API_OPLACCTGDOCITEMCUBE_SRV, behind
// a front door that injects the faults a connector must survive. Plain node:http (node:https when given
// TLS, then client certificates authenticate too), since the faults live below HTTP: a listener that
// stops accepting, a socket destroyed after the commit. State is in memory only.

export const SOAP_PATH = '/sap/bc/srt/scs_ext/sap/journalentrycreaterequestconfi';
export const ODATA_PATH = `/sap/opu/odata/sap/${SERVICE}`;

export interface SapEmulator {
  /** `http://host:port` (https when started with TLS). */
  url: string;
  port: number;
  credentials: SapCredentials;
  chart: SapChart;
  faults(): FaultSettings;
  /** Changes some fault settings; an outage in `refuse` mode closes the listener until it ends. */
  setFaults(settings: Partial<FaultSettings>): void;
  /** Every document posted, oldest first. */
  documents(): readonly StoredDocument[];
  /** Posts a second entry under the reference, as a person or another integration would. */
  copyByHand(request: HandEditTarget): StoredDocument;
  /** Moves an amount of the entry under the reference to another G/L account, keeping its total. */
  moveByHand(request: MoveRequest): StoredDocument;
  stats(): EmulatorStats;
  /** Forgets every document and count and restores the start fault settings. */
  reset(): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** A posting was committed: the answer may be dropped after it. */
  committed?: boolean;
}

const sameText = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

export async function startSapEmulator(options: SapEmulatorOptions = {}): Promise<SapEmulator> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const chart: SapChart = { ...DEFAULT_CHART, ...options.chart };
  const credentials: SapCredentials = { ...DEFAULT_CREDENTIALS, ...options.credentials };
  const startFaults: FaultSettings = { ...DEFAULT_FAULTS, ...options.faults };
  const logicalSystem = options.logicalSystem ?? DEFAULT_LOGICAL_SYSTEM;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.log ?? (() => undefined);
  if (options.maxPageRows !== undefined && !(Number.isInteger(options.maxPageRows) && options.maxPageRows > 0))
    throw new RangeError(`maxPageRows must be a whole number above zero, not ${options.maxPageRows}`);
  let faults = { ...startFaults };
  const store = new JournalStore();
  const stats = new StatsCounter();
  const random = seededRandom(options.seed ?? 1);
  const limits = new RequestLimits(() => faults, now);
  const closing = new AbortController();
  const faultTools = { stats, random, signal: closing.signal };
  /** Who the request authenticates as, or why not (kept for the log, never told to the client). */
  function authenticate(request: IncomingMessage): string | undefined {
    const refuse = faults.refuseLogins;
    if (refuse && refuse.untilMs > now()) return 'logins refused by the refuseLogins fault';
    const socket = request.socket as Partial<TLSSocket>;
    if (options.tls && socket.authorized === true && typeof socket.getPeerCertificate === 'function') {
      const name = socket.getPeerCertificate().subject?.CN;
      const wanted = options.tls.clientCommonName;
      if (wanted === undefined || name === wanted) return undefined;
      return `client certificate of ${String(name)}, not ${wanted}`;
    }
    const header = request.headers.authorization ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!match) return header === '' ? 'no Authorization header and no client certificate' : 'not Basic authentication';
    const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    return sameText(user, credentials.user) && sameText(password, credentials.password)
      ? undefined
      : 'wrong user or password';
  }

  async function soap(request: IncomingMessage): Promise<Reply> {
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const soapNamespace = type === 'application/soap+xml' ? SOAP12 : SOAP11;
    const contentType = `${soapNamespace === SOAP12 ? 'application/soap+xml' : 'text/xml'}; charset=utf-8`;
    const fault = (reason: string, client = true, status = 500): Reply => ({
      status,
      headers: { 'content-type': contentType },
      body: faultXml(soapNamespace, reason, client, new Date(now())),
    });
    if (request.method !== 'POST') return fault(`The SOAP service takes POST, not ${request.method ?? '?'}`, true, 405);
    if (type !== 'text/xml' && type !== 'application/soap+xml')
      return fault(`The content type ${type || '(none)'} is not SOAP: send text/xml`, true, 415);
    const charset = /charset="?([^";]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset))
      return fault(`Only UTF-8 is supported, not ${charset}`, true, 415);
    const bytes = await readBodyBytes(request, maxBodyBytes);
    if (bytes === undefined)
      return {
        ...fault(`The message is larger than ${maxBodyBytes} bytes`, true, 413),
        headers: { 'content-type': contentType, connection: 'close' },
      };
    const xml = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    if (xml.includes('\uFFFD')) return fault('The message is not valid UTF-8');
    try {
      const { request: bulk, soapNamespace: version } = readBulkRequest(xml);
      if (version !== soapNamespace)
        return fault(
          `A SOAP ${version === SOAP12 ? '1.2' : '1.1'} envelope must be sent as ${version === SOAP12 ? 'application/soap+xml' : 'text/xml'}`,
        );
      const results = bulk.entries.map((entry) => {
        const result = postEntry(entry, chart, store, logicalSystem, now());
        stats.posting(result.document !== undefined);
        return { ...result, messageId: entry.messageId };
      });
      return {
        status: 200,
        headers: { 'content-type': contentType },
        body: confirmationXml(soapNamespace, bulk.messageId, results, new Date(now())),
        committed: results.some((result) => result.document !== undefined),
      };
    } catch (error) {
      if (error instanceof SoapFault) return fault(error.reason, error.client);
      throw error;
    }
  }

  async function route(request: IncomingMessage, url: URL): Promise<Reply> {
    if (url.pathname === SOAP_PATH) return soap(request);
    const subpath = url.pathname.slice(ODATA_PATH.length).replace(/^\//, '');
    if (request.method !== 'GET')
      return odataError(
        405,
        '/IWFND/CM_MGW/003',
        `The emulator's OData service is read-only: ${request.method ?? '?'} is not allowed`,
        refusalFormat(url.searchParams, request.headers.accept),
      );
    return handleOData(subpath, url, request.headers.accept, store, chart, now, options.maxPageRows);
  }

  function send(response: ServerResponse, reply: Reply | Page): void {
    if (response.destroyed) return;
    response.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
    response.end(reply.body);
  }

  /** A random 500 in the service's own shape, or a 502, 503 or 504 page of the front door. */
  function injected(isSoap: boolean): Reply | Page {
    const pick = Math.floor(random() * 4);
    if (pick === 0)
      return isSoap
        ? {
            status: 500,
            headers: { 'content-type': 'text/xml; charset=utf-8' },
            body: faultXml(SOAP11, 'injected by the emulator', false, new Date(now())),
          }
        : odataError(
            500,
            '/IWBEP/CM_MGW_RT/000',
            'In the context of Data Services an unknown internal server error occurred (injected by the emulator)',
          );
    return pick === 1 ? badGatewayPage() : pick === 2 ? unavailablePage() : gatewayTimeoutPage();
  }

  async function handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const current = faults;
    stats.request();
    if (current.outage?.mode === '503' && current.outage.untilMs > now()) {
      stats.count('outage');
      return send(response, unavailablePage());
    }
    const admitted = limits.tryAdmit();
    if ('refused' in admitted) {
      stats.count(admitted.refused === 'rate' ? 'rateLimited' : 'concurrencyLimited');
      return send(response, throttledPage(current, admitted.refused));
    }
    response.once('close', admitted.release);
    try {
      if (await injectsError(current, faultTools)) return send(response, injected(url.pathname === SOAP_PATH));
      const refused = authenticate(request);
      if (refused !== undefined) {
        log(`login refused: ${refused}`);
        stats.count('unauthorized');
        request.resume();
        return send(response, unauthorizedPage());
      }
      let reply: Reply;
      try {
        reply = await route(request, url);
      } catch (error) {
        log(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        reply = odataError(500, 'EMULATOR', 'An unexpected error occurred in the emulator (a bug of the emulator)');
      }
      if (!(await mayAnswer(request, response, reply.committed, faults, faultTools))) return;
      stats.countStatus(reply.status);
      send(response, reply);
    } catch (error) {
      cutAfterFailure(request, error, closing.signal, log);
    }
  }

  const listener = (request: IncomingMessage, response: ServerResponse) => {
    const base = `${options.tls ? 'https' : 'http'}://${request.headers.host ?? `${host}:${port}`}`;
    const url = URL.canParse(request.url ?? '/', base) ? new URL(request.url ?? '/', base) : undefined;
    if (url === undefined) return void response.writeHead(400, { connection: 'close' }).end();
    if (url.pathname.startsWith('/__emulator/')) return void handleAdmin(request, response, url.pathname, admin);
    if (tcp.refusing()) {
      // A keep-alive connection opened before the outage: cut it, as a host that went away would.
      stats.request();
      stats.count('refused');
      return void request.socket.destroy();
    }
    if (url.pathname === SOAP_PATH || url.pathname === ODATA_PATH || url.pathname.startsWith(`${ODATA_PATH}/`))
      return void handle(request, response, url);
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not a path of the emulated SAP services\n');
  };
  const server: Server = options.tls
    ? createHttpsServer(
        {
          key: options.tls.key,
          cert: options.tls.cert,
          ca: options.tls.ca,
          requestCert: true,
          rejectUnauthorized: false,
        },
        listener,
      )
    : createHttpServer(listener);
  const tcp = await openEmulatorListener(server, host, options.port ?? 0, () => faults.outage, { now, log });
  const { port, applyOutage } = tcp;

  const admin: AdminApi = {
    faults: () => faults,
    setFaults(settings: Partial<FaultSettings>) {
      faults = { ...faults, ...settings };
      applyOutage();
    },
    documents: () => store.all(),
    copyByHand: (request) => copyByHand(store, request, now()),
    moveByHand: (request) => moveByHand(store, chart, request),
    stats: () => stats.snapshot(),
    reset() {
      store.clear();
      stats.reset();
      limits.forgetArrivals();
      faults = { ...startFaults };
      applyOutage();
    },
    now,
  };
  applyOutage();

  return {
    url: listenerUrl(host, port, options.tls ? 'https' : 'http'),
    port,
    credentials,
    chart,
    faults: admin.faults,
    setFaults: admin.setFaults,
    documents: admin.documents,
    copyByHand: admin.copyByHand,
    moveByHand: admin.moveByHand,
    stats: admin.stats,
    reset: admin.reset,
    async close() {
      closing.abort();
      await tcp.close();
    },
  };
}

/** The net debit per G/L account of what the tenant holds, as decimal text (for tests and the admin door). */
export function netByAccount(documents: readonly StoredDocument[]): Record<string, string> {
  const net = new Map<string, Decimal>();
  for (const document of documents)
    for (const item of document.items)
      net.set(item.glAccount, (net.get(item.glAccount) ?? new Decimal(0)).plus(item.amount));
  return Object.fromEntries(
    [...net].sort(([a], [b]) => a.localeCompare(b)).map(([account, sum]) => [account, sum.toFixed(2)]),
  );
}
