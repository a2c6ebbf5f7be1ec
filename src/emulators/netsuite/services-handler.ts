import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './authenticate.js';
import type { FaultSettings } from './emulator-options.js';
import type { StatsCounter } from './emulator-stats.js';
import { sendInjectedError, sendUnavailable } from './injected-error.js';
import { ERROR_CONTENT_TYPE, NetSuiteError, sendJson, sendNetSuiteError } from './netsuite-error.js';
import { readBytes, readJsonBody } from './read-json-body.js';
import { recordRoute, type RecordContext, type Reply } from './record-routes.js';
import type { RequestLimits } from './request-limits.js';
import { runSuiteQl } from './suiteql-query.js';
import type { TbaVerifier } from './tba-verify.js';
import { TokenError, type TokenIssuer } from './token-endpoint.js';
import { cutAfterFailure, injectsError, mayAnswer } from '../common/request-faults.js';

// One request to /services/rest, in the order a real account meets it: an outage answers first; then
// the account's limits (429); then injected latency and random 5xx (nothing done); then authentication
// and the route; after a write, the commit-then-drop fault; then the slow answer. Every refusal is in
// NetSuite's shape; an exception nobody expected is a 500 that names itself as the emulator's bug.

export interface ServicesRuntime extends Omit<RecordContext, 'origin'> {
  faults(): FaultSettings;
  random: () => number;
  limits: RequestLimits;
  tokens: TokenIssuer;
  tba: TbaVerifier;
  stats: StatsCounter;
  /** Aborted when the emulator closes, so no delay outlives it. */
  signal: AbortSignal;
  log(message: string): void;
}

const TOKEN_BODY_BYTES = 64 * 1024;

/** A path segment as text; a malformed escape (`%E0%A4%A`) is the client's error, not the emulator's. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new NetSuiteError(400, 'INVALID_ID', `The path segment ${segment} is not valid percent-encoded text.`);
  }
}

async function route(request: IncomingMessage, url: URL, runtime: ServicesRuntime): Promise<Reply> {
  const path = url.pathname.slice('/services/rest/'.length);
  const method = request.method ?? 'GET';
  if (path === 'auth/oauth2/v1/token') {
    if (method !== 'POST') throw new NetSuiteError(405, 'METHOD_NOT_ALLOWED', 'Use POST for the token endpoint.');
    const form = new URLSearchParams((await readBytes(request, TOKEN_BODY_BYTES)).toString('utf8'));
    try {
      return { status: 200, body: await runtime.tokens.issue(form, `${url.origin}/services/rest/${path}`) };
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      runtime.log(`token request refused: ${error.message}`);
      return { status: 400, body: error.body() };
    }
  }
  // The URL exactly as the client sent it: TBA signs that text, and URL parsing could re-encode it.
  const signedUrl = `${url.protocol}//${request.headers.host ?? url.host}${request.url ?? ''}`;
  const refuseLogins = runtime.faults().refuseLogins;
  authenticate(
    request,
    signedUrl,
    runtime.tokens,
    runtime.tba,
    (reason) => runtime.log(`login refused: ${reason}`),
    refuseLogins !== undefined && refuseLogins.untilMs > runtime.now(),
  );
  if (path.startsWith('record/v1/'))
    return recordRoute(request, path.slice('record/v1/'.length).split('/').map(decodeSegment), {
      ...runtime,
      origin: url.origin,
    });
  if (path === 'query/v1/suiteql') {
    if (method !== 'POST') throw new NetSuiteError(405, 'METHOD_NOT_ALLOWED', 'Use POST for SuiteQL.');
    return { status: 200, body: runSuiteQl(runtime.store, await readJsonBody(request, runtime.maxBodyBytes), url) };
  }
  if (path === 'system/v1/governanceLimits' && method === 'GET')
    return { status: 200, body: runtime.limits.governance() };
  throw new NetSuiteError(404, 'NONEXISTENT_ID', `The resource ${url.pathname} is not supported by the emulator.`);
}

function send(response: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    response.writeHead(reply.status, reply.headers);
    response.end();
  } else {
    sendJson(response, reply.status, reply.body, reply.headers);
  }
}

function errorReply(error: unknown, runtime: ServicesRuntime): NetSuiteError {
  if (error instanceof NetSuiteError) return error;
  runtime.log(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return new NetSuiteError(
    500,
    'UNEXPECTED_ERROR',
    'An unexpected error occurred in the emulator (a bug of the emulator).',
  );
}

export async function handleServices(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  runtime: ServicesRuntime,
): Promise<void> {
  const { stats, signal } = runtime;
  const faults = runtime.faults();
  stats.request();
  if (faults.outage?.mode === '503' && faults.outage.untilMs > runtime.now()) {
    stats.count('outage');
    return sendUnavailable(response);
  }
  let release: () => void;
  try {
    release = runtime.limits.admit();
  } catch (error) {
    const refusal = errorReply(error, runtime);
    stats.countStatus(refusal.status, refusal.code);
    return sendNetSuiteError(response, refusal);
  }
  response.once('close', release);
  try {
    if (await injectsError(faults, runtime)) return sendInjectedError(response, runtime.random);
    let reply: Reply;
    try {
      reply = await route(request, url, runtime);
    } catch (error) {
      const refusal = errorReply(error, runtime);
      reply = { status: refusal.status, body: refusal.body(), headers: { 'content-type': ERROR_CONTENT_TYPE } };
      if (refusal.status === 413) reply.headers = { ...reply.headers, connection: 'close' };
    }
    if (!(await mayAnswer(request, response, reply.committed, faults, runtime))) return;
    stats.countStatus(reply.status);
    send(response, reply);
  } catch (error) {
    cutAfterFailure(request, error, signal, runtime.log);
  }
}
