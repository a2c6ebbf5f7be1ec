import type { Decimal } from 'decimal.js';
import { BcError, dialog, duplicateKey } from './bc-error.js';
import { checkIfMatch, type CompanyStore } from './company-store.js';
import { dimensionSetOf, giveDimensionSet, type DimensionSet } from './dimension-set-lines.js';
import { GL_ENTRY, JOURNAL, JOURNAL_LINE } from './entity-specs.js';
import { decimalOf, NO_DATE, roundTo, textOf, ZERO_GUID, type StoredEntity, type Values } from './entity-values.js';

// Journals (general journal batches), their lines and `Microsoft.NAV.post`, as the API v2.0 pages and
// the posting code behave: a batch is keyed by its template and code; a line's account is checked
// against the chart when it is written ('The "accountNumber" does not match to an Account.'); posting
// takes every line of the batch or none: each document (document number and posting date) must
// balance, every account must be postable, and then each line becomes a G/L entry and the lines are
// deleted (the batch stays), each entry carrying its line's dimension set. Journal lines answer a stale
// etag with 409.

const TEMPLATE_KEY = (template: string, code: string) => `Journal Template Name='${template}',Name='${code}'`;

const fieldMissing = (field: string, where: string) =>
  new BcError(
    400,
    'Application_FieldValidationException',
    `${field} must have a value in ${where}. It cannot be zero or empty.`,
  );

/** Journals of a template; BC's page lists the default template's unless the request filters on one. */
export function listJournals(store: CompanyStore, anyTemplate: boolean): StoredEntity[] {
  const [defaultTemplate] = store.chart.journalTemplates;
  return store
    .list('journals')
    .filter((journal) => anyTemplate || textOf(journal.values, 'templateDisplayName') === defaultTemplate);
}

function checkTemplate(store: CompanyStore, template: string): void {
  if (!store.chart.journalTemplates.map((name) => name.toUpperCase()).includes(template))
    throw new BcError(
      400,
      'Internal_InvalidTableRelation',
      `The field Journal Template Name of table Gen. Journal Batch contains a value (${template}) that cannot be found in the related table (Gen. Journal Template).`,
    );
}

function checkUniqueBatch(store: CompanyStore, template: string, code: string, except?: StoredEntity): void {
  const taken = store
    .list('journals')
    .some(
      (journal) =>
        journal !== except &&
        textOf(journal.values, 'templateDisplayName') === template &&
        textOf(journal.values, 'code') === code,
    );
  if (taken) throw duplicateKey(409, 'Gen. Journal Batch', TEMPLATE_KEY(template, code));
}

function applyBalancingAccount(store: CompanyStore, values: Values, into: Values): void {
  if (values.balancingAccountId === undefined) return;
  const id = String(values.balancingAccountId);
  if (id === ZERO_GUID) {
    into.balancingAccountNumber = '';
    return;
  }
  const account = store.index.accountsById.get(id);
  if (account === undefined) throw dialog('The "balancingAccountId" does not match to an Account.');
  into.balancingAccountNumber = account.number;
}

export function createJournal(store: CompanyStore, values: Values): StoredEntity {
  const template = String(values.templateDisplayName ?? store.chart.journalTemplates[0] ?? 'GENERAL').toUpperCase();
  const code = textOf(values, 'code');
  if (code === '') throw fieldMissing('Name', `Gen. Journal Batch: Journal Template Name=${template}, Name=`);
  checkTemplate(store, template);
  checkUniqueBatch(store, template, code);
  const journal = store.create('journals', JOURNAL, { ...values, templateDisplayName: template });
  applyBalancingAccount(store, values, journal.values);
  return journal;
}

export function updateJournal(store: CompanyStore, journal: StoredEntity, values: Values, ifMatch?: string): void {
  checkIfMatch(journal, ifMatch, 409);
  const template = String(values.templateDisplayName ?? journal.values.templateDisplayName);
  const code = String(values.code ?? journal.values.code);
  if (code === '') throw fieldMissing('Name', `Gen. Journal Batch: Journal Template Name=${template}, Name=`);
  checkTemplate(store, template);
  checkUniqueBatch(store, template, code, journal);
  Object.assign(journal.values, values);
  applyBalancingAccount(store, values, journal.values);
  for (const line of store.list('journalLines', journal.id)) line.values.journalDisplayName = code;
  store.touch(journal);
}

