import { systemClock, type Clock } from '../../../platform/clock.js';
import {
  type Connector,
  type ConnectorKind,
  type PostingBody,
  type SecretResolver,
  type TargetDefinition,
  type TargetDocument,
  ledgerBody,
} from '../connector.js';
import { TARGET_KIND_SPECS } from '../target-kinds.js';
import { createSapClient, type SapClient } from './sap-client.js';
import { DOCUMENT_REFERENCE, toSapJournalEntry } from './sap-mapping.js';
import { companyCodeOf, readSecret, readSettings } from './sap-settings.js';
import { buildBulkRequest } from './sap-soap.js';

// SAP S/4HANA Cloud as a delivery target, journal mode: each posting is one JournalEntryBulkCreateRequest
// to Journal Entry - Post (Synchronous), its external id in DocumentReferenceID. SAP has no idempotency
// key and posts a second document for a reference it already holds, so a delivery never repeats blindly:
// the dispatcher reads back with find() (the item cube filtered by DocumentReferenceID and CompanyCode)
// before any retry whose outcome is unknown, and adopts what it finds. Settings and the secret are read at
// every use, so a rotated password needs no restart.

export function createSapConnector(
  target: TargetDefinition,
  secrets: SecretResolver,
  clock: Clock = systemClock,
): Connector {
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

    async find(posted: PostingBody, signal: AbortSignal): Promise<TargetDocument | undefined> {
      const body = ledgerBody(posted, target.kind);
      // A reference SAP cannot hold was never delivered (deliver refuses it before any request).
      if (!DOCUMENT_REFERENCE.test(body.externalId)) return undefined;
      const settings = readSettings(target);
      const companyCode = companyCodeOf(settings, body.legalEntity);
      if (!/^[A-Z0-9]{1,4}$/.test(companyCode)) return undefined;
      const [first] = await (await connect()).findDocuments(body.externalId, companyCode, signal);
      return first && { id: `${first.companyCode}/${first.fiscalYear}/${first.accountingDocument}` };
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
