import { BcError } from './bc-error.js';
import type { CompanyStore } from './company-store.js';
import { dimensionSetOf } from './dimension-set-lines.js';
import { decimalOf, textOf, type StoredEntity } from './entity-values.js';
import { postEntry } from './journals.js';
import {
  createSalesDocument,
  createSalesLine,
  postSalesDocument,
  SALES_KINDS,
  type SalesKindSpec,
} from './sales-documents.js';

// What people and other integrations do to a company besides the API client under test, for tests of a
// read-back (the admin door's `/__emulator/by-hand/*`):
//   - a copy: the posting under a document number (a journal's G/L entries, or a posted sales document
//     found by its external document number) posted once more, at the work date, as a person re-keying it
//     would; Business Central lets a general journal post a document number the ledger already has;
//   - a move: the posting edited where it keeps its total, an amount moved to another G/L account (one
//     G/L entry's account) or item (one posted line's item). Business Central itself never lets a posted
//     entry or line change (a person would post a reclassification, or correct the document); the
//     emulator rewrites it so that a read-back must show the edit in its lines.
// Neither goes through the API, so neither counts as a request, and neither looks first.

const nothingUnder = (documentNumber: string) =>
  new BcError(404, 'BadRequest_NotFound', `The company holds no posting under document number ${documentNumber}.`);

/** A journal's first posting under the number: the entries of its lowest transaction (not a document's). */
function journalEntries(store: CompanyStore, documentNumber: string): StoredEntity[] {
  const entries = store
    .list('generalLedgerEntries')
    .filter((entry) => entry.values.documentNumber === documentNumber && entry.values.documentType === ' ');
  const first = Math.min(...entries.map((entry) => Number(entry.values.transactionNumber)));
  return entries.filter((entry) => Number(entry.values.transactionNumber) === first);
}

/** The first posted sales document under the external document number, and its kind. */
function postedDocument(
  store: CompanyStore,
  externalId: string,
): { kind: SalesKindSpec; document: StoredEntity } | undefined {
  for (const kind of Object.values(SALES_KINDS)) {
    const document = store
      .list(kind.set)
      .find((one) => one.values.externalDocumentNumber === externalId && one.values.status !== 'Draft');
    if (document !== undefined) return { kind, document };
  }
  return undefined;
}

export function copyByHand(store: CompanyStore, documentNumber: string): void {
  const entries = journalEntries(store, documentNumber);
  if (entries.length > 0) {
    const transaction = store.next('transaction');
    for (const { id, values } of entries)
      postEntry(store, {
        transaction,
        postingDate: store.today(),
        documentNumber,
        documentType: ' ',
        account: store.index.accounts.get(textOf(values, 'accountNumber')),
        description: textOf(values, 'description'),
        amount: decimalOf(values, 'debitAmount').minus(decimalOf(values, 'creditAmount')),
        dimensions: dimensionSetOf(store, id),
      });
    return;
  }
  const found = postedDocument(store, documentNumber);
  if (found === undefined) throw nothingUnder(documentNumber);
  const { kind, document } = found;
  const copy = createSalesDocument(store, kind, {
    customerNumber: textOf(document.values, 'customerNumber'),
    externalDocumentNumber: documentNumber,
  });
  for (const { values } of store.list(kind.lineSet, document.id))
    createSalesLine(store, kind, copy, {
      lineType: textOf(values, 'lineType'),
      ...(values.lineType === 'Comment' ? {} : { lineObjectNumber: textOf(values, 'lineObjectNumber') }),
      description: textOf(values, 'description'),
      quantity: textOf(values, 'quantity'),
      unitPrice: textOf(values, 'unitPrice'),
    });
  postSalesDocument(store, kind, copy);
}

export function moveByHand(store: CompanyStore, documentNumber: string): void {
  const entries = journalEntries(store, documentNumber);
  if (entries.length > 0) {
    const used = new Set(entries.map((entry) => textOf(entry.values, 'accountNumber')));
    const other = [...store.index.accounts.values()].find((account) => !used.has(account.number) && !account.blocked);
    if (other === undefined)
      throw new BcError(400, 'BadRequest', 'The chart has no other account to move an amount to.');
    const [entry] = entries;
    Object.assign(entry!.values, { accountNumber: other.number, accountId: other.id });
    store.touch(entry!);
    return;
  }
  const found = postedDocument(store, documentNumber);
  if (found === undefined) throw nothingUnder(documentNumber);
  const lines = store.list(found.kind.lineSet, found.document.id);
  const line = lines.find(
    (one) => one.values.lineType === 'Item' && !decimalOf(one.values, 'amountExcludingTax').isZero(),
  );
  const used = new Set(lines.map((one) => textOf(one.values, 'lineObjectNumber')));
  const other = [...store.index.items.values()].find((item) => !used.has(item.number));
  if (line === undefined || other === undefined)
    throw new BcError(400, 'BadRequest', `${documentNumber} has no item line, or the chart no other item, to move.`);
  Object.assign(line.values, { lineObjectNumber: other.number, itemId: other.id });
  store.touch(line);
  store.touch(found.document);
}

/** The admin door's body: `{"documentNumber": "<a document number, Code[20]>"}`. */
export function readDocumentNumber(body: unknown): string {
  const value =
    body !== null && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>).documentNumber
      : undefined;
  const keys = body !== null && typeof body === 'object' ? Object.keys(body) : [];
  if (typeof value !== 'string' || !/^[A-Z0-9][A-Z0-9_\-/.]{0,19}$/.test(value) || keys.length !== 1)
    throw new BcError(
      400,
      'BadRequest',
      'The body is {"documentNumber": "<a document number of up to 20 characters>"}.',
    );
  return value;
}
