import { Decimal } from 'decimal.js';
import type { Application } from './credit-ledger.js';
import { invalidContent } from './netsuite-error.js';
import { decimal, isObject, refuseUnknownFields, type JsonObject } from './record-fields.js';
import type { RecordStore, StoredRecord } from './record-store.js';
import type { ApplyLine } from './transaction.js';

// A credit memo's `apply` sublist: `{"items": [{"doc": {"id": "<invoice>"}, "apply": true, "amount": 5}]}`.
// Lines are keyed by `doc`, so a document appears once. A line is applied only when `apply` is true; its
// amount defaults to what is open on the invoice, up to what is left of the credit. What NetSuite checks
// is checked here, each refusal 400 INVALID_CONTENT at its path: the document must be an invoice of the
// memo's customer and currency that the account holds, the amount cannot exceed what is open on it
// (counting back what this memo applied before, when the memo is written again), and the memo cannot
// apply more than its total.

const APPLY_LINE = new Set(['doc', 'apply', 'amount', 'line']);
const MAX_LINES = 10_000;

/** The sublist's shape, read without the store: what the body asks. */
export function readApplySublist(body: JsonObject): ApplyLine[] {
  const value = body.apply;
  if (value === undefined || value === null) return [];
  if (!isObject(value) || !Array.isArray(value.items))
    throw invalidContent('The apply sublist must be {"items": [...]}.', 'apply.items');
  if (value.items.length > MAX_LINES)
    throw invalidContent(`The sublist apply holds more than ${MAX_LINES} lines.`, 'apply.items');
  const seen = new Set<string>();
  return value.items.map((item: unknown, index) => {
    const path = `apply.items[${index}]`;
    if (!isObject(item)) throw invalidContent('Each line of apply must be an object.', path);
    refuseUnknownFields(item, APPLY_LINE, path);
    const doc = isObject(item.doc) ? item.doc.id : undefined;
    const id = typeof doc === 'number' && Number.isInteger(doc) ? String(doc) : doc;
    if (typeof id !== 'string' || !/^\d{1,18}$/.test(id))
      throw invalidContent('Please enter value(s) for: doc (a reference such as {"id": "101"}).', `${path}.doc`);
    if (seen.has(id)) throw invalidContent(`The document ${id} is on the apply sublist twice.`, `${path}.doc`);
    seen.add(id);
    if (item.apply !== undefined && typeof item.apply !== 'boolean')
      throw invalidContent('The field apply must be true or false.', `${path}.apply`);
    if (item.line !== undefined && !Number.isInteger(item.line))
      throw invalidContent('The field line must be a whole number.', `${path}.line`);
    const amount = decimal(item, 'amount', `${path}.amount`);
    if (amount !== undefined && (amount.decimalPlaces() > 2 || !amount.isPositive() || amount.isZero()))
      throw invalidContent('An amount applied must be above zero, to the cent.', `${path}.amount`);
    return { doc: id, apply: item.apply === true, amount };
  });
}

const ref = (record: StoredRecord, key: string) => (record.input.fields[key] as { id?: string } | undefined)?.id;

/** The applications a memo asks for, checked against the invoices the account holds. */
export function checkApplications(
  store: RecordStore,
  memo: StoredRecord['input'],
  previous: StoredRecord | undefined,
): Application[] {
  let left = memo.total;
  const applications: Application[] = [];
  memo.apply.forEach((line, index) => {
    if (!line.apply) return;
    const path = `apply.items[${index}]`;
    const invoice = store.get('invoice', line.doc);
    const fits =
      invoice !== undefined &&
      ref(invoice, 'entity') === (memo.fields.entity as { id?: string }).id &&
      ref(invoice, 'currency') === (memo.fields.currency as { id?: string }).id;
    // The sublist lists only the customer's open invoices in the memo's currency: any other is unknown.
    if (!fits)
      throw invalidContent(
        `You have entered an Invalid Field Value ${line.doc} for the following field: doc`,
        `${path}.doc`,
      );
    const open = store.remaining(invoice).plus(previous ? store.credits.appliedBy(invoice.id, previous.id) : 0);
    const amount = line.amount ?? Decimal.min(open, left);
    if (amount.greaterThan(open))
      throw invalidContent(
        `The amount applied (${amount.toFixed(2)}) exceeds the amount due (${open.toFixed(2)}) on ${invoice.tranId}.`,
        `${path}.amount`,
      );
    if (amount.greaterThan(left))
      throw invalidContent(
        `The amounts applied exceed the credit memo's total of ${memo.total.toFixed(2)}.`,
        `${path}.amount`,
      );
    left = left.minus(amount);
    if (amount.isPositive() && !amount.isZero()) applications.push({ doc: invoice.id, amount });
  });
  return applications;
}
