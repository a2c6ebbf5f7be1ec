import { Exact } from '../../platform/money.js';
import type { LineReference, PostingBody } from '../connectors/index.js';
import type { Posting } from '../outbox/index.js';
import type { PostingLine, PostingSummary } from './lineage.js';

// Reading posting bodies (connectors/connector.ts): which of a body's lines carry which invoice lines.
// Pure; bodies are read defensively, since a body is stored as it was rendered when the posting was made.

/** Which references a caller wants: an invoice's line, a whole invoice, or everything. */
export type ReferenceMatch = (reference: LineReference) => boolean;

export const everyReference: ReferenceMatch = () => true;
export const referencesLine =
  (invoiceId: string, lineNo: number): ReferenceMatch =>
  (reference) =>
    reference.invoiceId === invoiceId && reference.lineNo === lineNo;

/**
 * The body's lines whose reference matches; for a usage hand-off (whose events name usage records, not
 * lines) the events whose key is in `usageKeys` (`<event seq>.<meter>`), the rest counted.
 */
export function carryingLines(
  body: PostingBody,
  match: ReferenceMatch,
  usageKeys: ReadonlySet<string> = new Set(),
): { lines: PostingLine[]; otherUsageEvents: number } {
  switch (body.type) {
    case 'journal':
      return {
        lines: (body.lines ?? []).flatMap((line, index): PostingLine[] => {
          const matching = (line.references ?? []).filter(match);
          if (matching.length === 0) return [];
          return [
            {
              type: 'journal_line',
              index,
              account: line.account,
              dimensions: line.dimensions ?? {},
              debit: line.debit,
              credit: line.credit,
              memo: line.memo,
              summarizes: (line.references ?? []).length,
              voided: matching.some((reference) => reference.voided === true),
            },
          ];
        }),
        otherUsageEvents: 0,
      };
    case 'invoice':
    case 'credit_memo':
      return {
        lines: (body.lines ?? []).flatMap((line, index): PostingLine[] =>
          line.reference && match(line.reference)
            ? [
                {
                  type: 'document_line',
                  index,
                  item: line.item,
                  description: line.description,
                  quantity: line.quantity,
                  unitPrice: line.unitPrice,
                  amount: line.amount,
                },
              ]
            : [],
        ),
        otherUsageEvents: 0,
      };
    case 'billing_items':
      return {
        lines: (body.items ?? []).flatMap((item, index): PostingLine[] =>
          item.reference && match(item.reference)
            ? [
                {
                  type: 'billing_item',
                  index,
                  item: null,
                  description: item.description,
                  quantity: item.quantity,
                  unitPrice: item.unitPrice,
                  amount: item.amount,
                },
              ]
            : [],
        ),
        otherUsageEvents: 0,
      };
    case 'usage_events': {
      const events = body.events ?? [];
      const lines = events.flatMap((event, index): PostingLine[] =>
        usageKeys.has(event.key)
          ? [{ type: 'usage_event', index, key: event.key, meter: event.meter, value: event.value, time: event.time }]
          : [],
      );
      return { lines, otherUsageEvents: events.length - lines.length };
    }
    default:
      return { lines: [], otherUsageEvents: 0 };
  }
}

/** Each invoice a body carries, with the line numbers it carries of it (0: the document's total). */
export function carriedInvoices(body: PostingBody): Map<string, Set<number>> {
  const carried = new Map<string, Set<number>>();
  const add = (reference: Pick<LineReference, 'invoiceId' | 'lineNo'> | undefined) => {
    if (!reference) return;
    const lines = carried.get(reference.invoiceId) ?? new Set<number>();
    lines.add(reference.lineNo);
    carried.set(reference.invoiceId, lines);
  };
  switch (body.type) {
    case 'journal':
      for (const line of body.lines ?? []) for (const reference of line.references ?? []) add(reference);
      break;
    case 'invoice':
    case 'credit_memo':
      for (const line of body.lines ?? []) add(line.reference);
      break;
    case 'billing_items':
      for (const item of body.items ?? []) add(item.reference);
      break;
    case 'usage_events':
      // The events name usage records, not lines: the invoice's usage lines are what they carry.
      if (body.source) carried.set(body.source.invoiceId, new Set());
      break;
  }
  return carried;
}

/** A posting as lineage shows it, with the lines the caller picked. */
export function postingSummary(
  posting: Posting,
  picked: { lines: PostingLine[]; otherUsageEvents: number },
): PostingSummary {
  const { currency, date, total } = bodyFigures(posting.body);
  return {
    id: posting.id,
    target: posting.targetKey,
    kind: posting.kind,
    externalId: posting.externalId,
    status: posting.status,
    targetDocumentId: posting.targetDocumentId,
    deliveredAt: posting.deliveredAt,
    currency,
    date,
    total,
    lines: picked.lines,
    otherUsageEvents: picked.otherUsageEvents,
  };
}

/** The currency, date and total of a body, where it has them (a journal entry's total is its debits). */
function bodyFigures(body: PostingBody): { currency: string | null; date: string | null; total: string | null } {
  switch (body.type) {
    case 'journal':
      return {
        currency: body.currency,
        date: body.postingDate,
        total: sumOf((body.lines ?? []).map((line) => line.debit)),
      };
    case 'invoice':
    case 'credit_memo':
      return { currency: body.currency, date: body.documentDate, total: body.total };
    case 'billing_items':
      return { currency: body.currency, date: null, total: body.total };
    default:
      return { currency: null, date: null, total: null };
  }
}

/** The exact sum of decimal texts, written with as many decimals as the most precise of them ("98.00"). */
function sumOf(amounts: readonly string[]): string {
  const places = Math.max(0, ...amounts.map((amount) => amount.split('.')[1]?.length ?? 0));
  return amounts.reduce((sum, amount) => sum.plus(amount), new Exact(0)).toFixed(places);
}
