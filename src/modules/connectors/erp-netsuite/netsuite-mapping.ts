import type { JournalEntry, LedgerBody } from '../connector.js';
import {
  amount,
  currency,
  decimalOf,
  invalid,
  ref,
  segments,
  type MappingOptions,
  type NetSuiteRecord,
} from './netsuite-fields.js';
import { toSalesRecord } from './netsuite-sales-record.js';

// Vendor-neutral postings as NetSuite REST records: a journal entry as `journalEntry` (lines under
// `line.items`), an invoice as `invoice` and a credit memo as `creditMemo` (netsuite-sales-record.ts).
// References are `{"id": "<internal id>"}`; the ids come from the catalog as NetSuite knows them and are
// not checked here, so an unknown one gets NetSuite's own refusal at its path.

export type NetSuiteRecordType = 'journalEntry' | 'invoice' | 'creditMemo';
export type { MappingOptions, NetSuiteRecord } from './netsuite-fields.js';

const RECORD_TYPES: Readonly<Record<LedgerBody['type'], NetSuiteRecordType>> = {
  journal: 'journalEntry',
  invoice: 'invoice',
  credit_memo: 'creditMemo',
};

export const recordTypeOf = (body: LedgerBody): NetSuiteRecordType => RECORD_TYPES[body.type];

/** NetSuite's external ids: letters, digits, `_` and `-` (a `|` is read as a multi-select delimiter). */
export const EXTERNAL_ID = /^[A-Za-z0-9_-]{1,255}$/;

/** A journal entry has one subsidiary: the lines' (they all carry the entity's dimensions). */
function journalSubsidiary(entry: JournalEntry): string | undefined {
  const named = new Set(entry.lines.map((line) => line.dimensions.subsidiary).filter((id) => id !== undefined));
  if (named.size > 1)
    throw invalid('subsidiary', `the lines name subsidiaries ${[...named].join(', ')}; a journal entry has one`);
  return [...named][0];
}

export function toJournalEntryRecord(entry: JournalEntry, options: MappingOptions): NetSuiteRecord {
  const subsidiary = journalSubsidiary(entry);
  const items = entry.lines.map((line, index) => {
    const path = `line.items[${index}]`;
    const debit = decimalOf(line.debit || '0', `${path}.debit`);
    const credit = decimalOf(line.credit || '0', `${path}.credit`);
    if (!debit.isZero() && !credit.isZero()) throw invalid(path, `${path} has both a debit and a credit`);
    const item: NetSuiteRecord = { account: ref(line.account) };
    if (credit.isZero()) item.debit = amount(line.debit, `${path}.debit`);
    else item.credit = amount(line.credit, `${path}.credit`);
    if (line.memo) item.memo = line.memo;
    segments(line.dimensions, item);
    return item;
  });
  return {
    externalId: entry.externalId,
    ...(subsidiary === undefined ? {} : { subsidiary: ref(subsidiary) }),
    currency: currency(entry.currency, options),
    tranDate: entry.postingDate,
    memo: entry.memo,
    line: { items },
  };
}

/**
 * The record a posting becomes, a credit memo without its application (the connector adds it once it
 * has read the invoice); a DeliveryFailure('invalid') with the path when it cannot be one.
 */
export function toNetSuiteRecord(body: LedgerBody, options: MappingOptions): NetSuiteRecord {
  if (!EXTERNAL_ID.test(body.externalId))
    throw invalid('externalId', `external id ${body.externalId} holds more than letters, digits, _ and -`);
  return body.type === 'journal' ? toJournalEntryRecord(body, options) : toSalesRecord(body, options);
}
