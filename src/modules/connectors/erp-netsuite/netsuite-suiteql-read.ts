import {
  DeliveryFailure,
  type HeldDocument,
  type LedgerBody,
  type ListedDocument,
  type ReadPace,
} from '../connector.js';
import type { NetSuiteClient } from './netsuite-client.js';
import { decimalText, heldLines, type RawLine } from './netsuite-held-lines.js';
import { EXTERNAL_ID, recordTypeOf, type NetSuiteRecordType } from './netsuite-mapping.js';
import type { NetSuiteSettings } from './netsuite-settings.js';

// Reading many postings back through SuiteQL (POST query/v1/suiteql, paged by limit and offset until
// `hasMore` is false): by external id for reconciliation's batches (findMany), each batch's lines from
// `transactionline` in one more query, and every transaction of Meterbridge's types dated in a range
// (listHeld). Only values checked first are ever quoted into a query: external ids of letters, digits,
// _ and -; internal ids of digits; ISO dates.

/** SuiteQL's `transaction.type` for each record type. */
export const SUITEQL_TYPES: Readonly<Record<NetSuiteRecordType, string>> = {
  journalEntry: 'Journal',
  invoice: 'CustInvc',
  creditMemo: 'CustCred',
};
/** External ids per SuiteQL query (and so internal ids per lines query), and rows per page (NetSuite's most). */
export const IDS_PER_QUERY = 200;
const PAGE_ROWS = 1000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const INTERNAL_ID = /^\d{1,18}$/;

/** Every row of a query, page after page (each page's request awaits the pace, when there is one). */
async function* rowsOf(client: NetSuiteClient, query: string, signal: AbortSignal, pace?: ReadPace) {
  for (let offset = 0, more = true; more; offset += PAGE_ROWS) {
    const page = await client.suiteql(query, PAGE_ROWS, offset, signal, pace);
    yield* page.items;
    more = page.hasMore;
  }
}

/** A row's value as text (SuiteQL answers text; a number is taken too), or undefined. */
const textOf = (value: unknown) =>
  typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
/** The total as reconciliation states it: positive (a credit memo's may come negative). */
const totalOf = (row: Record<string, unknown>) => decimalText(row.foreigntotal)?.replace(/^-/, '');

/**
 * The transactions' lines, per internal id, as raw lines: a journal's every line; a document's item lines
 * only (not its main line, nor NetSuite's own tax lines). One query for at most IDS_PER_QUERY ids.
 */
async function linesOf(
  client: NetSuiteClient,
  type: NetSuiteRecordType,
  ids: readonly string[],
  signal: AbortSignal,
  pace?: ReadPace,
): Promise<Map<string, RawLine[]>> {
  const lines = new Map<string, RawLine[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return lines;
  // A journal entry's first line is its main line in NetSuite: only documents have one to leave out.
  const mainline = type === 'journalEntry' ? '' : " AND mainline = 'F'";
  const query = `SELECT transaction, item, expenseaccount, debitforeignamount, creditforeignamount FROM transactionline WHERE transaction IN (${ids.join(', ')}) AND taxline = 'F'${mainline} ORDER BY uniquekey`;
  for await (const row of rowsOf(client, query, signal, pace)) {
    const held = lines.get(textOf(row.transaction) ?? '');
    held?.push({
      account: textOf(row.expenseaccount),
      item: textOf(row.item),
      debit: row.debitforeignamount ?? '0',
      credit: row.creditforeignamount ?? '0',
    });
  }
  return lines;
}

/** findMany: external id -> what NetSuite holds under it (the first record, by internal id), with lines. */
export async function readHeldBatch(
  client: NetSuiteClient,
  bodies: readonly LedgerBody[],
  settings: NetSuiteSettings,
  signal: AbortSignal,
  pace?: ReadPace,
): Promise<Map<string, HeldDocument>> {
  const found = new Map<string, HeldDocument>();
  const byType = new Map<NetSuiteRecordType, Map<string, LedgerBody>>();
  for (const body of bodies) {
    // Only ids of letters, digits, _ and - are quoted into the query: nothing else can reach it.
    if (!EXTERNAL_ID.test(body.externalId)) continue;
    const type = recordTypeOf(body);
    byType.set(type, (byType.get(type) ?? new Map<string, LedgerBody>()).set(body.externalId, body));
  }
  for (const [type, ofType] of byType) {
    const externalIds = [...ofType.keys()];
    for (let start = 0; start < externalIds.length; start += IDS_PER_QUERY) {
      const quoted = externalIds.slice(start, start + IDS_PER_QUERY).map((id) => `'${id}'`);
      const query = `SELECT id, externalid, foreigntotal FROM transaction WHERE type = '${SUITEQL_TYPES[type]}' AND externalid IN (${quoted.join(', ')}) ORDER BY id`;
      const batch = new Map<string, HeldDocument>();
      for await (const row of rowsOf(client, query, signal, pace)) {
        const [id, externalId] = [textOf(row.id), textOf(row.externalid)];
        if (id === undefined || !INTERNAL_ID.test(id) || externalId === undefined || batch.has(externalId)) continue;
        const total = totalOf(row);
        batch.set(externalId, { id, ...(total === undefined ? {} : { total }) });
      }
      const lines = await linesOf(
        client,
        type,
        [...batch.values()].map((held) => held.id),
        signal,
        pace,
      );
      for (const [externalId, held] of batch) {
        const body = ofType.get(externalId);
        const heldAsSent = body && heldLines(body, lines.get(held.id) ?? [], settings);
        found.set(externalId, heldAsSent === undefined ? held : { ...held, lines: heldAsSent });
      }
    }
  }
  return found;
}

/** listHeld: every transaction of Meterbridge's types dated in [from, to], once each. */
export async function listHeldRange(
  client: NetSuiteClient,
  range: { from: string; to: string },
  signal: AbortSignal,
  pace?: ReadPace,
): Promise<ListedDocument[]> {
  const listed: ListedDocument[] = [];
  for (const type of Object.values(SUITEQL_TYPES)) {
    const query = `SELECT id, externalid, type, foreigntotal FROM transaction WHERE type = '${type}' AND trandate BETWEEN TO_DATE('${range.from}', 'YYYY-MM-DD') AND TO_DATE('${range.to}', 'YYYY-MM-DD') ORDER BY id`;
    for await (const row of rowsOf(client, query, signal, pace)) {
      const id = textOf(row.id);
      if (id === undefined) continue;
      const total = totalOf(row);
      listed.push({ id, externalId: textOf(row.externalid) ?? null, type, ...(total === undefined ? {} : { total }) });
    }
  }
  return listed;
}

/** The range checked before it is quoted into a query. */
export function checkedRange(range: { from: string; to: string }): { from: string; to: string } {
  const valid = (date: string) => ISO_DATE.test(date) && !Number.isNaN(Date.parse(`${date}T00:00:00Z`));
  if (!valid(range.from) || !valid(range.to))
    throw new DeliveryFailure('invalid', `a date range is two YYYY-MM-DD dates, not ${range.from}..${range.to}`);
  return range;
}
