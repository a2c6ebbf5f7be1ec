import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { StatsCounter, type EmulatorStats } from '../netsuite/emulator-stats.js';
import { AdmissionLimits, perSecond } from '../common/admission-limits.js';
import { listenerUrl, openEmulatorListener } from '../common/emulator-listener.js';
import { seededRandom } from '../common/seeded-random.js';
import { cutAfterFailure, injectsError, mayAnswer } from '../common/request-faults.js';
import { handleAdmin, type AdminApi, type LineMove } from './admin-routes.js';
import {
  DEFAULT_CATEGORIES,
  DEFAULT_CREDENTIALS,
  DEFAULT_FAULTS,
  DEFAULT_JOB_MS,
  DEFAULT_LEDGERS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_SOURCES,
  type OracleCredentials,
  type OracleFusionEmulatorOptions,
  type OracleLedger,
} from './emulator-options.js';
import type { OracleRuntimeSettings } from './fault-settings.js';
import {
  ERROR_CONTENT_TYPE,
  OracleError,
  sendInjectedError,
  sendJson,
  sendMaintenance,
  sendOracleError,
  sendUnauthorized,
} from './oracle-error.js';
import { frameworkVersionOf } from './batch-query.js';
import { PodStore, type Job, type StoredBatch, type StoredInterfaceRow } from './pod-store.js';
import { readJsonBody } from './read-body.js';
import { REST_ROOT, restRoute, type Reply } from './rest-routes.js';

// An Oracle Fusion Cloud pod on a local port, for tests and `meterbridge emulate oracle-fusion`: the FBDI
// journal import (erpintegrations), its ESS jobs and the journal batches they create. Plain node:http, as
// the NetSuite emulator, because its faults live below HTTP (a listener that stops accepting, a socket
// destroyed after the commit). State is in memory only.

export interface OracleFusionEmulator {
  /** `http://host:port`; the REST resources are under `${url}/fscmRestApi/resources/11.13.18.05/`. */
  url: string;
  port: number;
  credentials: OracleCredentials;
  ledgers: readonly OracleLedger[];
  sources: readonly string[];
  categories: readonly string[];
  settings(): OracleRuntimeSettings;
  /** Changes some fault settings or the job time; an outage in `refuse` mode closes the listener until it ends. */
  setFaults(settings: Partial<OracleRuntimeSettings>): void;
  /** Every journal batch imported, in order, jobs due by now run first. */
  batches(): readonly StoredBatch[];
  /** A second batch like the one of `batchId`, same name, as a person or another integration makes it. */
  copyBatch(batchId: number): StoredBatch | undefined;
  /** Books a journal line (journal 1 unless said) to another combination by hand, its amount kept; false if none. */
  moveLine(batchId: number, line: LineMove): boolean;
  jobs(): readonly Job[];
  /** Rows loaded and not imported: rejected ones with their error code, others' rows as NEW. */
  interfaceRows(): readonly StoredInterfaceRow[];
  /** Makes the status finder report `status` for a job (undefined: its own again); the job runs as it would. */
  forceJobStatus(requestId: string, status: string | undefined): boolean;
  stats(): EmulatorStats;
  /** Forgets every job, batch, row and count and restores the start settings. */
  reset(): void;
  close(): Promise<void>;
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Basic authentication against the one integration user. */
function authenticated(request: IncomingMessage, credentials: OracleCredentials): boolean {
  const header = request.headers.authorization ?? '';
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!match) return false;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Both compared whatever the first says, so the time taken does not tell which one was wrong.
  const user = sameText(decoded.slice(0, colon), credentials.username);
  const password = sameText(decoded.slice(colon + 1), credentials.password);
  return user && password;
}

