import type { Connector, ListedDocument } from '../connectors/index.js';
import { NO_PLACE, type NewMismatch, type UnverifiedTarget } from './reconciliation.js';
import type { TargetPace } from './target-pace.js';
import { waitingOutThrottles } from './throttled-read.js';

// What a target holds that no posting explains: documents listed from the target by date (where its
// connector can list), under an external id of Meterbridge's shape that no posting of the target has
// (created by another Meterbridge store, or by hand copying one), or under one external id twice.
// Documents without such an id belong to the ledger's other users and are not Meterbridge's to judge.

/**
 * How long a whole listing may take: every page of a month, each waiting its paced turn (at half of a slow
 * target's rate, many seconds apart), so a bound for all of them rather than one request's.
 */
const LISTING_TIMEOUT_MS = 10 * 60_000;

/** Every external id Meterbridge makes (accounting/external-id.ts): a letter, `-`, 14 base32 characters. */
const MB_EXTERNAL_ID = /^[A-Z]-[A-Z2-7]{14}$/;

export interface ListingScope {
  /** Documents dated from the period's start to today, YYYY-MM-DD. */
  from: string;
  to: string;
}

export async function reconcileListing(
  targetKey: string,
  connector: Connector,
  scope: ListingScope,
  knownExternalIds: (targetKey: string, externalIds: readonly string[]) => Promise<Set<string>>,
  report: (mismatch: NewMismatch) => void,
  target: TargetPace,
): Promise<UnverifiedTarget | undefined> {
  if (!connector.listHeld) return undefined;
  let listed: ListedDocument[];
  try {
    // A listing a throttle interrupted is asked again, a few times, after the target's Retry-After.
    listed = await waitingOutThrottles(() =>
      target.read((pace) =>
        connector.listHeld!(
          scope,
          AbortSignal.timeout(Math.max(connector.deliveryTimeoutMs ?? 0, LISTING_TIMEOUT_MS)),
          pace,
        ),
      ),
    );
  } catch (error) {
    return {
      targetKey,
      reason: `listing ${targetKey}'s documents from ${scope.from} to ${scope.to} failed: ${error instanceof Error ? error.message : String(error)}`,
      postingsUnread: 0,
    };
  }
  const byExternalId = new Map<string, ListedDocument[]>();
  for (const document of listed)
    if (document.externalId !== null && MB_EXTERNAL_ID.test(document.externalId))
      byExternalId.set(document.externalId, [...(byExternalId.get(document.externalId) ?? []), document]);
  const known = await knownExternalIds(targetKey, [...byExternalId.keys()]);
  for (const [externalId, documents] of byExternalId) {
    const common = { ...NO_PLACE, targetKey, externalId, targetDocumentId: documents[0]!.id };
    if (!known.has(externalId))
      report({
        ...common,
        class: 'unknown_document_in_target',
        actual: documents[0]!.total ?? null,
        detail: `${targetKey} holds ${documents[0]!.type} ${documents[0]!.id} under external id ${externalId}, which no posting of this Meterbridge has`,
        action: `a person must find where document ${documents[0]!.id} came from (another Meterbridge store, a copy made by hand) and keep or reverse it`,
      });
    if (documents.length > 1)
      report({
        ...common,
        class: 'duplicate_in_target',
        expected: '1',
        actual: String(documents.length),
        detail: `${targetKey} holds ${documents.length} documents under external id ${externalId}: ${documents.map((document) => `${document.type} ${document.id}`).join(', ')}`,
        action: `a person must keep one of them in ${targetKey} and reverse the others`,
      });
  }
  return undefined;
}
