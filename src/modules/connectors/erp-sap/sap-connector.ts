import { systemClock, type Clock } from '../../../platform/clock.js';
import {
  type Connector,
  type ConnectorKind,
  DeliveryFailure,
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
import { createSapClient, type SapClient } from './sap-client.js';
import { groupEntries, heldDocument, ITEM_FIELDS, listedDocument } from './sap-held.js';
import { DOCUMENT_REFERENCE, toSapJournalEntry } from './sap-mapping.js';
import {
  COMPANY_CODE,
  isIsoDate,
  postingDatesFilter,
  REFERENCES_PER_QUERY,
  referencesFilter,
} from './sap-read-back.js';
import { companyCodeOf, readSecret, readSettings, type SapSettings } from './sap-settings.js';
import { buildBulkRequest } from './sap-soap.js';

// SAP S/4HANA Cloud as a delivery target, journal mode: each posting is one JournalEntryBulkCreateRequest
// to Journal Entry - Post (Synchronous), its external id in DocumentReferenceID. SAP has no idempotency
// key and posts a second document for a reference it already holds, so a delivery never repeats blindly:
// the dispatcher reads back with find() (the item cube filtered by DocumentReferenceID and CompanyCode)
// before any retry whose outcome is unknown, and adopts what it finds. The same cube answers each entry's
// items, so find, findMany (many references per query) and listHeld (the company codes' entries by posting
// date) read totals and lines with no further request; a read given reconciliation's pace awaits it before
// each page it asks for. Settings and the secret are read at every use, so a rotated password needs no
// restart.

/** The company code a body's entry is held in, or undefined when deliver would have refused it. */
function heldIn(settings: SapSettings, body: PostingBody, kind: string): string | undefined {
  const entry = ledgerBody(body, kind);
  // A reference or company code SAP cannot hold was never delivered (deliver refuses it before any request).
  const companyCode = companyCodeOf(settings, entry.legalEntity);
  return DOCUMENT_REFERENCE.test(entry.externalId) && COMPANY_CODE.test(companyCode) ? companyCode : undefined;
}

/** Every company code the target posts to: where listHeld looks. */
const companyCodesOf = (settings: SapSettings) =>
  [...new Set([settings.companyCode, ...Object.values(settings.companyCodes)])].filter((code) =>
    COMPANY_CODE.test(code),
  );

export interface SapConnector extends Connector {
  findMany(bodies: readonly PostingBody[], signal: AbortSignal, pace?: ReadPace): Promise<Map<string, HeldDocument>>;
  readonly findManyBatch: number;
  listHeld(range: { from: string; to: string }, signal: AbortSignal, pace?: ReadPace): Promise<ListedDocument[]>;
}

export function createSapConnector(
  target: TargetDefinition,
  secrets: SecretResolver,
  clock: Clock = systemClock,
): SapConnector {
  async function connect(): Promise<SapClient> {
    const settings = readSettings(target);
    const secret = await readSecret(target, settings.auth, secrets);
    return createSapClient({ settings, secret, now: () => clock.now() });
  }

  const { timeoutMs } = target.settings;
  return {
    target,
    // One delivery is one request.
    deliveryTimeoutMs: typeof timeoutMs === 'number' && timeoutMs > 0 ? timeoutMs : undefined,

    async deliver(body: PostingBody, signal: AbortSignal): Promise<TargetDocument> {
      // Mapped first: a body SAP cannot take is invalid whatever the state of the credentials.
      const entry = toSapJournalEntry(body, readSettings(target));
      const client = await connect();
      const xml = buildBulkRequest(entry, `MB-${body.externalId}`, clock.now());
      return { id: await client.post(xml, entry.DocumentReferenceID, signal) };
    },

    async find(posted: PostingBody, signal: AbortSignal, read?: ReadContext): Promise<HeldDocument | undefined> {
      const companyCode = heldIn(readSettings(target), posted, target.kind);
      if (companyCode === undefined) return undefined;
      const rows = await (
        await connect()
      ).readItems(referencesFilter(companyCode, [posted.externalId]), ITEM_FIELDS, signal, read?.pace);
      // Rows of another reference or company code (a filter the service ignored) are not this posting's;
      // of two entries under one reference, the oldest is the one adopted.
      const [first] = groupEntries(rows).filter(
        (entry) => entry.reference === posted.externalId && entry.companyCode === companyCode,
      );
      return first && heldDocument(first);
    },

    findManyBatch: REFERENCES_PER_QUERY,
    async findMany(bodies, signal, pace): Promise<Map<string, HeldDocument>> {
      const settings = readSettings(target);
      const byCompanyCode = new Map<string, string[]>();
      for (const body of bodies) {
        const companyCode = heldIn(settings, body, target.kind);
        if (companyCode !== undefined)
          byCompanyCode.set(companyCode, [...(byCompanyCode.get(companyCode) ?? []), body.externalId]);
      }
      const client = await connect();
      const found = new Map<string, HeldDocument>();
      for (const [companyCode, references] of byCompanyCode)
        for (let start = 0; start < references.length; start += REFERENCES_PER_QUERY) {
          const batch = references.slice(start, start + REFERENCES_PER_QUERY);
          const rows = await client.readItems(referencesFilter(companyCode, batch), ITEM_FIELDS, signal, pace);
          // Oldest first: the first entry of a reference is the one find adopts.
          for (const entry of groupEntries(rows))
            if (entry.companyCode === companyCode && batch.includes(entry.reference) && !found.has(entry.reference))
              found.set(entry.reference, heldDocument(entry));
        }
      return found;
    },

    async listHeld(range, signal, pace): Promise<ListedDocument[]> {
      if (!isIsoDate(range.from) || !isIsoDate(range.to))
        throw new DeliveryFailure('invalid', `a date range is two YYYY-MM-DD dates, not ${range.from}..${range.to}`);
      const settings = readSettings(target);
      const client = await connect();
      const listed: ListedDocument[] = [];
      for (const companyCode of companyCodesOf(settings)) {
        const rows = await client.readItems(postingDatesFilter(companyCode, range), ITEM_FIELDS, signal, pace);
        // Entries outside the range or company code (a filter the service ignored) are not asked for.
        for (const entry of groupEntries(rows))
          if (entry.companyCode === companyCode && entry.postingDate >= range.from && entry.postingDate <= range.to)
            listed.push(listedDocument(entry));
      }
      return listed;
    },
  };
}

/** The kind for the registry; settings and modes are the catalog's, never restated here. */
export function createSapKind(clock: Clock = systemClock): ConnectorKind {
  return {
    kind: 'sap-s4hana',
    modes: TARGET_KIND_SPECS['sap-s4hana'].modes,
    settingsSchema: TARGET_KIND_SPECS['sap-s4hana'].settingsSchema,
    create: (target, secrets) => createSapConnector(target, secrets, clock),
  };
}

export const sapKind: ConnectorKind = createSapKind();
