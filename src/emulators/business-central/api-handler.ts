import type { IncomingMessage, ServerResponse } from 'node:http';
import { BcError, invalidCredentials, sendBcError, sendJson } from './bc-error.js';
import { routeCompany, type Reply } from './api-routes.js';
import type { CompanyStore } from './company-store.js';
import type { BusinessCentralCredentials, FaultSettings } from './emulator-options.js';
import type { StatsCounter } from './emulator-stats.js';
import { sendInjectedError, tenantUnavailable } from './injected-error.js';
import { LimitExceeded, type RequestLimits } from './request-limits.js';
import type { TokenIssuer } from './token-endpoint.js';
import { cutAfterFailure, injectsError, mayAnswer } from '../common/request-faults.js';

// One request to the API (`/v2.0/<tenant>/<environment>/api/v2.0/...`), in the order a real environment
// meets it: an outage answers first (the tenant is not accessible); then the bearer token (401
// Authentication_InvalidCredentials, not counted toward the limits, which are per user); then the
// user's limits (429 Application_TooManyRequests); then injected latency and random 5xx (nothing done);
// then the route; after a committed write, the commit-then-drop fault; then the slow answer. An
// exception nobody expected is a 500 that names itself as the emulator's bug.

export interface ApiRuntime {
  store: CompanyStore;
  credentials: BusinessCentralCredentials;
  faults(): FaultSettings;
  random: () => number;
  limits: RequestLimits;
  tokens: TokenIssuer;
  stats: StatsCounter;
  pageSize: number;
  maxBodyBytes: number;
  now(): number;
  /** Aborted when the emulator closes, so no delay outlives it. */
  signal: AbortSignal;
  log(message: string): void;
}

function authenticate(request: IncomingMessage, tenant: string, runtime: ApiRuntime): void {
  const header = request.headers.authorization ?? '';
  const token = /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
  if (token !== undefined && runtime.tokens.accepts(token, tenant)) return;
  runtime.log(
    `request refused: ${token === undefined ? 'no bearer token' : 'unknown, expired or revoked bearer token'}`,
  );
  throw invalidCredentials();
}

function decodeSegments(path: string): string[] {
  try {
    return path
      .split('/')
      .filter((segment) => segment !== '')
      .map(decodeURIComponent);
  } catch {
    throw new BcError(
      400,
      'BadRequest_InvalidRequestUrl',
      `The request URL ${path} is not valid percent-encoded text.`,
    );
  }
}

/**
 * The query's options, refused when they cannot be read: percent-encoding that is not UTF-8 (a lone
 * surrogate), which URLSearchParams would quietly turn into U+FFFD, or control characters (NUL).
 */
function queryParams(url: URL): URLSearchParams {
  let text: string;
  try {
    text = decodeURIComponent(url.search.replace(/\+/g, ' '));
  } catch {
    throw new BcError(400, 'BadRequest', 'The query string is not valid UTF-8.');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text))
    throw new BcError(400, 'BadRequest', 'The query string holds a control character.');
  return url.searchParams;
}

async function route(request: IncomingMessage, url: URL, runtime: ApiRuntime): Promise<Reply> {
  // /v2.0/<tenant>/<environment>/api/v2.0/companies(<id>)/...
  const [, tenant = '', environment = '', api, version, companies, ...rest] = decodeSegments(url.pathname);
  const { store, credentials } = runtime;
  if (environment.toLowerCase() !== credentials.environment.toLowerCase())
    throw new BcError(
      404,
      'BadRequest_ResourceNotFound',
      `The environment '${environment}' does not exist for tenant '${tenant}'.`,
    );
  if (api !== 'api' || version !== 'v2.0' || companies === undefined)
    throw new BcError(404, 'BadRequest_ResourceNotFound', `Resource not found for the segment '${api ?? ''}'.`);
  const apiBase = `${url.origin}/v2.0/${tenant}/${environment}/api/v2.0`;
  if (companies === 'companies') {
    if (rest.length > 0 || (request.method ?? 'GET') !== 'GET')
      throw new BcError(405, 'BadRequest_MethodNotAllowed', 'Only GET is allowed on companies.');
    const { id, name } = store.company;
    return {
      status: 200,
      body: {
        '@odata.context': `${apiBase}/$metadata#companies`,
        value: [{ id, systemVersion: '25.0.0.0', name, displayName: name, businessProfileId: '' }],
      },
    };
  }
  const company = /^companies\(([0-9a-fA-F-]{36})\)$/.exec(companies)?.[1]?.toLowerCase();
  if (company === undefined)
    throw new BcError(404, 'BadRequest_ResourceNotFound', `Resource not found for the segment '${companies}'.`);
  if (company !== store.company.id.toLowerCase())
    throw new BcError(404, 'Internal_CompanyNotFound', `The company with the ID '${company}' cannot be found.`);
  return routeCompany(request, rest, queryParams(url), {
    store,
    apiBase,
    pageSize: runtime.pageSize,
    maxBodyBytes: runtime.maxBodyBytes,
  });
}

function errorOf(error: unknown, runtime: ApiRuntime): BcError {
  if (error instanceof BcError) return error;
  runtime.log(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return new BcError(
    500,
    'Internal_ServerError',
    'An unexpected error occurred in the emulator (a bug of the emulator).',
  );
}

function send(response: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) response.writeHead(reply.status, reply.headers).end();
  else sendJson(response, reply.status, reply.body, reply.headers);
}

export async function handleApi(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  runtime: ApiRuntime,
): Promise<void> {
  const { stats, signal } = runtime;
  const faults = runtime.faults();
  stats.request();
  if (faults.outage?.mode === '503' && faults.outage.untilMs > runtime.now()) {
    stats.count('outage');
    return sendBcError(response, tenantUnavailable(runtime.credentials.tenant));
  }
  let release: (() => void) | undefined;
  try {
    const [, tenant = ''] = decodeSegments(url.pathname);
    authenticate(request, tenant, runtime);
    release = runtime.limits.admit();
  } catch (error) {
    const refusal = errorOf(error, runtime);
    if (refusal instanceof LimitExceeded)
      stats.count(refusal.refusal === 'rate' ? 'rateLimited' : 'concurrencyLimited');
    else stats.countStatus(refusal.status);
    return sendBcError(response, refusal);
  }
  response.once('close', release);
  try {
    if (await injectsError(faults, runtime)) return sendInjectedError(response, runtime.random);
    let reply: Reply;
    try {
      reply = await route(request, url, runtime);
    } catch (error) {
      const refusal = errorOf(error, runtime);
      reply = {
        status: refusal.status,
        body: refusal.body(),
        headers: { 'content-type': 'application/json; charset=utf-8', ...refusal.headers },
      };
      if (refusal.status === 413) reply.headers = { ...reply.headers, connection: 'close' };
    }
    if (!(await mayAnswer(request, response, reply.committed, faults, runtime))) return;
    stats.countStatus(reply.status);
    send(response, reply);
  } catch (error) {
    cutAfterFailure(request, error, signal, runtime.log);
  }
}
