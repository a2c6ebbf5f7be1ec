import type { Billing, Invoice } from '../billing/index.js';
import type { CatalogService } from '../catalog/index.js';
import type { JournalEntry, PostingBody } from '../connectors/index.js';
import type { Posting } from '../outbox/index.js';
import { AccountingError } from './accounting.js';
import { summarizeInto } from './journal-entry.js';
import { documentJournalLines } from './journal-lines.js';
import { erpDocumentFor } from './erp-document.js';

/**
 * Renders a posting's document again from the current catalog, for a retry after the mapping was fixed:
 * the same documents (the invoice lines its references name), the same header and external id, the
 * accounts and dimensions as the catalog says now. Undefined when the catalog no longer posts the entity
 * (the stored document is sent as it was).
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
    const entity = current?.legalEntities.find((candidate) => candidate.code === body.legalEntity);
    const accounting = entity?.accounting;
    if (!current || !entity || !accounting) return undefined;
    const contextFor = (document: Invoice) => {
      const customer = current.customers.find((candidate) => candidate.key === document.customer);
      if (!customer)
        throw new AccountingError(`customer ${document.customer} is not in the current catalog`, document.id);
      return { entity: { ...entity, accounting }, customer, catalog: current };
    };
    if (body.type !== 'journal') {
      const source = body.lines[0]?.reference.invoiceId;
      if (source === undefined) return undefined;
      const document = await billing.get(source);
      return erpDocumentFor(document, contextFor(document), posting.targetKey);
    }
    const ids = [...new Set(body.lines.flatMap((line) => line.references.map((reference) => reference.invoiceId)))];
    const header = {
      externalId: body.externalId,
      legalEntity: body.legalEntity,
      currency: body.currency,
      postingDate: body.postingDate,
      memo: body.memo,
    };
    let entry: JournalEntry | undefined;
    for (const id of ids) {
      const document = await billing.get(id);
      entry = summarizeInto(entry ?? header, documentJournalLines(document, contextFor(document)));
    }
    return entry;
  };
}
