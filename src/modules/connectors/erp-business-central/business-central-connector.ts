import { systemClock, type Clock } from '../../../platform/clock.js';
import {
  type Connector,
  type ConnectorKind,
  type ErpDocument,
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
import { createAuthorizer, TokenCache } from './business-central-auth.js';
import { createBusinessCentralClient, type BusinessCentralClient } from './business-central-client.js';
import { EXTERNAL_ID, toJournalLines } from './business-central-mapping.js';
import { toSalesPlan } from './business-central-sales-mapping.js';
import { readSecret, readSettings } from './business-central-settings.js';
import { deliverJournal } from './journal-batch.js';
import { findPostedEntries, findPostedEntry, listPostedEntries } from './ledger-read-back.js';
import { checkedRange } from './read-back-range.js';
import { deliverSalesDocument } from './sales-document.js';
import { findSalesDocument, findSalesDocuments, listSalesDocuments } from './sales-read-back.js';

// Dynamics 365 Business Central (API v2.0) as a delivery target: journal entries through a journal batch
// of their own, posted and found again by their G/L entries' document number (journal-batch.ts);
// invoices and credit memos as sales documents found by their external document number
// (sales-document.ts). BC has no idempotency key, so every delivery looks first and carries on from what
// BC holds. Settings and the secret are read at every use (a rotated secret needs no restart); the token
// cache is what connectors of the kind share.

export interface BusinessCentralContext {
  clock: Clock;
  tokens: TokenCache;
}

export function createBusinessCentralContext(clock: Clock = systemClock): BusinessCentralContext {
  return { clock, tokens: new TokenCache() };
}

const sharedContext = createBusinessCentralContext();

/**
 * How many request timeouts one delivery may take before its outcome counts as unknown: a token, the
 * look-ups, the batch or header, the lines, the post and the read-back, at ordinary speed, fit many times
 * over. A delivery cut off past it loses nothing: the next attempt carries on from what BC holds, so the
 * bound (and the dispatcher's lease, twice it) is kept short rather than sized for the slowest case.
 */
const TIMEOUTS_PER_DELIVERY = 8;

/**
 * External ids read back in one request (an `or` of them in `$filter`). Microsoft documents no URL limit
 * for the API; 30 ids of at most 20 characters keep the query string under 2,048 characters, the
 * common default of the web servers in front of such services.
 */
export const IDS_PER_REQUEST = 30;

const inBatches = <T>(items: readonly T[]): T[][] =>
  Array.from({ length: Math.ceil(items.length / IDS_PER_REQUEST) }, (_, index) =>
    items.slice(index * IDS_PER_REQUEST, (index + 1) * IDS_PER_REQUEST),
  );

export function createBusinessCentralConnector(
  target: TargetDefinition,
  secrets: SecretResolver,
  context: BusinessCentralContext = sharedContext,
): Connector {
  const now = () => context.clock.now();

  /** A client for one call; a read's client awaits its pace before each request. */
  async function connect(pace?: ReadPace): Promise<BusinessCentralClient> {
    const settings = readSettings(target);
    const secret = await readSecret(target, secrets);
    const authorizer = createAuthorizer(settings, secret, { tokens: context.tokens, targetKey: target.key, now });
    return createBusinessCentralClient({ settings, authorizer, now, pace });
  }

  const { timeoutMs } = target.settings;
  return {
    target,
    deliveryTimeoutMs: typeof timeoutMs === 'number' && timeoutMs > 0 ? timeoutMs * TIMEOUTS_PER_DELIVERY : undefined,

    async deliver(posted: PostingBody, signal: AbortSignal): Promise<TargetDocument> {
      const body = ledgerBody(posted, target.kind);
      // Mapped first: a body BC cannot take is invalid whatever the state of the credentials.
      const settings = readSettings(target);
      if (body.type === 'journal') toJournalLines(body, settings);
      else toSalesPlan(body, settings);
      const client = await connect();
      return body.type === 'journal'
        ? deliverJournal(client, body, settings, signal)
        : deliverSalesDocument(client, body, settings, signal);
    },

    async find(posted: PostingBody, signal: AbortSignal, read?: ReadContext): Promise<HeldDocument | undefined> {
      const body = ledgerBody(posted, target.kind);
      // An external id BC cannot hold as a document number was never delivered (deliver refuses it).
      if (!EXTERNAL_ID.test(body.externalId)) return undefined;
      const settings = readSettings(target);
      const client = await connect(read?.pace);
      return body.type === 'journal'
        ? findPostedEntry(client, body.externalId, signal)
        : findSalesDocument(client, body, settings, signal);
    },

    findManyBatch: IDS_PER_REQUEST,
    async findMany(
      bodies: readonly PostingBody[],
      signal: AbortSignal,
      pace?: ReadPace,
    ): Promise<Map<string, HeldDocument>> {
      const settings = readSettings(target);
      const client = await connect(pace);
      // Only ids BC can hold as document numbers (A-Z 0-9 _ -) are quoted into a filter: no other was delivered.
      const ledger = bodies
        .map((body) => ledgerBody(body, target.kind))
        .filter((body) => EXTERNAL_ID.test(body.externalId));
      const ofType = (type: ErpDocument['type']) => ledger.filter((body): body is ErpDocument => body.type === type);
      const journals = ledger.filter((body) => body.type === 'journal').map((body) => body.externalId);
      const found = new Map<string, HeldDocument>();
      for (const batch of inBatches(journals))
        for (const [id, held] of await findPostedEntries(client, batch, signal)) found.set(id, held);
      for (const type of ['invoice', 'credit_memo'] as const)
        for (const batch of inBatches(ofType(type)))
          for (const [id, held] of await findSalesDocuments(client, batch, settings, signal)) found.set(id, held);
      return found;
    },

    async listHeld(range, signal, pace): Promise<ListedDocument[]> {
      const dates = checkedRange(range);
      const settings = readSettings(target);
      const client = await connect(pace);
      return [
        ...(await listPostedEntries(client, dates, signal)),
        ...(await listSalesDocuments(client, dates, settings, signal)),
      ];
    },
  };
}

/** The kind for the registry; settings and modes are the catalog's, never restated here. */
export function createBusinessCentralKind(context: BusinessCentralContext = sharedContext): ConnectorKind {
  return {
    kind: 'business-central',
    modes: TARGET_KIND_SPECS['business-central'].modes,
    settingsSchema: TARGET_KIND_SPECS['business-central'].settingsSchema,
    create: (target, secrets) => createBusinessCentralConnector(target, secrets, context),
  };
}

export const businessCentralKind: ConnectorKind = createBusinessCentralKind();
