import type { Billing, Invoice } from '../billing/index.js';
import type { CatalogService } from '../catalog/index.js';
import type { JournalEntry, PostingBody } from '../connectors/index.js';
import type { Posting } from '../outbox/index.js';
import { AccountingError } from './accounting.js';
import { summarizeInto } from './journal-entry.js';
import { documentJournalLines } from './journal-lines.js';
import { erpDocumentFor } from './erp-document.js';
import { postsVoid } from './posting-planner.js';

/** Postings not rendered from documents: an accrual and its reversal are built from drafts as they were. */
const NOT_RENDERED = new Set(['accrual', 'reversal']);

/**
 * Renders a posting's document again from the current catalog, for a retry after the mapping was fixed:
 * the same documents (the invoice lines its references name, each as posted: the document or its void),
 * the same header and external id, the accounts and dimensions as the catalog says now. Undefined when
 * the catalog no longer posts the entity, or for an accrual (the stored document is sent as it was).
 */
export function createPostingRenderer({
  catalog,
  billing,
}: {
  catalog: CatalogService;
  billing: Pick<Billing, 'get'>;
}) {
  return async (posting: Posting): Promise<PostingBody | undefined> => {
    const current = (await catalog.current())?.catalog;
    const body = posting.body;
    // A billing platform's hand-off is sent as built: its items are the document's lines, not a mapping.
    if (body.type === 'billing_items' || body.type === 'usage_events') return undefined;
    const entity = current?.legalEntities.find((candidate) => candidate.code === body.legalEntity);
    const accounting = entity?.accounting;
    if (!current || !entity || !accounting || NOT_RENDERED.has(posting.kind)) return undefined;
    const contextFor = (document: Invoice) => {
      const customer = current.customers.find((candidate) => candidate.key === document.customer);
      if (!customer)
        throw new AccountingError(`customer ${document.customer} is not in the current catalog`, document.id);
      return { entity: { ...entity, accounting }, customer, catalog: current };
    };
    if (body.type !== 'journal') {
      const source = body.lines[0]?.reference.invoiceId ?? body.source?.invoiceId;
      if (source === undefined) return undefined;
      const document = await billing.get(source);
      return erpDocumentFor(document, contextFor(document), posting.targetKey, postsVoid(posting));
    }
    const header = {
      externalId: body.externalId,
      legalEntity: body.legalEntity,
      currency: body.currency,
      postingDate: body.postingDate,
      memo: body.memo,
    };
    let entry: JournalEntry | undefined;
    for (const { invoiceId, voided } of contributions(body)) {
      const document = await billing.get(invoiceId);
      entry = summarizeInto(entry ?? header, documentJournalLines(document, contextFor(document), voided));
    }
    return entry;
  };
}

/** What an entry summarizes, in order: each document once as posted, and once more if its void is in it too. */
function contributions(entry: JournalEntry): { invoiceId: string; voided: boolean }[] {
  const seen = new Map<string, { invoiceId: string; voided: boolean }>();
  for (const line of entry.lines)
    for (const { invoiceId, voided } of line.references) {
      const key = `${invoiceId}\n${voided === true}`;
      if (!seen.has(key)) seen.set(key, { invoiceId, voided: voided === true });
    }
  return [...seen.values()];
}