export async function startOracleFusionEmulator(
  options: OracleFusionEmulatorOptions = {},
): Promise<OracleFusionEmulator> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const credentials: OracleCredentials = { ...DEFAULT_CREDENTIALS, ...options.credentials };
  const ledgers = options.ledgers ?? DEFAULT_LEDGERS.map((ledger) => ({ ...ledger }));
  const sources = options.sources ?? [...DEFAULT_SOURCES];
  const categories = options.categories ?? [...DEFAULT_CATEGORIES];
  const start: OracleRuntimeSettings = { ...DEFAULT_FAULTS, ...options.faults, jobMs: options.jobMs ?? DEFAULT_JOB_MS };
  let settings = { ...start };
  const store = new PodStore(() => ({ ledgers, sources, categories }));
  const stats = new StatsCounter();
  const random = seededRandom(options.seed ?? 1);
  const limits = new AdmissionLimits(() => perSecond(settings), now, {
    concurrency: () => new OracleError(429, '27028', 'Too many concurrent requests. Request blocked.'),
    rate: () => new OracleError(429, '27028', 'Request rate limit exceeded. Request blocked.'),
  });
  const closing = new AbortController();
  const faultTools = { stats, random, signal: closing.signal };
  async function handleRest(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    stats.request();
    if (settings.outage?.mode === '503' && settings.outage.untilMs > now()) {
      stats.count('outage');
      return sendMaintenance(response);
    }
    let release: () => void;
    try {
      release = limits.admit();
    } catch (error) {
      const refusal = error as OracleError;
      const rateLimited = refusal.detail.startsWith('Request rate');
      stats.count(rateLimited ? 'rateLimited' : 'concurrencyLimited');
      // The window is one sliding second: a place is free again within it. Requests at once say no time.
      return sendOracleError(response, refusal, rateLimited ? { 'retry-after': '1' } : {});
    }
    response.once('close', release);
    const faults = settings;
    try {
      if (await injectsError(faults, faultTools)) return sendInjectedError(response, random);
      const loginsRefused = faults.refuseLogins !== undefined && faults.refuseLogins.untilMs > now();
      if (loginsRefused || !authenticated(request, credentials)) {
        log(`login refused${loginsRefused ? ' (refuseLogins)' : ''} for ${request.method ?? 'GET'} ${url.pathname}`);
        stats.count('unauthorized');
        return sendUnauthorized(response);
      }
      let reply: Reply;
      try {
        reply = await restRoute(request.method ?? 'GET', url, () => readJsonBody(request, maxBodyBytes), {
          store,
          now,
          jobMs: () => settings.jobMs,
          origin: url.origin,
          frameworkVersion: frameworkVersionOf(request.headers['rest-framework-version']),
        });
      } catch (error) {
        if (!(error instanceof OracleError))
          log(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        const refusal =
          error instanceof OracleError
            ? error
            : new OracleError(
                500,
                'UNEXPECTED',
                'An unexpected error occurred in the emulator (a bug of the emulator).',
              );
        reply = { status: refusal.status, body: refusal.body(), contentType: ERROR_CONTENT_TYPE };
      }
      if (!(await mayAnswer(request, response, reply.committed, faults, faultTools))) return;
      stats.countStatus(reply.status);
      sendJson(
        response,
        reply.status,
        reply.body,
        reply.contentType,
        reply.status === 413 ? { connection: 'close' } : {},
      );
    } catch (error) {
      cutAfterFailure(request, error, closing.signal, log);
    }
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const base = `http://${request.headers.host ?? `${host}:${port}`}`;
    const url = URL.canParse(request.url ?? '/', base) ? new URL(request.url ?? '/', base) : undefined;
    if (url === undefined) return void response.writeHead(400, { connection: 'close' }).end();
    if (url.pathname.startsWith('/__emulator/')) return void handleAdmin(request, response, url.pathname, admin);
    if (tcp.refusing()) {
      stats.request();
      stats.count('refused');
      return void request.socket.destroy();
    }
    if (url.pathname.startsWith(REST_ROOT)) return void handleRest(request, response, url);
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not an Oracle Fusion REST path\n');
  });
  const tcp = await openEmulatorListener(server, host, options.port ?? 0, () => settings.outage, { now, log });
  const { port, applyOutage } = tcp;

  const admin: AdminApi = {
    settings: () => settings,
    setFaults(changes) {
      settings = { ...settings, ...changes };
      applyOutage();
    },
    batches: () => (store.settleDue(now()), store.batches()),
    copyBatch: (batchId) => (store.settleDue(now()), store.copyBatch(batchId, now())),
    moveLine: (batchId, line) => (
      store.settleDue(now()),
      store.moveLine(batchId, line.journal ?? 1, line.line, line.combination)
    ),
    jobs: () => (store.settleDue(now()), store.jobList()),
    interfaceRows: () => (store.settleDue(now()), store.interface()),
    forceJobStatus: (requestId, status) => store.forceStatus(requestId, status),
    stats: () => stats.snapshot(),
    reset() {
      store.clear();
      stats.reset();
      limits.forgetArrivals();
      settings = { ...start };
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
    ledgers,
    sources,
    categories,
    ...admin,
    async close() {
      closing.abort();
      await tcp.close();
    },
  };
}
