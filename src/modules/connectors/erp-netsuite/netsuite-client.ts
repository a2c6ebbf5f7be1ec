import { DeliveryFailure, type ReadPace } from '../connector.js';
import { transportFailure } from '../http-failure.js';
import type { Authorizer } from './netsuite-auth.js';
import { LOGIN_UNDER_LOAD_MS, netsuiteFailure, readNetSuiteError } from './netsuite-errors.js';
import type { NetSuiteRecord, NetSuiteRecordType } from './netsuite-mapping.js';
import type { NetSuiteSettings } from './netsuite-settings.js';

// HTTP to SuiteTalk REST with Node's fetch, under `<baseUrl>/services/rest/`. Every answer is read as
// text first and validated before it is believed: a 2xx that is not what NetSuite sends (no Location, an
// id that is not an internal id, a page that is not a page) is an unknown outcome to read back, never a
// crash. Redirects are not followed: NetSuite's REST domain answers itself, and a redirect means a wrong
// baseUrl, which a person must fix.

/** When each account last answered 429: its concurrency limit is shared by every integration. */
export class ThrottleMemory {
  private readonly lastMs = new Map<string, number>();

  mark(account: string, nowMs: number): void {
    this.lastMs.set(account, nowMs);
  }

  recent(account: string, nowMs: number): boolean {
    const last = this.lastMs.get(account);
    return last !== undefined && nowMs - last < LOGIN_UNDER_LOAD_MS;
  }
}

export interface ClientDependencies {
  settings: NetSuiteSettings;
  authorizer: Authorizer;
  throttle: ThrottleMemory;
  now: () => Date;
}

interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

interface SendOptions {
  json?: unknown;
  /** `transient` for SuiteQL, which NetSuite requires there. */
  prefer?: string;
  /** Non-2xx statuses the caller reads itself (404 on a read-back). */
  accept?: readonly number[];
  /** Reconciliation's pace, awaited before each request sent (a retry after a refused token too). */
  pace?: ReadPace;
}

/** A record as NetSuite answers it, its internal id checked. */
export type NetSuiteReadRecord = Record<string, unknown> & { id: string };

