import type { HeldLine, LedgerBody } from '../connector.js';
import { exact, text } from '../../../platform/money.js';
import type { NetSuiteSettings } from './netsuite-settings.js';

// A held document's lines in Meterbridge's terms, read from NetSuite either way the connector reads:
// a record answered with its sublists expanded (find), or SuiteQL's `transactionline` rows (findMany).
// A journal line's place is its account: sent as its internal id, so NetSuite's id is already the
// account Meterbridge sent. A document line's place is its item: sent mapped through the target's
// `items` (charge key -> internal id), so it is mapped back, by the body's own lines first (two keys
// mapped to one item read back as the body's) and then by the settings. The tax line the connector adds
// (of `taxItem`) and NetSuite's own tax and main lines are left out: the total covers them.

/** Decimal text NetSuite may answer (a number, or SuiteQL's text), signed. */
const DECIMAL = /^-?\d{1,20}(\.\d{1,12})?$/;

/** A NetSuite amount as exact decimal text, or undefined when it is not one. */
export function decimalText(value: unknown): string | undefined {
  const written = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  return typeof written === 'string' && DECIMAL.test(written) ? text(exact(written)) : undefined;
}

/** NetSuite item internal id -> the place Meterbridge sent it as, for one body. */
export function itemPlaces(body: LedgerBody, settings: Pick<NetSuiteSettings, 'items'>): (item: string) => string {
  const places = new Map<string, string>();
  if (body.type !== 'journal')
    for (const line of body.lines) {
      const id = settings.items[line.item] ?? line.item;
      if (!places.has(id)) places.set(id, line.item);
    }
  for (const [key, id] of Object.entries(settings.items)) if (!places.has(id)) places.set(id, key);
  return (item) => places.get(item) ?? item;
}

/** One line as NetSuite holds it, before it is put in Meterbridge's terms. */
export interface RawLine {
  account?: string;
  item?: string;
  /** Debit less credit, as NetSuite answered them. */
  debit: unknown;
  credit: unknown;
}

/**
 * The lines in Meterbridge's terms: a journal line's account and debit less credit; a document line's
 * item and amount (an invoice's item lines are credits, a credit memo's debits, as they post). Undefined
 * when a line's amounts are not NetSuite's decimals (the read-back then says nothing of lines).
 */
export function heldLines(
  body: LedgerBody,
  raw: readonly RawLine[],
  settings: Pick<NetSuiteSettings, 'items' | 'taxItem'>,
): HeldLine[] | undefined {
  const placeOf = itemPlaces(body, settings);
  const lines: HeldLine[] = [];
  for (const line of raw) {
    const [debit, credit] = [decimalText(line.debit ?? '0'), decimalText(line.credit ?? '0')];
    if (debit === undefined || credit === undefined) return undefined;
    const net = exact(debit).minus(credit);
    if (body.type === 'journal') {
      if (line.account === undefined) return undefined;
      lines.push({ place: line.account, amount: text(net) });
    } else if (line.item !== undefined && line.item !== settings.taxItem) {
      lines.push({ place: placeOf(line.item), amount: text(body.type === 'invoice' ? net.negated() : net) });
    }
  }
  return lines;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const idOf = (value: unknown) => {
  const id = isObject(value) ? value.id : undefined;
  return typeof id === 'number' ? String(id) : typeof id === 'string' ? id : undefined;
};

/**
 * A record read with `expandSubResources=true` as raw lines (a journal's `line`, a document's `item`
 * sublist, amounts as entered: a document line's amount stands as the credit an invoice line posts, the
 * debit a credit memo's), or undefined when the answer holds no lines to read.
 */
export function recordLines(body: LedgerBody, record: Record<string, unknown>): RawLine[] | undefined {
  const sublist = record[body.type === 'journal' ? 'line' : 'item'];
  const items = isObject(sublist) ? sublist.items : undefined;
  if (!Array.isArray(items)) return undefined;
  return items.filter(isObject).map((line) => {
    if (body.type === 'journal')
      return { account: idOf(line.account), debit: line.debit ?? 0, credit: line.credit ?? 0 };
    const [debit, credit] = body.type === 'invoice' ? [0, line.amount] : [line.amount, 0];
    return { item: idOf(line.item), debit, credit };
  });
}

/** The total as reconciliation states it: a journal's debits, a document's total positive. */
export function heldTotal(body: LedgerBody, record: Record<string, unknown>, lines: readonly RawLine[] | undefined) {
  if (body.type !== 'journal') return decimalText(record.total)?.replace(/^-/, '');
  if (lines === undefined) return undefined;
  const debits = lines.map((line) => decimalText(line.debit ?? '0'));
  if (debits.some((debit) => debit === undefined)) return undefined;
  return text(debits.reduce((sum, debit) => sum.plus(debit ?? '0'), exact(0)));
}