export function deleteJournal(store: CompanyStore, journal: StoredEntity, ifMatch?: string): void {
  checkIfMatch(journal, ifMatch, 409);
  for (const line of store.list('journalLines', journal.id)) store.remove('journalLines', line);
  store.remove('journals', journal);
}

/** The account a line names by type and id or number; BC's page refusals otherwise. */
function resolveAccount(
  store: CompanyStore,
  type: string,
  id: string | undefined,
  number: string | undefined,
  field: 'account' | 'balancingAccount',
): { id: string; number: string } {
  const candidates =
    type === 'Bank Account' ? [...store.index.bankAccounts.values()] : [...store.index.accounts.values()];
  const idField = field === 'account' ? 'accountId' : 'balancingAccountId';
  const byId = id !== undefined && id !== ZERO_GUID ? candidates.find((one) => one.id === id) : undefined;
  if (id !== undefined && id !== ZERO_GUID && byId === undefined)
    throw dialog(`The "${idField}" does not match to an Account.`);
  if (byId !== undefined) {
    if (number !== undefined && number !== '' && number !== byId.number)
      throw dialog('The account values do not match to a specific Account.');
    return { id: byId.id, number: byId.number };
  }
  if (number === undefined || number === '') return { id: ZERO_GUID, number: '' };
  const byNumber = candidates.find((one) => one.number.toUpperCase() === number);
  if (byNumber !== undefined) return { id: byNumber.id, number: byNumber.number };
  if (field === 'account') throw dialog('The "accountNumber" does not match to an Account.');
  throw new BcError(
    400,
    'Internal_InvalidTableRelation',
    `The field Bal. Account No. of table Gen. Journal Line contains a value (${number}) that cannot be found in the related table (${type}).`,
  );
}

const lineKey = (journal: StoredEntity, lineNumber: number) =>
  `Journal Template Name='${textOf(journal.values, 'templateDisplayName')}',Journal Batch Name='${textOf(journal.values, 'code')}',Line No.='${lineNumber}'`;

/** Writes a body's fields into a line, checking what BC's page checks. */
function applyLineValues(store: CompanyStore, journal: StoredEntity, line: Values, values: Values, creating: boolean) {
  if (values.journalDisplayName !== undefined) throw dialog("The Journal Batch Display Name isn't editable.");
  if (values.journalId !== undefined && values.journalId !== journal.id)
    throw dialog(
      creating
        ? `The General Journal Batch with ID ${String(values.journalId)} cannot be found.`
        : "The Journal Batch Id isn't editable.",
    );
  for (const type of [values.accountType, values.balanceAccountType])
    if (type === 'Customer' || type === 'Vendor')
      throw dialog(`The emulator posts G/L Account and Bank Account lines only, not ${type} lines.`);
  const merged = { ...line, ...values };
  // An account is resolved again when its type, id or number is written; a type alone keeps the number.
  const resolve = (typeField: string, idField: string, numberField: string, field: 'account' | 'balancingAccount') => {
    if (values[typeField] === undefined && values[idField] === undefined && values[numberField] === undefined) return;
    const id = values[idField] === undefined ? undefined : String(values[idField]);
    const number =
      values[numberField] !== undefined
        ? String(values[numberField])
        : id === undefined
          ? textOf(line, numberField)
          : undefined;
    const account = resolveAccount(store, String(merged[typeField]), id, number, field);
    merged[idField] = account.id;
    merged[numberField] = account.number;
  };
  resolve('accountType', 'accountId', 'accountNumber', 'account');
  resolve('balanceAccountType', 'balancingAccountId', 'balancingAccountNumber', 'balancingAccount');
  // Gen. Journal Line rounds its amount to the currency's amount rounding precision (0.01).
  if (values.amount !== undefined) merged.amount = roundTo(decimalOf(values, 'amount'), 2).toFixed();
  Object.assign(line, merged);
}