export interface SuiteQlPage {
  items: Array<Record<string, unknown>>;
  hasMore: boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An answer that is 2xx but not NetSuite's: the request may have been acted on, so read back. */
function unexpected(what: string, answer: Answer, why: string): DeliveryFailure {
  return new DeliveryFailure('unknown_outcome', `${what}: NetSuite answered ${answer.status} ${why}`, {
    targetText: answer.text,
    status: answer.status,
  });
}

const INTERNAL_ID = /^\d{1,18}$/;

export function createNetSuiteClient({ settings, authorizer, throttle, now }: ClientDependencies) {
  const account = settings.restUrl;

  async function send(method: string, path: string, options: SendOptions, signal: AbortSignal): Promise<Answer> {
    const url = `${settings.restUrl}${path}`;
    const what = `${method} ${path}`;
    const timed = settings.timeoutMs ? AbortSignal.any([signal, AbortSignal.timeout(settings.timeoutMs)]) : signal;
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    // A cached token NetSuite refuses (revoked, or expired early) is dropped and the request sent once more.
    for (let attempt = 1; ; attempt += 1) {
      // Before the authorization, so that a signature's timestamp is not spent waiting for the turn.
      await options.pace?.();
      const authorization = await authorizer.authorize(method, url, timed);
      let answer: Answer;
      try {
        const response = await fetch(url, {
          method,
          headers: {
            authorization: authorization.header,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(options.prefer ? { prefer: options.prefer } : {}),
          },
          body,
          signal: timed,
          redirect: 'manual',
        });
        answer = { status: response.status, text: await response.text(), headers: response.headers };
      } catch (error) {
        throw transportFailure(error, what);
      }
      const nowMs = now().getTime();
      if (answer.status === 429) throttle.mark(account, nowMs);
      if (answer.status >= 200 && answer.status < 300) return answer;
      if (options.accept?.includes(answer.status)) return answer;
      const invalidLogin = answer.status === 401 && readNetSuiteError(answer.text)?.code === 'INVALID_LOGIN';
      if (invalidLogin && attempt === 1 && (await authorization.forget())) continue;
      throw netsuiteFailure(answer.status, answer.text, answer.headers, {
        what,
        now: new Date(nowMs),
        recentlyThrottled: throttle.recent(account, nowMs),
      });
    }
  }

  const recordPath = (type: NetSuiteRecordType, externalId: string) =>
    `record/v1/${type}/eid:${encodeURIComponent(externalId)}`;

  /**
   * The record with this external id as NetSuite answers it (`expand`: its sublists' lines too), or
   * undefined when NetSuite has none; a body that is not that record is an unknown outcome.
   */
  async function read(
    type: NetSuiteRecordType,
    externalId: string,
    signal: AbortSignal,
    expand = false,
    pace?: ReadPace,
  ): Promise<NetSuiteReadRecord | undefined> {
    const path = `${recordPath(type, externalId)}${expand ? '?expandSubResources=true' : ''}`;
    const answer = await send('GET', path, { accept: [404], pace }, signal);
    if (answer.status === 404) {
      // Only NetSuite saying "no such record" means absent; another 404 (a wrong baseUrl) is a failure.
      if (readNetSuiteError(answer.text)?.code !== undefined) return undefined;
      throw netsuiteFailure(404, answer.text, answer.headers, {
        what: `GET ${path}`,
        now: now(),
        recentlyThrottled: false,
      });
    }
    const parsed = parseJson(answer.text);
    const id = isObject(parsed) ? parsed.id : undefined;
    const text = typeof id === 'number' ? String(id) : id;
    if (!isObject(parsed) || typeof text !== 'string' || !INTERNAL_ID.test(text))
      throw unexpected(`GET ${path}`, answer, 'with a body that is not a record with an internal id');
    if (parsed.externalId !== undefined && parsed.externalId !== externalId)
      throw unexpected(`GET ${path}`, answer, `with a record of another external id`);
    return { ...parsed, id: text };
  }

  return {
    /** Creates or replaces the record with this external id; answers its internal id (from Location). */
    async upsert(
      type: NetSuiteRecordType,
      externalId: string,
      record: NetSuiteRecord,
      signal: AbortSignal,
    ): Promise<string> {
      const path = recordPath(type, externalId);
      const answer = await send('PUT', path, { json: record }, signal);
      const location = answer.headers.get('location') ?? '';
      const id = URL.canParse(location, settings.restUrl)
        ? new RegExp(`/record/v1/${type}/(\\d{1,18})$`).exec(new URL(location, settings.restUrl).pathname)?.[1]
        : undefined;
      if (id === undefined)
        throw unexpected(`PUT ${path}`, answer, `without a Location naming the ${type} (${location || 'none'})`);
      return id;
    },

    read,

    /** The internal id of the record with this external id, or undefined when NetSuite has none. */
    async findByExternalId(type: NetSuiteRecordType, externalId: string, signal: AbortSignal) {
      return (await read(type, externalId, signal))?.id;
    },

    /** One page of a SuiteQL query (NetSuite requires `Prefer: transient` here). */
    async suiteql(
      query: string,
      limit: number,
      offset: number,
      signal: AbortSignal,
      pace?: ReadPace,
    ): Promise<SuiteQlPage> {
      const path = `query/v1/suiteql?limit=${limit}&offset=${offset}`;
      const answer = await send('POST', path, { json: { q: query }, prefer: 'transient', pace }, signal);
      const parsed = parseJson(answer.text);
      if (!isObject(parsed) || !Array.isArray(parsed.items) || typeof parsed.hasMore !== 'boolean')
        throw unexpected(`POST ${path}`, answer, 'with a body that is not a SuiteQL page');
      return { items: parsed.items.filter(isObject), hasMore: parsed.hasMore };
    },
  };
}

export type NetSuiteClient = ReturnType<typeof createNetSuiteClient>;
