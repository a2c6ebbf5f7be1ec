import { Decimal } from 'decimal.js';
import type { NetSuiteChart } from './emulator-options.js';
import { readApplySublist } from './apply-sublist.js';
import type { RecordType, TransactionInput } from './transaction.js';
import { invalidContent } from './netsuite-error.js';
import {
  date,
  decimal,
  EXTERNAL_ID,
  isObject,
  optionalText,
  reference,
  refuseUnknownFields,
  requiredReference,
  type JsonObject,
} from './record-fields.js';

// A posted journal entry, invoice or credit memo, checked against the account's chart the way NetSuite
// checks it: every reference must exist (an unknown one answers 400 INVALID_CONTENT at its path), a
// journal entry must balance to the cent, an invoice's or credit memo's total (its item lines plus its
// tax lines, lines of the chart's tax items) cannot be negative, and a field the record does not have is
// refused. The result is the record in NetSuite's read shape (references as {id}, amounts as numbers).

const HEADER = ['externalId', 'tranId', 'tranDate', 'subsidiary', 'currency', 'memo'];
const DIMENSIONS = ['department', 'class', 'location'] as const;
const JOURNAL_FIELDS = new Set([...HEADER, ...DIMENSIONS, 'line']);
const SALES_FIELDS = new Set([...HEADER, ...DIMENSIONS, 'entity', 'item', 'dueDate', 'otherRefNum']);
/** Only a credit memo is applied to invoices. */
const CREDIT_MEMO_FIELDS = new Set([...SALES_FIELDS, 'apply']);
const JOURNAL_LINE = new Set(['account', 'debit', 'credit', 'memo', 'entity', ...DIMENSIONS]);
const ITEM_LINE = new Set(['item', 'quantity', 'rate', 'amount', 'description', ...DIMENSIONS]);

const ref = (id: string | undefined) => (id === undefined ? undefined : { id });
const cents = (value: Decimal) => value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

function dimensions(body: JsonObject, base: string, chart: NetSuiteChart, into: JsonObject): void {
  const known = { department: chart.departments, class: chart.classes, location: chart.locations };
  for (const key of DIMENSIONS) {
    const id = reference(body, key, base === '' ? key : `${base}.${key}`, known[key]);
    if (id !== undefined) into[key] = { id };
  }
}

function sublistItems(body: JsonObject, sublist: 'line' | 'item'): unknown[] {
  const value = body[sublist];
  if (!isObject(value) || !Array.isArray(value.items) || value.items.length === 0)
    throw invalidContent(`Please enter value(s) for: ${sublist}.items`, `${sublist}.items`);
  if (value.items.length > 10_000)
    throw invalidContent(`The sublist ${sublist} holds more than 10000 lines.`, `${sublist}.items`);
  return value.items;
}

function lineObject(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw invalidContent(`Each line of ${path.split('[')[0]} must be an object.`, path);
  return value;
}

function journalLines(body: JsonObject, chart: NetSuiteChart): { lines: JsonObject[]; total: Decimal } {
  let debits = new Decimal(0);
  let credits = new Decimal(0);
  const lines = sublistItems(body, 'line').map((item, index) => {
    const path = `line.items[${index}]`;
    const line = lineObject(item, path);
    refuseUnknownFields(line, JOURNAL_LINE, path);
    const out: JsonObject = {
      line: index,
      account: ref(requiredReference(line, 'account', `${path}.account`, chart.accounts)),
    };
    const debit = decimal(line, 'debit', `${path}.debit`);
    const credit = decimal(line, 'credit', `${path}.credit`);
    const given = debit ?? credit;
    if (given === undefined || (debit !== undefined && credit !== undefined))
      throw invalidContent('Each line needs either a debit or a credit amount, not both.', path);
    const amount = cents(given);
    if (amount.isNegative())
      throw invalidContent('An amount cannot be negative.', `${path}.${debit ? 'debit' : 'credit'}`);
    if (debit) debits = debits.plus(amount);
    else credits = credits.plus(amount);
    out[debit ? 'debit' : 'credit'] = amount.toNumber();
    const memo = optionalText(line, 'memo', `${path}.memo`);
    if (memo !== undefined) out.memo = memo;
    const entity = reference(line, 'entity', `${path}.entity`, chart.customers);
    if (entity !== undefined) out.entity = { id: entity };
    dimensions(line, path, chart, out);
    return out;
  });
  if (!debits.equals(credits))
    throw invalidContent(
      `The transaction is not in balance: debits ${debits.toFixed(2)} and credits ${credits.toFixed(2)} must be equal.`,
      'line.items',
    );
  return { lines, total: debits };
}