export function createJournalLine(store: CompanyStore, journal: StoredEntity, values: Values): StoredEntity {
  const lines = store.list('journalLines', journal.id);
  const last = lines.reduce((max, line) => Math.max(max, Number(line.values.lineNumber)), 0);
  const lineNumber = typeof values.lineNumber === 'number' && values.lineNumber > 0 ? values.lineNumber : last + 10000;
  if (lines.some((line) => line.values.lineNumber === lineNumber))
    throw duplicateKey(400, 'Gen. Journal Line', lineKey(journal, lineNumber));
  const previous = lines.at(-1);
  const draft: Values = {
    journalId: journal.id,
    journalDisplayName: textOf(journal.values, 'code'),
    lineNumber,
    accountType: 'G/L Account',
    balanceAccountType: 'G/L Account',
    postingDate: store.today(),
    documentNumber: previous === undefined ? 'G00001' : textOf(previous.values, 'documentNumber'),
    balancingAccountNumber: textOf(journal.values, 'balancingAccountNumber'),
    balancingAccountId: textOf(journal.values, 'balancingAccountId') || ZERO_GUID,
  };
  applyLineValues(store, journal, draft, { ...values, lineNumber }, true);
  return store.create('journalLines', JOURNAL_LINE, draft, journal.id);
}

export function updateJournalLine(
  store: CompanyStore,
  journal: StoredEntity,
  line: StoredEntity,
  values: Values,
  ifMatch?: string,
): void {
  checkIfMatch(line, ifMatch, 409);
  if (typeof values.lineNumber === 'number' && values.lineNumber !== line.values.lineNumber) {
    const taken = store.list('journalLines', journal.id).some((other) => other.values.lineNumber === values.lineNumber);
    if (taken) throw duplicateKey(400, 'Gen. Journal Line', lineKey(journal, values.lineNumber));
  }
  const draft = { ...line.values };
  applyLineValues(store, journal, draft, values, false);
  line.values = draft;
  store.touch(line);
}

export function deleteJournalLine(store: CompanyStore, line: StoredEntity, ifMatch?: string): void {
  checkIfMatch(line, ifMatch, 409);
  store.remove('journalLines', line);
}

/** BC's number format in messages: thousands separators, two decimals. */
export const formatAmount = (value: Decimal): string =>
  Number(value.toFixed(2)).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** The G/L account a line posts to: the account itself, or a bank account's. */
function glAccountOf(store: CompanyStore, type: string, number: string) {
  const glNumber = type === 'Bank Account' ? (store.index.bankAccounts.get(number)?.glAccount ?? number) : number;
  return store.index.accounts.get(glNumber.toUpperCase());
}

function checkLine(store: CompanyStore, journal: StoredEntity, line: StoredEntity): void {
  const where = `Gen. Journal Line: Journal Template Name=${textOf(journal.values, 'templateDisplayName')}, Journal Batch Name=${textOf(journal.values, 'code')}, Line No.=${String(line.values.lineNumber)}`;
  const { values } = line;
  if (textOf(values, 'accountNumber') === '' && textOf(values, 'balancingAccountNumber') === '')
    throw fieldMissing('Account No.', where);
  if (textOf(values, 'postingDate') === NO_DATE) throw fieldMissing('Posting Date', where);
  if (textOf(values, 'documentNumber') === '') throw fieldMissing('Document No.', where);
  for (const [type, number] of [
    [textOf(values, 'accountType'), textOf(values, 'accountNumber')],
    [textOf(values, 'balanceAccountType'), textOf(values, 'balancingAccountNumber')],
  ] as const) {
    if (number === '') continue;
    const account = glAccountOf(store, type, number);
    if (account?.blocked)
      throw new BcError(
        400,
        'Application_FieldValidationException',
        `Blocked must be equal to 'No'  in G/L Account: No.=${account.number}. Current value is 'Yes'.`,
      );
  }
}

/**
 * `Microsoft.NAV.post`: every line of the batch or none. Each document (its number and posting date)
 * must balance, checked in line order as BC's posting does; then each line (and its balancing account)
 * becomes a G/L entry and the batch is emptied.
 */
