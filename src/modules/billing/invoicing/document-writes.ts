import { createHash, randomUUID } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import type { Queryable } from '../../../platform/database/database.js';
import type { CatalogLookup } from './catalog-lookup.js';
import { completeDraft } from './invoice-draft.js';
import { invoiceDocument, loadCreditLedger, memoDocument, prepaidLines } from '../credits/prepaid-credits.js';
import { lockCredits } from '../credits/credit-repository.js';
import * as repository from './invoice-repository.js';
import type { DraftHeader, InvoiceDraft, LineContent } from '../billing.js';

const canonicalJson = configure({ deterministic: true }) as (value: unknown) => string;

/** A document a billing run has drafted the lines of, before prepaid credits, tax and totals. */
export interface PendingDocument {
  header: DraftHeader;
  contents: LineContent[];
  /** What the period's in-advance fees come to when other documents bill them (advanceFeeExpectations). */
  advanceFees?: Record<string, string>;
  /** A memo: the finalized invoice it corrects. */
  correctsInvoiceId?: string;
  /** A reissued invoice: the voided one it replaces. */
  replacesInvoiceId?: string;
}

export interface WriteContext {
  lookup: CatalogLookup;
  runId: string;
  now: Date;
  finalizeAfter: Date;
}

export interface WriteCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface WrittenDocuments {
  invoices: WriteCounts & { finalized: number };
  memos: WriteCounts;
  /** Documents created or updated, with their new content. */
  written: { id: string; draft: InvoiceDraft; replacesInvoiceId?: string; created: boolean }[];
}

const contentHash = (draft: InvoiceDraft): string => {
  const { catalogVersion: _version, ...content } = draft;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
};

/**
 * Completes the run's documents in order (earlier periods draw prepaid credit first) and writes them in
 * a few statements: new ones inserted, drafts whose content changed rewritten, unchanged drafts left
 * alone. A period already finalized is never redrafted; its credit draws stay as they are.
 */
export async function writeDocuments(
  tx: Queryable,
  documents: readonly PendingDocument[],
  context: WriteContext,
): Promise<WrittenDocuments> {
  const invoices = await repository.findInvoicesFor(
    tx,
    documents
      .filter((pending) => !pending.correctsInvoiceId)
      .map((pending) => ({
        subscriptionKey: pending.header.subscription.key,
        periodStart: pending.header.period.start.toISOString(),
      })),
  );
  const withCredits = [
    ...new Set(
      documents
        .filter((pending) => pending.header.subscription.credits?.length)
        .map((pending) => pending.header.subscription.key),
    ),
  ];
  if (withCredits.length > 0) await lockCredits(tx);
  const ledger = await loadCreditLedger(tx, withCredits);
  const result: WrittenDocuments = {
    invoices: { created: 0, updated: 0, unchanged: 0, finalized: 0 },
    memos: { created: 0, updated: 0, unchanged: 0 },
    written: [],
  };
  const inserts: repository.InvoiceWrite[] = [];
  const replaces: repository.InvoiceWrite[] = [];
  for (const pending of documents) {
    const { header, correctsInvoiceId, replacesInvoiceId } = pending;
    const periodStart = header.period.start.toISOString();
    const existing = correctsInvoiceId
      ? await repository.findDraftMemo(tx, correctsInvoiceId)
      : invoices.get(repository.periodKey(header.subscription.key, periodStart));
    if (existing && existing.status !== 'draft') {
      result.invoices.finalized += 1;
      continue;
    }
    const plan = context.lookup.plan(header.subscription.plan);
    const prepaid = plan
      ? prepaidLines({
          ledger,
          document: correctsInvoiceId ? memoDocument(correctsInvoiceId) : invoiceDocument(periodStart),
          plan,
          subscription: header.subscription,
          customer: header.customer,
          covered: header.covered,
          contents: pending.contents,
        })
      : [];
    const draft = completeDraft(header, [...pending.contents, ...prepaid], pending.advanceFees);
    const hash = contentHash(draft);
    const counts = correctsInvoiceId ? result.memos : result.invoices;
    const write: repository.InvoiceWrite = {
      id: existing?.id ?? `${correctsInvoiceId ? 'memo' : 'inv'}_${randomUUID()}`,
      draft,
      contentHash: hash,
      runId: context.runId,
      now: context.now,
      finalizeAfter: context.finalizeAfter,
      correctsInvoiceId,
      replacesInvoiceId,
    };
    if (!existing) {
      inserts.push(write);
      counts.created += 1;
    } else if (existing.contentHash === hash) {
      counts.unchanged += 1;
      continue;
    } else {
      replaces.push(write);
      counts.updated += 1;
    }
    result.written.push({ id: write.id, draft, replacesInvoiceId, created: !existing });
  }
  await repository.insertInvoices(tx, inserts);
  await repository.replaceDrafts(tx, replaces);
  return result;
}
