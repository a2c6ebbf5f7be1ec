import type { PostingBody } from '../connectors/index.js';

// Which Meterbridge documents a posting carries, read from its body as every kind of body references
// them: journal lines' references, ERP document lines, billing items, a usage hand-off's source. A void's
// lines (marked `voided`) carry the void, not the document, and are left out.

export function carriedInvoices(body: PostingBody): string[] {
  const ids = new Set<string>();
  switch (body.type) {
    case 'journal':
      for (const line of body.lines)
        for (const reference of line.references) if (!reference.voided) ids.add(reference.invoiceId);
      break;
    case 'invoice':
    case 'credit_memo':
      for (const line of body.lines) if (!line.reference.voided) ids.add(line.reference.invoiceId);
      if (body.lines.length === 0 && body.source) ids.add(body.source.invoiceId);
      break;
    case 'billing_items':
      for (const item of body.items) if (!item.reference.voided) ids.add(item.reference.invoiceId);
      break;
    case 'usage_events':
      ids.add(body.source.invoiceId);
      break;
  }
  return [...ids];
}
