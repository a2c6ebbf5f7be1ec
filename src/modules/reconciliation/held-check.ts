import { Decimal } from 'decimal.js';
import type { Invoice } from '../billing/index.js';
import type { Catalog } from '../catalog/index.js';
import type { Connector, HeldDocument } from '../connectors/index.js';
import type { Posting } from '../outbox/index.js';
import { carriedInvoices } from './carried-invoices.js';
import { createPacedReader } from './read-back.js';
import { NO_PLACE, type NewMismatch, type UnverifiedTarget } from './reconciliation.js';
import { placeDifferences, sentLines, sentTotal } from './sent-figures.js';
import type { TargetPace } from './target-pace.js';

// The fourth stage: each delivered posting against what its target holds, read back through its
// connector at the target's pace — the id it holds the external id under, and where the read-back says
// them, its total and its lines summed per account. A target that cannot be read back is unverified.

export interface PeriodDocument {
  invoice: Invoice;
  /** Targets that must carry it, and whether a delivered posting to each does, and was found there. */
  expected: Set<string>;
  carried: Map<string, { delivered: boolean; verified: boolean }>;
}

/** A mismatch's place and ids, from the posting it is about. */
export const postingPlace = (posting: Posting) => ({
  ...NO_PLACE,
  legalEntity: posting.legalEntity,
  targetKey: posting.targetKey,
  postingId: posting.id,
  externalId: posting.externalId,
});

/** Each delivered posting read back at its target's pace; a target that cannot be read is unverified. */
export async function readBack(
  deps: { connectorFor(targetKey: string): Promise<Connector | undefined> },
  catalog: Catalog | undefined,
  postings: readonly Posting[],
  documents: Map<string, PeriodDocument>,
  report: (mismatch: NewMismatch) => void,
  paceOf: (targetKey: string) => TargetPace,
): Promise<{ read: number; readIds: string[]; unverified: UnverifiedTarget[] }> {
  const byTarget = new Map<string, Posting[]>();
  for (const posting of postings) {
    const list = byTarget.get(posting.targetKey) ?? [];
    list.push(posting);
    byTarget.set(posting.targetKey, list);
  }
  const unverified: UnverifiedTarget[] = [];
  let read = 0;
  const readIds: string[] = [];
  for (const [targetKey, list] of byTarget) {
    const connector = await deps.connectorFor(targetKey);
    const reader = connector && createPacedReader(connector, paceOf(targetKey));
    if (!connector || !reader) {
      unverified.push({
        targetKey,
        reason: `target ${targetKey} is not in the current catalog, or its kind has no connector`,
        postingsUnread: list.length,
      });
      for (const posting of list) unverify(posting, documents);
      continue;
    }
    const readable = list.filter((posting) => connector.readsBack?.(posting.body) ?? true);
    if (readable.length < list.length) {
      const skipped = list.filter((posting) => !readable.includes(posting));
      unverified.push({
        targetKey,
        reason: `a ${connector.target.kind} target cannot be read back for ${[...new Set(skipped.map((posting) => posting.kind))].join(', ')} postings`,
        postingsUnread: skipped.length,
      });
      for (const posting of skipped) unverify(posting, documents);
    }
    for (let from = 0; from < readable.length; from += reader.batchSize) {
      const batch = readable.slice(from, from + reader.batchSize);
      const result = await reader.read(
        batch.map((posting) => ({ body: posting.body, queuedAt: new Date(posting.createdAt) })),
      );
      if (result.outcome === 'unreadable') {
        const left = readable.slice(from);
        unverified.push({
          targetKey,
          reason: `reading ${targetKey} back failed: ${result.reason}`,
          postingsUnread: left.length,
        });
        for (const posting of left) unverify(posting, documents);
        break;
      }
      read += batch.length;
      readIds.push(...batch.map((posting) => posting.id));
      batch.forEach((posting, index) => checkHeld(posting, result.held[index] ?? null, documents, report));
    }
  }
  return { read, readIds, unverified };
}

/** What the target holds for a delivered posting, against what the delivery recorded and sent. */
function checkHeld(
  posting: Posting,
  held: HeldDocument | null,
  documents: Map<string, PeriodDocument>,
  report: (mismatch: NewMismatch) => void,
): void {
  const common = { ...postingPlace(posting), targetDocumentId: posting.targetDocumentId };
  if (held === null) {
    unverify(posting, documents);
    report({
      ...common,
      class: 'posting_missing_in_target',
      detail: `posting ${posting.id} (${posting.kind} ${posting.externalId}) was delivered to ${posting.targetKey}${posting.targetDocumentId ? ` as ${posting.targetDocumentId}` : ''}, but the target holds nothing under its external id`,
      action: 'repairable: put back in line, it is read back and sent again by the dispatcher (--repair)',
    });
    return;
  }
  if (posting.targetDocumentId !== null && held.id !== posting.targetDocumentId)
    report({
      ...common,
      class: 'document_differs_in_target',
      actual: held.id,
      detail: `${posting.targetKey} holds ${posting.externalId} as ${held.id}, not as ${posting.targetDocumentId}, which the delivery recorded: a second document, or one replaced by hand`,
      action: `a person must look in ${posting.targetKey} at both documents and keep one`,
    });
  const sent = sentTotal(posting.body);
  const heldTotal = held.total === undefined ? undefined : new Decimal(held.total).toFixed();
  const totalDiffers = heldTotal !== undefined && sent !== undefined && !new Decimal(heldTotal).equals(sent);
  if (totalDiffers) {
    unverify(posting, documents);
    report({
      ...common,
      class: 'amount_mismatch',
      expected: sent,
      actual: heldTotal,
      detail: `${posting.targetKey} holds ${posting.kind} ${posting.externalId} (${held.id}) with a total of ${heldTotal}, where Meterbridge sent ${sent}: edited by hand in the target, or posted with other amounts`,
      action: `a person must compare document ${held.id} in ${posting.targetKey} with posting ${posting.id} (GET /v1/postings/${posting.id}) and correct the ledger`,
    });
  }
  const sentByPlace = sentLines(posting.body);
  const moved = !totalDiffers && held.lines && sentByPlace ? placeDifferences(sentByPlace, held.lines) : [];
  if (moved.length > 0) {
    unverify(posting, documents);
    const places = moved.map(({ place, sent: was, held: is }) => `${place} ${is} (sent ${was})`).join(', ');
    report({
      ...common,
      class: 'account_mismatch',
      expected: moved.map(({ place, sent: was }) => `${place}=${was}`).join('; '),
      actual: moved.map(({ place, held: is }) => `${place}=${is}`).join('; '),
      detail: `${posting.targetKey} holds ${posting.kind} ${posting.externalId} (${held.id}) with its total as sent, but booked otherwise: ${places}`,
      action: `a person must compare document ${held.id} in ${posting.targetKey} with posting ${posting.id} (GET /v1/postings/${posting.id}) and move the amounts back, or correct the mapping that put them there`,
    });
  }
}

export function unverify(posting: Posting, documents: Map<string, PeriodDocument>): void {
  for (const id of carriedInvoices(posting.body)) {
    const entry = documents.get(id);
    const mark = entry?.carried.get(posting.targetKey);
    if (entry && mark) entry.carried.set(posting.targetKey, { ...mark, verified: false });
  }
}
