import { postingsOfLine } from './billing-lines.js';
import { LineageNotFoundError, type LineageRequest, type LineLineage } from './lineage.js';
import { invoiceSummary, lineSummary, type LineageReader } from './lineage-reader.js';

type LineRequest = Extract<LineageRequest, { lookup: 'line' }>;

/** From an invoice line both ways: the first page of its events, and the postings that carry it. */
export async function lineLineage(
  reader: LineageReader,
  request: LineRequest,
  pathOf: (name: string) => string,
): Promise<LineLineage> {
  const { invoiceId, lineNo } = request;
  const invoice = await reader.invoice(invoiceId);
  if (!invoice) {
    const looked = `there is no invoice ${JSON.stringify(invoiceId)}`;
    throw new LineageNotFoundError(looked, [{ path: pathOf('invoice'), message: looked }]);
  }
  const lines = invoice.lines ?? [];
  const line = lines.find((candidate) => candidate.lineNo === lineNo);
  if (!line) {
    const looked = `invoice ${JSON.stringify(invoiceId)} has no line ${lineNo} (its lines are 1 to ${lines.length})`;
    throw new LineageNotFoundError(looked, [{ path: pathOf('line'), message: looked }]);
  }
  return {
    lookup: 'line',
    invoice: invoiceSummary(invoice),
    line: lineSummary(line),
    events: await reader.firstEvents(invoiceId, line, request.eventLimit),
    postings: await postingsOfLine(reader, invoice, line),
  };
}
