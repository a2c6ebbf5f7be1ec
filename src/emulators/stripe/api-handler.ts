import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { findRoute, type Route } from './api-routes.js';
import type { FaultSettings } from './emulator-options.js';
import type { LoggedRequest, StatsCounter } from './emulator-stats.js';
import { canonicalParams, toPlain } from './form-params.js';
import type { IdempotencyStore, SavedAnswer } from './idempotency.js';
import { checkSession } from './meter-event-stream.js';
import { canonicalJson, invalidKey, missingKey, readBearer, readV1Params, readV2Json } from './request-reading.js';
import { lockTimeout, type RequestLimits } from './request-limits.js';
import type { ApiCall, Reply, RouteContext } from './route-context.js';
import { apiError, invalidRequest, sendHtml, sendJson, StripeApiError } from './stripe-error.js';
import { cutAfterFailure, mayAnswer } from '../common/request-faults.js';

// One request to /v1 or /v2, in the order Stripe meets it: an outage answers first; then the account's
// limiters (429); random 5xx (nothing done, nothing saved); the key (401); the version; the route (404)
// and its parameters; the idempotency key (replay, 400 mismatch, 409 in use); the injected latency
// (while the key is in flight); then the write faults (429 lock_timeout saves nothing; a stored 500 is saved and replayed), the
// operation itself and, after a write is committed and its answer saved, commit-then-drop and the slow
// answer. Every refusal is in Stripe's shape; an exception nobody expected is a 500 api_error that
// names itself as the emulator's bug.

export interface ApiRuntime extends RouteContext {
  faults(): FaultSettings;
  random: () => number;
  limits: RequestLimits;
  idempotency: IdempotencyStore;
  stats: StatsCounter;
  secretKeys: readonly string[];
  apiVersions: readonly string[];
  defaultVersion: string;
  maxBodyBytes: number;
  /** Aborted when the emulator closes, so no delay outlives it. */
  signal: AbortSignal;
  log(message: string): void;
}

const VERSION = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidRequest(`The path segment ${segment} is not valid percent-encoded text.`, {}, 404);
  }
}

function unrecognized(method: string, path: string): StripeApiError {
  return invalidRequest(
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    {},
    404,
  );
}

function authenticate(request: IncomingMessage, route: Route, runtime: ApiRuntime): string {
  const key = readBearer(request);
  if (key === undefined) throw missingKey();
  const refuse = runtime.faults().refuseKeys;
  if (route.v2 === 'stream') {
    checkSession(key, runtime.now(), runtime.store.sessions);
    return 'test';
  }
  if (!runtime.secretKeys.includes(key) || (refuse !== undefined && refuse.untilMs > runtime.now()))
    throw invalidKey(key);
  return key.startsWith('sk_live_') || key.startsWith('rk_live_') ? 'live' : 'test';
}

function checkVersion(request: IncomingMessage, runtime: ApiRuntime): string {
  const sent = request.headers['stripe-version'];
  const version = Array.isArray(sent) ? sent[0] : sent;
  if (version === undefined || version === '') return runtime.defaultVersion;
  if (!VERSION.test(version)) throw invalidRequest(`Invalid Stripe API version: ${version}`);
  if (!runtime.apiVersions.includes(version))
    throw invalidRequest(
      `The Stripe emulator answers the shapes of API version ${runtime.apiVersions.join(', ')} only, not ${version}: pin the client's apiVersion.`,
    );
  return version;
}

