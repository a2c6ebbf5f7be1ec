import { Decimal } from 'decimal.js';
import { isObject, type JsonObject } from './record-fields.js';
import { SUITEQL_TYPE, type RecordStore, type StoredRecord } from './record-store.js';
import type { Column, Condition, Table } from './suiteql-parser.js';

// The rows SuiteQL's two tables hold for the store's records. `transaction`: one row per record.
// `transactionline`: one row per line, its amounts in the transaction's currency as a line posts them
// (debitforeignamount / creditforeignamount, and foreignamount, debits positive): a journal line as it
// was entered; an invoice's item line a credit (revenue), a credit memo's a debit; an invoice's or
// credit memo's main line (mainline 'T', no item) carries its total on the other side. A journal entry
// has no line of its own: its first line is its main line. SuiteQL answers every value as text.

export interface SuiteQlRow {
  value(column: Column): string | undefined;
  /** The transaction's date, ISO, for BETWEEN. */
  tranDate: string | undefined;
}

/** Lines per transaction that `uniquekey` leaves room for (a sublist holds at most 10,000). */
const KEYS_PER_TRANSACTION = 100_000;

function usDate(iso: string): string {
  const [year, month, day] = iso.split('-');
  return `${Number(month)}/${Number(day)}/${year}`;
}

const tranDateOf = (record: StoredRecord) =>
  typeof record.input.fields.tranDate === 'string' ? record.input.fields.tranDate : undefined;

function transactionRow(record: StoredRecord): SuiteQlRow {
  const { fields, total } = record.input;
  const tranDate = tranDateOf(record);
  const values: Record<string, string | undefined> = {
    id: record.id,
    tranid: record.tranId,
    externalid: record.externalId,
    type: SUITEQL_TYPE[record.type],
    trandate: tranDate === undefined ? undefined : usDate(tranDate),
    memo: typeof fields.memo === 'string' ? fields.memo : undefined,
    foreigntotal: total.toString(),
  };
  return { value: (column) => values[column], tranDate };
}

const refId = (value: unknown) => (isObject(value) && typeof value.id === 'string' ? value.id : undefined);
const amountOf = (value: unknown) => (typeof value === 'number' ? new Decimal(String(value)) : undefined);

interface LineFigures {
  id: string;
  sequence: number;
  mainline: boolean;
  item?: string;
  account?: string;
  memo?: string;
  /** Debit less credit. */
  net: Decimal;
}

function lineRow(record: StoredRecord, line: LineFigures): SuiteQlRow {
  const { net } = line;
  const values: Record<string, string | undefined> = {
    uniquekey: String(Number(record.id) * KEYS_PER_TRANSACTION + line.sequence),
    id: line.id,
    transaction: record.id,
    linesequencenumber: String(line.sequence),
    mainline: line.mainline ? 'T' : 'F',
    taxline: 'F',
    item: line.item,
    expenseaccount: line.account,
    foreignamount: net.toString(),
    debitforeignamount: net.isPositive() && !net.isZero() ? net.toString() : undefined,
    creditforeignamount: net.isNegative() ? net.negated().toString() : undefined,
    memo: line.memo,
  };
  return { value: (column) => values[column], tranDate: tranDateOf(record) };
}

function journalLines(record: StoredRecord): LineFigures[] {
  return record.input.lines.map((line: JsonObject, index) => ({
    id: String(index),
    sequence: index,
    mainline: index === 0,
    account: refId(line.account),
    memo: typeof line.memo === 'string' ? line.memo : undefined,
    net: (amountOf(line.debit) ?? new Decimal(0)).minus(amountOf(line.credit) ?? 0),
  }));
}

function salesLines(record: StoredRecord): LineFigures[] {
  // Revenue is credited by an invoice and debited by a credit memo; the receivable the other way.
  const sign = record.type === 'invoice' ? -1 : 1;
  const main: LineFigures = { id: '0', sequence: 0, mainline: true, net: record.input.total.times(-sign) };
  return [
    main,
    ...record.input.lines.map((line: JsonObject, index) => ({
      id: String(typeof line.line === 'number' ? line.line : index + 1),
      sequence: index + 1,
      mainline: false,
      item: refId(line.item),
      memo: typeof line.description === 'string' ? line.description : undefined,
      net: (amountOf(line.amount) ?? new Decimal(0)).times(sign),
    })),
  ];
}

export const transactionLineRows = (record: StoredRecord): SuiteQlRow[] =>
  (record.type === 'journalEntry' ? journalLines(record) : salesLines(record)).map((line) => lineRow(record, line));

/**
 * The rows of a table a query can meet: for `transactionline` under a `transaction IN (...)`
 * condition only those transactions' lines (reading every line of the account for 200 would be slow).
 */
export function tableRows(store: RecordStore, table: Table, where: readonly Condition[]): SuiteQlRow[] {
  if (table === 'transaction') return store.all().map(transactionRow);
  const named = where.find((condition) => condition.column === 'transaction' && 'values' in condition);
  const records =
    named !== undefined && 'values' in named
      ? [...new Set(named.values)]
          .flatMap((id) => store.byInternalId(id) ?? [])
          .sort((a, b) => Number(a.id) - Number(b.id))
      : store.all();
  return records.flatMap(transactionLineRows);
}