function itemLines(body: JsonObject, chart: NetSuiteChart): { lines: JsonObject[]; total: Decimal; tax: Decimal } {
  let total = new Decimal(0);
  let tax = new Decimal(0);
  const items = [...chart.items, ...chart.taxItems];
  const lines = sublistItems(body, 'item').map((value, index) => {
    const path = `item.items[${index}]`;
    const line = lineObject(value, path);
    refuseUnknownFields(line, ITEM_LINE, path);
    const out: JsonObject = {
      line: index + 1,
      item: ref(requiredReference(line, 'item', `${path}.item`, items)),
    };
    const quantity = decimal(line, 'quantity', `${path}.quantity`);
    const rate = decimal(line, 'rate', `${path}.rate`);
    // NetSuite computes the amount from quantity and rate when it is not given.
    const amount = cents(decimal(line, 'amount', `${path}.amount`) ?? (quantity ?? new Decimal(1)).times(rate ?? 0));
    if (quantity !== undefined) out.quantity = quantity.toNumber();
    if (rate !== undefined) out.rate = rate.toNumber();
    out.amount = amount.toNumber();
    total = total.plus(amount);
    if (chart.taxItems.includes((out.item as { id: string }).id)) tax = tax.plus(amount);
    const description = optionalText(line, 'description', `${path}.description`);
    if (description !== undefined) out.description = description;
    dimensions(line, path, chart, out);
    return out;
  });
  if (total.isNegative())
    throw invalidContent(`The total can not be negative: the lines come to ${total.toFixed(2)}.`, 'item.items');
  return { lines, total, tax };
}

/** The record a body describes, or the NetSuiteError NetSuite would answer. */
export function validateTransaction(
  type: RecordType,
  value: unknown,
  chart: NetSuiteChart,
  today: string,
): TransactionInput {
  if (!isObject(value)) throw invalidContent('The request body must be a JSON object.');
  const known = type === 'journalEntry' ? JOURNAL_FIELDS : type === 'creditMemo' ? CREDIT_MEMO_FIELDS : SALES_FIELDS;
  refuseUnknownFields(value, known, '');
  const externalId = optionalText(value, 'externalId', 'externalId', 255);
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId))
    throw invalidContent('The external ID may hold only letters, digits, _ and -.', 'externalId');
  const fields: JsonObject = {
    tranDate: date(value, 'tranDate', 'tranDate') ?? today,
    subsidiary: ref(requiredReference(value, 'subsidiary', 'subsidiary', chart.subsidiaries)),
    currency: ref(reference(value, 'currency', 'currency', chart.currencies) ?? '1'),
  };
  if (type !== 'journalEntry') fields.entity = ref(requiredReference(value, 'entity', 'entity', chart.customers));
  for (const key of ['memo', 'otherRefNum'])
    if (optionalText(value, key, key) !== undefined) fields[key] = optionalText(value, key, key);
  const dueDate = date(value, 'dueDate', 'dueDate');
  if (dueDate !== undefined) fields.dueDate = dueDate;
  dimensions(value, '', chart, fields);
  const { lines, total, tax } =
    type === 'journalEntry' ? { ...journalLines(value, chart), tax: new Decimal(0) } : itemLines(value, chart);
  return {
    externalId,
    tranId: optionalText(value, 'tranId', 'tranId', 45),
    fields,
    sublist: type === 'journalEntry' ? 'line' : 'item',
    lines,
    total,
    taxTotal: tax,
    apply: type === 'creditMemo' ? readApplySublist(value) : [],
  };
}
