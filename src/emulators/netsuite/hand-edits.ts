import type { NetSuiteChart } from './emulator-options.js';
import { invalidContent, NetSuiteError } from './netsuite-error.js';
import { EXTERNAL_ID, isObject } from './record-fields.js';
import type { RecordStore, StoredRecord } from './record-store.js';
import { RECORD_TYPES } from './transaction.js';

// What a person does to an account's records in NetSuite's own pages, off the REST API, for tests of
// reconciliation's read-back: a copy of a record under the same external id, and an edit that books a
// line to another account (journal entry) or item (invoice, credit memo) keeping the total.

/** The record with this external id, of whichever type holds it; a bad id is a 400, an unknown one a 404. */
function heldUnder(store: RecordStore, externalId: unknown): StoredRecord {
  if (typeof externalId !== 'string' || !EXTERNAL_ID.test(externalId))
    throw invalidContent('The external ID may hold only letters, digits, _ and -.', 'externalId');
  for (const type of RECORD_TYPES) {
    const record = store.getByExternalId(type, externalId);
    if (record !== undefined) return record;
  }
  throw new NetSuiteError(404, 'NONEXISTENT_ID', `There is no record with the external ID ${externalId}.`);
}

/** A second record under the record's external id; answers its internal id. */
export function copyByHand(store: RecordStore, externalId: unknown, now: number): string {
  return store.copy(heldUnder(store, externalId), now).id;
}

/**
 * The record's first line booked to an account (or item) of the chart the record does not use, so
 * its amount moves from one place to another while every total stays as it was.
 */
export function moveByHand(store: RecordStore, chart: NetSuiteChart, externalId: unknown, now: number): void {
  const record = heldUnder(store, externalId);
  const field = record.type === 'journalEntry' ? 'account' : 'item';
  const ids = record.input.lines.map((line) => (isObject(line[field]) ? line[field].id : undefined));
  const choices = field === 'account' ? chart.accounts : chart.items;
  const elsewhere = choices.find((id) => !ids.includes(id));
  const [first, ...rest] = record.input.lines;
  if (first === undefined || elsewhere === undefined)
    throw invalidContent(`The chart has no ${field} that ${record.tranId} does not already use.`, field);
  store.editLines(record, [{ ...first, [field]: { id: elsewhere } }, ...rest], now);
}