export function postJournal(store: CompanyStore, journal: StoredEntity): void {
  const lines = store
    .list('journalLines', journal.id)
    .sort((a, b) => Number(a.values.lineNumber) - Number(b.values.lineNumber));
  if (lines.length === 0) throw dialog('There is nothing to post.');
  for (const line of lines) checkLine(store, journal, line);
  const balances = new Map<string, { document: string; balance: Decimal }>();
  for (const line of lines) {
    const document = textOf(line.values, 'documentNumber');
    const key = `${document}\u0000${textOf(line.values, 'postingDate')}`;
    const selfBalanced = textOf(line.values, 'balancingAccountNumber') !== '';
    const amount = selfBalanced ? decimalOf(line.values, 'amount').times(0) : decimalOf(line.values, 'amount');
    const current = balances.get(key);
    balances.set(key, { document, balance: current === undefined ? amount : current.balance.plus(amount) });
  }
  for (const { document, balance } of balances.values())
    if (!balance.isZero())
      throw dialog(
        `Document No. ${document} is out of balance by ${formatAmount(balance)}. Please check that Posting Date, Document Type, Document No. and Amount are correct for each line.`,
      );
  // One transaction per document, as BC numbers them (`Transaction No.`, which the API page does not show).
  const transactions = new Map<string, number>();
  for (const line of lines) {
    const { values } = line;
    const amount = decimalOf(values, 'amount');
    if (amount.isZero()) continue;
    const key = `${textOf(values, 'documentNumber')}\u0000${textOf(values, 'postingDate')}`;
    const transaction = transactions.get(key) ?? store.next('transaction');
    transactions.set(key, transaction);
    // The line's dimension set goes onto its G/L entries (and its balancing account's).
    const dimensions = dimensionSetOf(store, line.id);
    postEntry(store, {
      dimensions,
      transaction,
      postingDate: textOf(values, 'postingDate'),
      documentNumber: textOf(values, 'documentNumber'),
      documentType: ' ',
      account: glAccountOf(store, textOf(values, 'accountType'), textOf(values, 'accountNumber')),
      description: textOf(values, 'description'),
      amount,
    });
    if (textOf(values, 'balancingAccountNumber') !== '')
      postEntry(store, {
        dimensions,
        transaction,
        postingDate: textOf(values, 'postingDate'),
        documentNumber: textOf(values, 'documentNumber'),
        documentType: ' ',
        account: glAccountOf(store, textOf(values, 'balanceAccountType'), textOf(values, 'balancingAccountNumber')),
        description: textOf(values, 'description'),
        amount: amount.negated(),
      });
  }
  for (const line of lines) store.remove('journalLines', line);
  store.touch(journal);
}

export interface EntryInput {
  /** The transaction the entry belongs to: one per posted document. */
  transaction: number;
  postingDate: string;
  documentNumber: string;
  documentType: string;
  account: { id: string; number: string } | undefined;
  description: string;
  /** Debit when positive, credit when negative. */
  amount: Decimal;
  /** The dimension set of the line or document the entry posts (its `dimensionSetLines`). */
  dimensions?: DimensionSet;
}

/** One G/L entry; entry numbers are one sequence for the company. */
export function postEntry(store: CompanyStore, entry: EntryInput): StoredEntity {
  const debit = entry.amount.isNegative() ? '0' : entry.amount.toFixed();
  const credit = entry.amount.isNegative() ? entry.amount.negated().toFixed() : '0';
  const glEntry = store.create('generalLedgerEntries', GL_ENTRY, {
    entryNumber: store.next('entry'),
    postingDate: entry.postingDate,
    documentNumber: entry.documentNumber,
    documentType: entry.documentType,
    accountId: entry.account?.id ?? ZERO_GUID,
    accountNumber: entry.account?.number ?? '',
    description: entry.description.slice(0, 100),
    debitAmount: debit,
    creditAmount: credit,
    additionalCurrencyDebitAmount: '0',
    additionalCurrencyCreditAmount: '0',
    // Kept beside the page's fields (never rendered): what the admin door's ledger shows.
    transactionNumber: entry.transaction,
  });
  giveDimensionSet(store, glEntry, 'General Ledger Entry', entry.dimensions ?? {});
  return glEntry;
}
