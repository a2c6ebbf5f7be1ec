import { systemClock, type Clock } from '../../../platform/clock.js';
import {
  type Connector,
  type ConnectorKind,
  type HeldDocument,
  type ListedDocument,
  DeliveryFailure,
  type PostingBody,
  type SecretResolver,
  type TargetDefinition,
  type TargetDocument,
  ledgerBody,
} from '../connector.js';
import { TARGET_KIND_SPECS } from '../target-kinds.js';
import { createAuthorizer, TokenCache } from './netsuite-auth.js';
import { createNetSuiteClient, ThrottleMemory, type NetSuiteClient } from './netsuite-client.js';
import { resolveApplication } from './netsuite-credit-application.js';
import { EXTERNAL_ID, recordTypeOf, toNetSuiteRecord, type NetSuiteRecordType } from './netsuite-mapping.js';
import { readSecret, readSettings } from './netsuite-settings.js';

// NetSuite as a delivery target. deliver() upserts by external id (`PUT record/v1/<type>/eid:<id>`), so a
// redelivery after a lost answer replaces the record it created instead of adding a second one; a credit
// memo first reads the invoice it corrects, to be applied to it (netsuite-credit-application.ts); find()
// reads it back by the same external id. Settings and the secret are read at every use (a rotated secret
// needs no restart); what connectors of the kind share is the token cache and when the account last
// throttled, held by a NetSuiteContext.

/** What every connector of a kind shares, since connectors are rebuilt from each catalog version. */
export interface NetSuiteContext {
  clock: Clock;
  tokens: TokenCache;
  throttle: ThrottleMemory;
}

export function createNetSuiteContext(clock: Clock = systemClock): NetSuiteContext {
  return { clock, tokens: new TokenCache(), throttle: new ThrottleMemory() };
}

/** The token cache and throttle memory of the registered kind, on the system clock. */
const sharedContext = createNetSuiteContext();

/** SuiteQL's `transaction.type` for each record type. */
const SUITEQL_TYPES: Readonly<Record<NetSuiteRecordType, string>> = {
  journalEntry: 'Journal',
  invoice: 'CustInvc',
  creditMemo: 'CustCred',
};
/** External ids per SuiteQL query, and rows per page (NetSuite's most). */
const IDS_PER_QUERY = 200;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const isDecimal = (text: string) => /^\d{1,20}(\.\d{1,12})?$/.test(text);
const PAGE_ROWS = 1000;
/**
 * The most requests one delivery makes, each bounded by the target's `timeoutMs`: a token, the read of
 * the invoice a credit memo corrects, the read of the memo itself and the upsert.
 */
const REQUESTS_PER_DELIVERY = 4;

export interface NetSuiteConnector extends Connector {
  /**
   * Batch read-back through SuiteQL: external id -> internal id for the postings NetSuite holds (for
   * reconciliation; the dispatcher reads one posting back with find()).
   */
  findMany(bodies: readonly PostingBody[], signal: AbortSignal): Promise<Map<string, HeldDocument>>;
  readonly findManyBatch: number;
}

