import { Decimal } from 'decimal.js';
import { DeliveryFailure, type HeldDocument, type ListedDocument } from '../connector.js';
import { filterQuery, odataString, type BcEntity, type BusinessCentralClient } from './business-central-client.js';
import type { DateRange } from './read-back-range.js';

// A journal entry as Business Central holds it once posted: the G/L entries of its document number
// (`generalLedgerEntries`), read back with their accounts and amounts. BC's API shows no transaction
// number, so entries are told apart as postings by what BC does when it posts: one posting's entries are
// numbered one after another under one posting date. An entry of the same document number that is not
// the next number, or carries another date, begins another posting under that number (a copy by hand).
// The entry number of a posting's first entry is its id, as delivery answers it.

/** The fields a read-back selects: all it needs, so that a month of entries stays a few pages. */
const ENTRY_FIELDS = 'id,entryNumber,postingDate,documentNumber,documentType,accountNumber,debitAmount,creditAmount';

/** BC's listed type of a posted journal entry: the G/L entries its document number groups. */
export const GL_ENTRIES_TYPE = 'G/L Entry';

/** Document types of entries a sales or purchase document posted: listed as those documents, not here. */
const DOCUMENT_POSTINGS = new Set(['Invoice', 'Credit Memo']);

interface HeldEntry {
  entryNumber: number;
  postingDate: string;
  documentNumber: string;
  documentType: string;
  accountNumber: string;
  debit: Decimal;
  credit: Decimal;
}

/** A posting as its G/L entries show it: one document number, consecutive entries, one date. */
export interface HeldPosting {
  documentNumber: string;
  documentType: string;
  entries: HeldEntry[];
}

const amountOf = (value: unknown): Decimal | undefined =>
  typeof value === 'number' && Number.isFinite(value)
    ? new Decimal(value)
    : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)
      ? new Decimal(value)
      : undefined;

/** An entry as BC answered it, checked: a read-back never sums what it could not read. */
function readEntry(entity: BcEntity): HeldEntry {
  const entryNumber = Number(entity.entryNumber);
  const debit = amountOf(entity.debitAmount);
  const credit = amountOf(entity.creditAmount);
  const { postingDate, documentNumber, accountNumber } = entity;
  if (
    !Number.isSafeInteger(entryNumber) ||
    debit === undefined ||
    credit === undefined ||
    typeof postingDate !== 'string' ||
    typeof documentNumber !== 'string' ||
    typeof accountNumber !== 'string'
  )
    throw new DeliveryFailure(
      'unavailable',
      'GET generalLedgerEntries: Business Central answered an entry it could not read',
      {
        targetText: JSON.stringify(entity),
      },
    );
  return {
    entryNumber,
    postingDate,
    documentNumber,
    documentType: typeof entity.documentType === 'string' ? entity.documentType : '',
    accountNumber,
    debit,
    credit,
  };
}

/** Entries grouped into postings, in entry number order: a gap or another date starts a new posting. */
export function groupPostings(entities: readonly BcEntity[]): HeldPosting[] {
  const entries = entities.map(readEntry).sort((a, b) => a.entryNumber - b.entryNumber);
  const postings: HeldPosting[] = [];
  const open = new Map<string, HeldPosting>();
  for (const entry of entries) {
    const current = open.get(entry.documentNumber);
    const last = current?.entries.at(-1);
    if (current !== undefined && last!.entryNumber + 1 === entry.entryNumber && last!.postingDate === entry.postingDate)
      current.entries.push(entry);
    else {
      const posting = { documentNumber: entry.documentNumber, documentType: entry.documentType, entries: [entry] };
      postings.push(posting);
      open.set(entry.documentNumber, posting);
    }
  }
  return postings;
}

/** A posting as the read-back states it: its first entry's number, its debits, each entry's net amount. */
export function heldPosting(posting: HeldPosting): HeldDocument & { total: string } {
  return {
    id: String(posting.entries[0]!.entryNumber),
    total: posting.entries.reduce((sum, entry) => sum.plus(entry.debit), new Decimal(0)).toFixed(),
    lines: posting.entries.map((entry) => ({
      place: entry.accountNumber,
      amount: entry.debit.minus(entry.credit).toFixed(),
    })),
  };
}

/** The postings under some document numbers (at once); each number's first posting is the one delivery made. */
export async function findPostedEntries(
  client: BusinessCentralClient,
  documentNumbers: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, HeldDocument>> {
  // BC's OData takes `or` over one field (not over distinct fields), so many numbers fit one filter.
  const filter = documentNumbers.map((number) => `documentNumber eq ${odataString(number)}`).join(' or ');
  const entries = await client.list(`generalLedgerEntries?${filterQuery(filter)}&$select=${ENTRY_FIELDS}`, signal);
  const wanted = new Set(documentNumbers);
  const found = new Map<string, HeldDocument>();
  for (const posting of groupPostings(entries.filter((entry) => wanted.has(String(entry.documentNumber)))))
    if (!found.has(posting.documentNumber)) found.set(posting.documentNumber, heldPosting(posting));
  return found;
}

/** The posting a journal entry became, read by its document number; undefined when it is not posted. */
export async function findPostedEntry(
  client: BusinessCentralClient,
  externalId: string,
  signal: AbortSignal,
): Promise<HeldDocument | undefined> {
  return (await findPostedEntries(client, [externalId], signal)).get(externalId);
}

/** Every posting of the general ledger dated in the range, but those a sales or purchase document made. */
export async function listPostedEntries(
  client: BusinessCentralClient,
  range: DateRange,
  signal: AbortSignal,
): Promise<ListedDocument[]> {
  const filter = `postingDate ge ${range.from} and postingDate le ${range.to}`;
  const entries = await client.list(`generalLedgerEntries?${filterQuery(filter)}&$select=${ENTRY_FIELDS}`, signal);
  return groupPostings(entries)
    .filter((posting) => !DOCUMENT_POSTINGS.has(posting.documentType))
    .map((posting) => {
      const { id, total } = heldPosting(posting);
      return { id, externalId: posting.documentNumber || null, type: GL_ENTRIES_TYPE, total };
    });
}
