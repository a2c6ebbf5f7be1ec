import { DeliveryFailure, type ReadPace } from '../connector.js';
import { transportFailure } from '../http-failure.js';
import type { Authorizer } from './business-central-auth.js';
import { bcFailure, readBcError } from './business-central-errors.js';
import type { BusinessCentralSettings } from './business-central-settings.js';

// HTTP to Business Central's API v2.0 with Node's fetch, under the company's URL. Every answer is read as
// text and validated before it is believed: a 2xx that is not what BC sends (HTML, truncated JSON, an
// entity without an id) is an unknown outcome, never a crash. A 401 Authentication_* drops the cached
// token and the request is sent once more with a new one. Redirects are not followed (a redirect means a
// wrong baseUrl), and next links are followed only on the API's own origin. A client made for one of
// reconciliation's reads awaits the read's pace before each request it sends (each page, each retry).

interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

interface SendOptions {
  json?: unknown;
  /** `If-Match` (an etag, or `*`) on PATCH and DELETE. */
  ifMatch?: string;
  /** Non-2xx statuses the caller reads itself (404 on a delete of what is gone). */
  accept?: readonly number[];
}

/** An entity as BC answers it, its id and etag checked. */
export type BcEntity = Record<string, unknown> & { id: string; '@odata.etag': string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An answer that is 2xx but not BC's: the request may have been acted on, so read back. */
function unexpected(what: string, answer: Answer, why: string): DeliveryFailure {
  return new DeliveryFailure('unknown_outcome', `${what}: Business Central answered ${answer.status} ${why}`, {
    targetText: answer.text,
    status: answer.status,
  });
}

function asEntity(value: unknown): BcEntity | undefined {
  if (!isObject(value) || typeof value.id !== 'string' || !GUID.test(value.id)) return undefined;
  return {
    ...value,
    id: value.id,
    '@odata.etag': typeof value['@odata.etag'] === 'string' ? value['@odata.etag'] : '*',
  };
}

/** Text as an OData string literal: quoted, a quote inside doubled. */
export const odataString = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** A `$filter` query string, encoded. */
export const filterQuery = (filter: string): string => `$filter=${encodeURIComponent(filter)}`;

/** The most pages one list follows: BC pages hold up to 20,000 entities. */
const MAX_PAGES = 100;

export function createBusinessCentralClient(deps: {
  settings: BusinessCentralSettings;
  authorizer: Authorizer;
  now: () => Date;
  /** Reconciliation's pace, awaited before each API request (token requests are not counted). */
  pace?: ReadPace;
}) {
  const { settings, authorizer, now, pace } = deps;

  async function send(
    method: string,
    url: string,
    what: string,
    options: SendOptions,
    signal: AbortSignal,
  ): Promise<Answer> {
    const timed = settings.timeoutMs ? AbortSignal.any([signal, AbortSignal.timeout(settings.timeoutMs)]) : signal;
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    // A cached token BC refuses (revoked, or expired early) is dropped and the request sent once more.
    for (let attempt = 1; ; attempt += 1) {
      const authorization = await authorizer.authorize(timed);
      let answer: Answer;
      await pace?.();
      try {
        const response = await fetch(url, {
          method,
          headers: {
            authorization: authorization.header,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(options.ifMatch === undefined ? {} : { 'if-match': options.ifMatch }),
          },
          body,
          signal: timed,
          redirect: 'manual',
        });
        answer = { status: response.status, text: await response.text(), headers: response.headers };
      } catch (error) {
        throw transportFailure(error, what);
      }
      if (answer.status >= 200 && answer.status < 300) return answer;
      if (options.accept?.includes(answer.status)) return answer;
      const refusedToken =
        answer.status === 401 && (readBcError(answer.text)?.code ?? '').startsWith('Authentication_');
      if (refusedToken && attempt === 1) {
        await authorization.forget();
        continue;
      }
      throw bcFailure(answer.status, answer.text, answer.headers, { what, now: now() });
    }
  }

  const at = (path: string) => `${settings.companyUrl}${path}`;

  /** The entity a 2xx answer carries, or an unknown outcome when it carries none. */
  function entityOf(what: string, answer: Answer): BcEntity {
    const entity = asEntity(parseJson(answer.text));
    if (entity === undefined) throw unexpected(what, answer, 'with a body that is not an entity with an id');
    return entity;
  }

  return {
    /** Every entity a collection path (with its query) answers, following next links on BC's origin. */
    async list(path: string, signal: AbortSignal): Promise<BcEntity[]> {
      const entities: BcEntity[] = [];
      let url = at(path);
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const what = `GET ${page === 0 ? path : url}`;
        const answer = await send('GET', url, what, {}, signal);
        const parsed = parseJson(answer.text);
        if (!isObject(parsed) || !Array.isArray(parsed.value))
          throw unexpected(what, answer, 'with a body that is not a collection');
        for (const item of parsed.value) {
          const entity = asEntity(item);
          if (entity === undefined) throw unexpected(what, answer, 'with an entity that has no id');
          entities.push(entity);
        }
        const next = parsed['@odata.nextLink'];
        if (typeof next !== 'string') return entities;
        if (!URL.canParse(next) || new URL(next).origin !== settings.origin)
          throw unexpected(what, answer, `with a next link off the API's origin (${next})`);
        url = next;
      }
      throw new DeliveryFailure('unavailable', `GET ${path}: more than ${MAX_PAGES} pages; narrow the query`);
    },

    async get(path: string, signal: AbortSignal): Promise<BcEntity> {
      return entityOf(`GET ${path}`, await send('GET', at(path), `GET ${path}`, {}, signal));
    },

    async create(path: string, body: Record<string, unknown>, signal: AbortSignal): Promise<BcEntity> {
      return entityOf(`POST ${path}`, await send('POST', at(path), `POST ${path}`, { json: body }, signal));
    },

    /** PATCH with `If-Match`: BC refuses a stale etag (Request_EntityChanged) rather than overwrite. */
    async update(path: string, etag: string, body: Record<string, unknown>, signal: AbortSignal): Promise<BcEntity> {
      return entityOf(
        `PATCH ${path}`,
        await send('PATCH', at(path), `PATCH ${path}`, { json: body, ifMatch: etag }, signal),
      );
    },

    /** DELETE with `If-Match`; an entity already gone (404) is fine. */
    async remove(path: string, etag: string, signal: AbortSignal): Promise<void> {
      await send('DELETE', at(path), `DELETE ${path}`, { ifMatch: etag, accept: [404] }, signal);
    },

    /** A bound action, `POST <entity>/Microsoft.NAV.<action>`: 204 (or 200) and no entity. */
    async action(path: string, signal: AbortSignal): Promise<void> {
      await send('POST', at(path), `POST ${path}`, {}, signal);
    },
  };
}

export type BusinessCentralClient = ReturnType<typeof createBusinessCentralClient>;
