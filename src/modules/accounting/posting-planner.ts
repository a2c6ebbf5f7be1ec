import type { Queryable } from '../../platform/database/database.js';
import type { DocumentListener, Invoice } from '../billing/index.js';
import { cachedCatalogVersions, type Catalog, type CatalogService } from '../catalog/index.js';
import type { JournalLine, TargetDefinition } from '../connectors/index.js';
import { erpDocumentFor } from './erp-document.js';
import { collect, insertPostingsNow, type NewPosting, type Posting } from '../outbox/index.js';
import { AccountingError } from './accounting.js';
import { handOffPostings } from './billing-hand-off.js';
import { correctionGroup } from './correction-group.js';
import { externalIdFor } from './external-id.js';
import { summarizeInto } from './journal-entry.js';
import { documentJournalLines, type DocumentContext } from './journal-lines.js';
import { postingDateOf, summaryDueAt } from './posting-date.js';

export interface PostingPlannerDependencies {
  catalog: CatalogService;
  /** The billing grace period: how long a period's drafts take to finalize on their own. */
  graceHours: number;
}

type PostedEntity = DocumentContext['entity'];

/**
 * Turns each finalized document into its postings, in the finalizing transaction, by the current catalog:
 * in journal mode its lines join the summarized entry of its entity, currency and posting date (the
 * date's open entry, or its next one once the open one is on its way), a correction's (a void's, a
 * memo's) held until the corrected invoice's entry is delivered (correction-group.ts); in invoice mode
 * it becomes one ERP invoice or credit memo, a memo after the document it corrects. Entities without
 * accounting are not posted.
 */
export function createPostingPlanner({ catalog, graceHours }: PostingPlannerDependencies): DocumentListener {
  const versions = cachedCatalogVersions(catalog);
  async function currentCatalog(tx: Queryable): Promise<Catalog | undefined> {
    const version = await catalog.currentVersionNumber(tx);
    return version === undefined ? undefined : versions(version, tx);
  }
  /** The document's entity posts: its target and what its lines are mapped with; else undefined. */
  function postingOf(current: Catalog, document: Invoice) {
    const entity = current.legalEntities.find((candidate) => candidate.code === document.legalEntity);
    const accounting = entity?.accounting;
    if (!entity || !accounting) return undefined;
    const target = current.targets?.find((candidate) => candidate.key === accounting.target);
    if (!target) throw new AccountingError(`legal entity ${entity.code} posts to an undeclared target`, document.id);
    return { target, context: contextOf(current, { ...entity, accounting }, document) };
  }

  return {
    async documentFinalized(tx, document, at) {
      const current = await currentCatalog(tx);
      if (!current) return;
      await insertPostingsNow(tx, await handOffPostings(tx, current, document), at);
      const posted = postingOf(current, document);
      if (!posted) return;
      const { context, target } = posted;
      const { accounting } = context.entity;
      if (accounting.mode === 'invoice') return insertPostingsNow(tx, [erpPosting(document, context, target)], at);
      const postingDate = postingDateOf(document, accounting.postingDate, at);
      const lines = documentJournalLines(document, context);
      await addToJournal(tx, lines, document.currency, context, target, postingDate, at, document.correctsInvoice);
    },
    // A void is posted on the day it happens: its lines reversed into that day's entry, or a credit memo
    // of the whole invoice; either is sent after the invoice itself.
    async documentVoided(tx, document, at) {
      const current = await currentCatalog(tx);
      if (!current) return;
      await insertPostingsNow(tx, await handOffPostings(tx, current, document, true), at);
      const posted = postingOf(current, document);
      if (!posted) return;
      const { context, target } = posted;
      if (context.entity.accounting.mode === 'invoice')
        return insertPostingsNow(tx, [erpPosting(document, context, target, true)], at);
      const lines = documentJournalLines(document, context, true);
      const voidDate = at.toISOString().slice(0, 10);
      await addToJournal(tx, lines, document.currency, context, target, voidDate, at, document.id);
    },
  };

  async function addToJournal(
    tx: Queryable,
    lines: JournalLine[],
    currency: string,
    context: DocumentContext,
    target: TargetDefinition,
    postingDate: string,
    at: Date,
    /** The invoice these lines correct (a void's or a memo's): they are sent only after it. */
    corrects?: string | null,
  ): Promise<void> {
    const { code, accounting } = context.entity;
    const dateKey = `${code}|${currency}|${postingDate}`;
    const { groupKey, after } = corrects
      ? await correctionGroup(tx, target.key, dateKey, corrects)
      : { groupKey: dateKey, after: undefined };
    const held = after ? `, corrections of ${after}` : '';
    await collect(
      tx,
      {
        targetKey: target.key,
        groupKey,
        dueAt: summaryDueAt(postingDate, accounting.postingDate, graceHours),
        build(current, sequence): NewPosting {
          const externalId = externalIdFor('journal', target.key, groupKey, String(sequence));
          const header = {
            externalId,
            legalEntity: code,
            currency,
            postingDate,
            memo: `Meterbridge usage revenue ${code} ${currency} ${postingDate}${held}${sequence > 1 ? ` (${sequence})` : ''}`,
          };
          const base = current?.type === 'journal' ? current : header;
          return {
            targetKey: target.key,
            externalId,
            kind: 'journal',
            subject: `journal:${groupKey}:${sequence}`,
            legalEntity: code,
            period: postingDate.slice(0, 7),
            body: summarizeInto(base, lines),
            after,
          };
        },
      },
      at,
    );
  }
}

function contextOf(catalog: Catalog, entity: PostedEntity, document: Invoice): DocumentContext {
  const customer = catalog.customers.find((candidate) => candidate.key === document.customer);
  if (!customer) throw new AccountingError(`customer ${document.customer} is not in the current catalog`, document.id);
  return { entity, customer, catalog };
}

const VOID_SUBJECT = 'void:';

/** An invoice-mode posting that voids its document (a credit memo of an invoice), not the document itself. */
export const postsVoid = (posting: Pick<Posting, 'subject'>): boolean => posting.subject.startsWith(VOID_SUBJECT);

/** Invoice mode: one ERP document per Meterbridge document; a memo credits (or debits) the one it corrects. */
function erpPosting(
  document: Invoice,
  context: DocumentContext,
  target: TargetDefinition,
  voiding = false,
): NewPosting {
  const body = erpDocumentFor(document, context, target.key, voiding);
  return {
    targetKey: target.key,
    externalId: body.externalId,
    kind: body.type,
    subject: `${voiding ? VOID_SUBJECT : 'invoice:'}${document.id}`,
    legalEntity: document.legalEntity,
    period: document.periodStart.slice(0, 7),
    body,
    after: body.corrects,
  };
}
