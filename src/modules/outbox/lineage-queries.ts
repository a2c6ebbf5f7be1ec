import type { Queryable } from '../../platform/database/database.js';
import type { Posting } from './outbox.js';
import { fromRowPosting, POSTING_COLUMNS, type PostingRow } from './posting-repository.js';

// Postings as lineage reads them: those that carry an invoice, and those a target's document is.

/**
 * Every shape in which a posting body names an invoice (connectors/connector.ts): a journal entry in
 * its lines' references, an ERP document in each line's reference, a billing hand-off in its items'
 * references, and both billing hand-offs and ERP documents in `source`. Each is a containment of the
 * whole body, which the GIN index on `postings.body` (jsonb_path_ops) answers.
 */
function bodyShapesNaming(invoiceId: string): string[] {
  return [
    { lines: [{ references: [{ invoiceId }] }] },
    { lines: [{ reference: { invoiceId } }] },
    { items: [{ reference: { invoiceId } }] },
    { source: { invoiceId } },
  ].map((shape) => JSON.stringify(shape));
}

/** The postings whose body names the invoice (any target, kind and status), in id order. */
export async function findPostingsCarryingInvoice(db: Queryable, invoiceId: string): Promise<Posting[]> {
  const result = await db.query<PostingRow>(
    `select ${POSTING_COLUMNS} from postings
      where body @> $1::jsonb or body @> $2::jsonb or body @> $3::jsonb or body @> $4::jsonb
      order by postings.id`,
    bodyShapesNaming(invoiceId),
  );
  return result.rows.map(fromRowPosting);
}

/**
 * The postings of a target that are a document of it: the target's own id for what it holds (NetSuite's
 * internal id, ...), or the external id Meterbridge gave it. In id order; usually one.
 */
export async function findPostingsOfDocument(db: Queryable, targetKey: string, documentId: string): Promise<Posting[]> {
  const result = await db.query<PostingRow>(
    `select ${POSTING_COLUMNS} from postings
      where target_key = $1 and (target_document_id = $2 or external_id = $2)
      order by postings.id`,
    [targetKey, documentId],
  );
  return result.rows.map(fromRowPosting);
}