export function createNetSuiteConnector(
  target: TargetDefinition,
  secrets: SecretResolver,
  context: NetSuiteContext = sharedContext,
): NetSuiteConnector {
  const now = () => context.clock.now();

  async function connect(): Promise<NetSuiteClient> {
    const settings = readSettings(target);
    const secret = await readSecret(target, settings.auth.method, secrets);
    const authorizer = createAuthorizer(settings, secret, { tokens: context.tokens, targetKey: target.key, now });
    return createNetSuiteClient({ settings, authorizer, throttle: context.throttle, now });
  }

  const { timeoutMs } = target.settings;
  return {
    target,
    deliveryTimeoutMs: typeof timeoutMs === 'number' && timeoutMs > 0 ? timeoutMs * REQUESTS_PER_DELIVERY : undefined,
    async deliver(posted: PostingBody, signal: AbortSignal): Promise<TargetDocument> {
      const body = ledgerBody(posted, target.kind);
      // Mapped first: a body NetSuite cannot take is invalid whatever the state of the credentials.
      const record = toNetSuiteRecord(body, readSettings(target));
      const client = await connect();
      if (body.type !== 'journal') {
        const { apply, note } = await resolveApplication(client, body, signal);
        if (apply !== undefined) record.apply = apply;
        if (note !== undefined) record.memo = `${String(record.memo)}; ${note}`;
      }
      return { id: await client.upsert(recordTypeOf(body), body.externalId, record, signal) };
    },

    async find(posted: PostingBody, signal: AbortSignal): Promise<TargetDocument | undefined> {
      const body = ledgerBody(posted, target.kind);
      // An external id NetSuite cannot hold was never delivered (deliver refuses it before any request).
      if (!EXTERNAL_ID.test(body.externalId)) return undefined;
      const id = await (await connect()).findByExternalId(recordTypeOf(body), body.externalId, signal);
      return id === undefined ? undefined : { id };
    },

    findManyBatch: IDS_PER_QUERY,
    async findMany(bodies: readonly PostingBody[], signal: AbortSignal): Promise<Map<string, HeldDocument>> {
      const client = await connect();
      const found = new Map<string, HeldDocument>();
      const byType = new Map<NetSuiteRecordType, string[]>();
      for (const body of bodies) {
        // Only ids of letters, digits, _ and - are quoted into the query: nothing else can reach it.
        if (!EXTERNAL_ID.test(body.externalId)) continue;
        const type = recordTypeOf(ledgerBody(body, target.kind));
        byType.set(type, [...(byType.get(type) ?? []), body.externalId]);
      }
      for (const [type, ids] of byType) {
        for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
          const quoted = ids.slice(start, start + IDS_PER_QUERY).map((id) => `'${id}'`);
          const query = `SELECT id, externalid, foreigntotal FROM transaction WHERE type = '${SUITEQL_TYPES[type]}' AND externalid IN (${quoted.join(', ')})`;
          for (let offset = 0, more = true; more; offset += PAGE_ROWS) {
            const page = await client.suiteql(query, PAGE_ROWS, offset, signal);
            for (const row of page.items) {
              const id = typeof row.id === 'number' ? String(row.id) : row.id;
              if (typeof row.externalid !== 'string' || typeof id !== 'string') continue;
              // SuiteQL answers every value as text; a credit memo's total may come negative.
              const total = typeof row.foreigntotal === 'string' ? row.foreigntotal.replace(/^-/, '') : undefined;
              found.set(row.externalid, { id, ...(total !== undefined && isDecimal(total) ? { total } : {}) });
            }
            more = page.hasMore;
          }
        }
      }
      return found;
    },

    async listHeld(range, signal): Promise<ListedDocument[]> {
      if (!ISO_DATE.test(range.from) || !ISO_DATE.test(range.to))
        throw new DeliveryFailure('invalid', `a date range is two YYYY-MM-DD dates, not ${range.from}..${range.to}`);
      const client = await connect();
      const listed: ListedDocument[] = [];
      for (const type of Object.values(SUITEQL_TYPES)) {
        const query = `SELECT id, externalid, type, foreigntotal FROM transaction WHERE type = '${type}' AND trandate BETWEEN TO_DATE('${range.from}', 'YYYY-MM-DD') AND TO_DATE('${range.to}', 'YYYY-MM-DD') ORDER BY id`;
        for (let offset = 0, more = true; more; offset += PAGE_ROWS) {
          const page = await client.suiteql(query, PAGE_ROWS, offset, signal);
          for (const row of page.items) {
            const id = typeof row.id === 'number' ? String(row.id) : row.id;
            if (typeof id !== 'string') continue;
            const total = typeof row.foreigntotal === 'string' ? row.foreigntotal.replace(/^-/, '') : undefined;
            listed.push({
              id,
              externalId: typeof row.externalid === 'string' ? row.externalid : null,
              type,
              ...(total !== undefined && isDecimal(total) ? { total } : {}),
            });
          }
          more = page.hasMore;
        }
      }
      return listed;
    },
  };
}

/** The kind for the registry; settings and modes are the catalog's, never restated here. */
export function createNetSuiteKind(context: NetSuiteContext = sharedContext): ConnectorKind {
  return {
    kind: 'netsuite',
    modes: TARGET_KIND_SPECS.netsuite.modes,
    settingsSchema: TARGET_KIND_SPECS.netsuite.settingsSchema,
    create: (target, secrets) => createNetSuiteConnector(target, secrets, context),
  };
}

export const netsuiteKind: ConnectorKind = createNetSuiteKind();
