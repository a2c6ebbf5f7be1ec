import { systemClock, type Clock } from '../../../platform/clock.js';
import {
  type Connector,
  type ConnectorKind,
  type HeldDocument,
  type ListedDocument,
  type PostingBody,
  type ReadContext,
  type ReadPace,
  type SecretResolver,
  type TargetDefinition,
  type TargetDocument,
  ledgerBody,
} from '../connector.js';
import { TARGET_KIND_SPECS } from '../target-kinds.js';
import { createAuthorizer, TokenCache } from './netsuite-auth.js';
import { createNetSuiteClient, ThrottleMemory, type NetSuiteClient } from './netsuite-client.js';
import { resolveApplication } from './netsuite-credit-application.js';
import { heldLines, heldTotal, recordLines } from './netsuite-held-lines.js';
import { EXTERNAL_ID, recordTypeOf, toNetSuiteRecord } from './netsuite-mapping.js';
import { readSecret, readSettings } from './netsuite-settings.js';
import { checkedRange, IDS_PER_QUERY, listHeldRange, readHeldBatch } from './netsuite-suiteql-read.js';

// NetSuite as a delivery target. deliver() upserts by external id (`PUT record/v1/<type>/eid:<id>`), so a
// redelivery after a lost answer replaces the record it created instead of adding a second one; a credit
// memo first reads the invoice it corrects, to be applied to it (netsuite-credit-application.ts); find()
// reads it back by the same external id, its lines in the same answer (expandSubResources=true), and
// findMany and listHeld read many through SuiteQL (netsuite-suiteql-read.ts); a read given reconciliation's
// pace awaits it before each request it sends (every SuiteQL page). Settings and the secret are read at
// every use (a rotated secret needs no restart); what connectors of the kind share is the token cache and
// when the account last throttled, held by a NetSuiteContext.

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

/**
 * The most requests one delivery makes, each bounded by the target's `timeoutMs`: a token, the read of
 * the invoice a credit memo corrects, the read of the memo itself and the upsert.
 */
const REQUESTS_PER_DELIVERY = 4;

export interface NetSuiteConnector extends Connector {
  /**
   * Batch read-back through SuiteQL: external id -> internal id, total and lines for the postings
   * NetSuite holds (for reconciliation; the dispatcher reads one posting back with find()).
   */
  findMany(bodies: readonly PostingBody[], signal: AbortSignal, pace?: ReadPace): Promise<Map<string, HeldDocument>>;
  readonly findManyBatch: number;
  listHeld(range: { from: string; to: string }, signal: AbortSignal, pace?: ReadPace): Promise<ListedDocument[]>;
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

    async find(posted: PostingBody, signal: AbortSignal, read?: ReadContext): Promise<HeldDocument | undefined> {
      const body = ledgerBody(posted, target.kind);
      // An external id NetSuite cannot hold was never delivered (deliver refuses it before any request).
      if (!EXTERNAL_ID.test(body.externalId)) return undefined;
      // One request, as before: the record with its sublists' lines in (expandSubResources=true).
      const record = await (await connect()).read(recordTypeOf(body), body.externalId, signal, true, read?.pace);
      if (record === undefined) return undefined;
      const raw = recordLines(body, record);
      const total = heldTotal(body, record, raw);
      const lines = raw && heldLines(body, raw, readSettings(target));
      return { id: record.id, ...(total === undefined ? {} : { total }), ...(lines === undefined ? {} : { lines }) };
    },

    findManyBatch: IDS_PER_QUERY,
    async findMany(bodies, signal, pace): Promise<Map<string, HeldDocument>> {
      const ledgerBodies = bodies.map((body) => ledgerBody(body, target.kind));
      return readHeldBatch(await connect(), ledgerBodies, readSettings(target), signal, pace);
    },

    async listHeld(range, signal, pace): Promise<ListedDocument[]> {
      return listHeldRange(await connect(), checkedRange(range), signal, pace);
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