function errorAnswer(error: unknown, runtime: ApiRuntime): StripeApiError {
  if (error instanceof StripeApiError) return error;
  runtime.log(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return apiError('An unexpected error occurred in the Stripe emulator (a bug of the emulator).');
}

function send(response: ServerResponse, answer: SavedAnswer, extra: Record<string, string>): void {
  sendJson(response, answer.status, answer.body, { ...answer.headers, ...extra });
}

function asAnswer(error: StripeApiError, requestId: string): SavedAnswer {
  return { status: error.status, body: error.body(requestId), headers: error.headers, requestId };
}

/** Injected before anything is done: 500 (Stripe's JSON), 502 or 503 (a proxy's HTML). */
function sendInjected(response: ServerResponse, random: () => number, requestId: string): number {
  const pick = Math.floor(random() * 3);
  if (pick === 0) send(response, asAnswer(apiError(), requestId), { 'request-id': requestId });
  else if (pick === 1) sendHtml(response, 502, 'Bad Gateway');
  else sendHtml(response, 503, 'Service Temporarily Unavailable');
  return [500, 502, 503][pick]!;
}

interface Prepared {
  route: Route;
  call: ApiCall;
  scope: string;
  fingerprint: string;
  version: string | undefined;
}

async function prepare(
  request: IncomingMessage,
  url: URL,
  runtime: ApiRuntime,
  entry: LoggedRequest,
): Promise<Prepared> {
  const method = request.method ?? 'GET';
  const segments = url.pathname.slice(1).split('/').map(decodeSegment);
  const found = findRoute(method, segments);
  if (found === undefined) throw unrecognized(method, url.pathname);
  const { route, ids } = found;
  const scope = authenticate(request, route, runtime);
  const version = route.v2 ? undefined : checkVersion(request, runtime);
  if (route.v2) {
    const json = await readV2Json(request, runtime.maxBodyBytes);
    entry.params = json;
    return {
      route,
      call: { ids, params: Object.create(null), json },
      scope,
      fingerprint: canonicalJson(json ?? {}),
      version,
    };
  }
  const params = await readV1Params(request, url, runtime.maxBodyBytes);
  entry.params = toPlain(params);
  return { route, call: { ids, params, json: undefined }, scope, fingerprint: canonicalParams(params), version };
}

/** Runs the operation under the write faults; a refusal of its parameters is answered, never saved. */
function execute(
  prepared: Prepared,
  runtime: ApiRuntime,
  requestId: string,
): { answer: SavedAnswer; save: boolean; committed: boolean; stored?: true } {
  const faults = runtime.faults();
  const { route, call } = prepared;
  if (route.write && faults.lockTimeoutRate > 0 && runtime.random() < faults.lockTimeoutRate)
    return { answer: asAnswer(lockTimeout(faults, route.pattern), requestId), save: false, committed: false };
  if (route.write && faults.storedErrorRate > 0 && runtime.random() < faults.storedErrorRate) {
    return { answer: asAnswer(apiError(), requestId), save: true, committed: false, stored: true };
  }
  let reply: Reply;
  try {
    reply = route.handle(call, runtime);
  } catch (error) {
    const refusal = errorAnswer(error, runtime);
    // Only an exception of the emulator itself (a 500) is one that began executing.
    return { answer: asAnswer(refusal, requestId), save: refusal.status >= 500, committed: false };
  }
  return {
    answer: { status: reply.status, body: reply.body, headers: reply.headers ?? {}, requestId },
    save: true,
    committed: reply.committed === true,
  };
}

export async function handleApi(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  runtime: ApiRuntime,
): Promise<void> {
  const { stats, signal } = runtime;
  const faults = runtime.faults();
  const requestId = runtime.store.newId('req', 14);
  const sentKey = request.headers['idempotency-key'];
  const idempotencyKey = Array.isArray(sentKey) ? sentKey[0] : sentKey;
  const sentVersion = request.headers['stripe-version'];
  const entry: LoggedRequest = {
    method: request.method ?? 'GET',
    path: url.pathname,
    params: undefined,
    contentType: request.headers['content-type'],
    idempotencyKey,
    stripeVersion: Array.isArray(sentVersion) ? sentVersion[0] : sentVersion,
  };
  stats.request(entry);
  const headers: Record<string, string> = { 'request-id': requestId };
  if (faults.outage?.mode === '503' && faults.outage.untilMs > runtime.now()) {
    stats.count('outage');
    entry.status = 503;
    return sendHtml(response, 503, 'Service Temporarily Unavailable');
  }
  let release: () => void;
  try {
    release = runtime.limits.admit();
  } catch (error) {
    const refusal = errorAnswer(error, runtime);
    stats.count(
      refusal.headers['stripe-rate-limited-reason'] === 'global-concurrency' ? 'concurrencyLimited' : 'rateLimited',
    );
    entry.status = refusal.status;
    return send(response, asAnswer(refusal, requestId), headers);
  }
  response.once('close', release);
  try {
    if (faults.errorRate > 0 && runtime.random() < faults.errorRate) {
      stats.count('injectedError');
      entry.status = sendInjected(response, runtime.random, requestId);
      return;
    }
    let prepared: Prepared;
    try {
      prepared = await prepare(request, url, runtime, entry);
    } catch (error) {
      const refusal = errorAnswer(error, runtime);
      stats.countStatus(refusal.status, refusal.code, refusal.type);
      entry.status = refusal.status;
      if (refusal.status === 413) headers.connection = 'close';
      return send(response, asAnswer(refusal, requestId), headers);
    }
    if (prepared.version !== undefined) headers['stripe-version'] = prepared.version;
    const keyed = request.method === 'POST' && idempotencyKey !== undefined && idempotencyKey !== '';
    if (keyed) headers['idempotency-key'] = idempotencyKey;
    let claim;
    try {
      claim = keyed
        ? runtime.idempotency.claim(
            prepared.scope,
            idempotencyKey,
            `${request.method} ${url.pathname}`,
            prepared.fingerprint,
          )
        : undefined;
    } catch (error) {
      const refusal = errorAnswer(error, runtime);
      stats.countStatus(refusal.status, refusal.code, refusal.type);
      entry.status = refusal.status;
      return send(response, asAnswer(refusal, requestId), headers);
    }
    if (claim?.kind === 'replay') {
      stats.count('replayed');
      entry.status = claim.answer.status;
      entry.replayed = true;
      return send(response, claim.answer, {
        ...headers,
        'idempotent-replayed': 'true',
        'original-request': claim.answer.requestId,
      });
    }
    if (faults.latencyMs > 0) {
      // The key is in flight while Stripe works: a second request with it meets the 409.
      try {
        await sleep(faults.latencyMs, undefined, { signal });
      } catch (error) {
        claim?.release();
        throw error;
      }
    }
    const { answer, save, committed, stored } = execute(prepared, runtime, requestId);
    if (claim !== undefined) {
      if (save) claim.save(answer);
      else claim.release();
    }
    if (!(await mayAnswer(request, response, committed, faults, runtime))) return;
    const body = answer.body as { error?: { code?: string; type?: string } } | undefined;
    if (stored) stats.count('storedError');
    else stats.countStatus(answer.status, body?.error?.code, body?.error?.type);
    entry.status = answer.status;
    send(response, answer, headers);
  } catch (error) {
    cutAfterFailure(request, error, signal, runtime.log);
  }
}
