import { findPostingsOfDocument, type Posting } from '../outbox/index.js';
import {
  LineageNotFoundError,
  type CarriedInvoice,
  type DocumentLineage,
  type DocumentPosting,
  type LineageRequest,
} from './lineage.js';
import { invoiceSummary, lineSummary, type LineageReader } from './lineage-reader.js';
import { carriedInvoices, carryingLines, everyReference, postingSummary, referencesLine } from './posting-lines.js';

type DocumentRequest = Extract<LineageRequest, { lookup: 'document' }>;

/**
 * Invoices listed per posting: a summarized day's journal entry can carry thousands; the rest are
 * counted, and each is reachable by its own invoice line lookup.
 */
export const MAX_INVOICES_PER_POSTING = 50;

/** From a target's document back: its postings, the invoices and lines they carry, and each line's events. */
export async function documentLineage(
  reader: LineageReader,
  request: DocumentRequest,
  pathOf: (name: string) => string,
): Promise<DocumentLineage> {
  const postings = await findPostingsOfDocument(reader.db, request.target, request.id);
  if (postings.length === 0) {
    const looked = `target ${JSON.stringify(request.target)} has no document ${JSON.stringify(request.id)}: no posting to it has that target document id or external id`;
    throw new LineageNotFoundError(looked, [{ path: pathOf('document'), message: looked }]);
  }
  const documents: DocumentPosting[] = [];
  for (const posting of postings) documents.push(await documentPosting(reader, posting, request.eventLimit));
  return { lookup: 'document', target: request.target, document: request.id, postings: documents };
}

async function documentPosting(reader: LineageReader, posting: Posting, eventLimit: number): Promise<DocumentPosting> {
  const carried = [...carriedInvoices(posting.body)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const invoices: CarriedInvoice[] = [];
  for (const [invoiceId, lineNos] of carried.slice(0, MAX_INVOICES_PER_POSTING)) {
    const invoice = await reader.invoice(invoiceId);
    if (!invoice) continue;
    // A usage hand-off names no lines: it carries the records of the invoice's usage lines.
    const lines = (invoice.lines ?? []).filter((line) =>
      lineNos.size === 0 ? line.kind === 'usage' && line.meterKey !== null : lineNos.has(line.lineNo),
    );
    const carriedLines = [];
    for (const line of lines)
      carriedLines.push({
        line: lineSummary(line),
        postingLines: carryingLines(posting.body, referencesLine(invoiceId, line.lineNo)).lines,
        events: await reader.firstEvents(invoiceId, line, eventLimit),
      });
    invoices.push({ invoice: invoiceSummary(invoice), lines: carriedLines });
  }
  return {
    ...postingSummary(posting, carryingLines(posting.body, everyReference)),
    invoices,
    moreInvoices: Math.max(0, carried.length - MAX_INVOICES_PER_POSTING),
  };
}
