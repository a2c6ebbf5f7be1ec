import type { Invoice, InvoiceLine } from '../billing/index.js';
import type { PostingSummary } from './lineage.js';
import type { LineageReader } from './lineage-reader.js';
import { carryingLines, postingSummary, referencesLine } from './posting-lines.js';

/**
 * The postings that carry one invoice line to a target, each with its own lines that carry it. A usage
 * hand-off carries a usage line's records rather than the line: with `usageKeys` (one event's records)
 * only the parts holding those records, without, every part of the invoice's hand-off (events counted).
 */
export async function postingsOfLine(
  reader: LineageReader,
  invoice: Invoice,
  line: InvoiceLine,
  usageKeys?: ReadonlySet<string>,
): Promise<PostingSummary[]> {
  const postings = await reader.postingsCarrying(invoice.id);
  const match = referencesLine(invoice.id, line.lineNo);
  return postings.flatMap((posting) => {
    const picked = carryingLines(posting.body, match, usageKeys);
    const handsOverUsage = posting.body.type === 'usage_events' && line.kind === 'usage' && usageKeys === undefined;
    return picked.lines.length > 0 || handsOverUsage ? [postingSummary(posting, picked)] : [];
  });
}
