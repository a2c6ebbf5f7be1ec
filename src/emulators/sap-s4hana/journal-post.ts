import { Decimal } from 'decimal.js';
import type { SapChart } from './emulator-options.js';
import type { JournalStore, StoredDocument } from './journal-store.js';
import type { RequestEntry } from './soap-request.js';

// The posting checks of one journal entry, answered as SAP answers them: not with an HTTP error but in
// the confirmation's log. Every problem found is a log item of severity 3 after `609(RW)` "Error in
// document"; an entry without one is posted and confirmed by `605(RW)` "Document posted successfully".
// TypeIDs and texts of 609(RW), 605(RW), 507(F5) and 004(FH) are SAP's; for the other checks SAP's own
// message is unconfirmed and the emulator's is documented in docs/connectors/sap-s4hana-emulator.md.

export interface LogItem {
  typeId: string;
  severity: 1 | 2 | 3;
  note: string;
}

export interface EntryResult {
  /** The posted document, or undefined when the entry was refused. */
  document: StoredDocument | undefined;
  log: LogItem[];
}

const error = (typeId: string, note: string): LogItem => ({ typeId, severity: 3, note });

/** SAP writes dates in notes as DD.MM.YYYY. */
const sapDate = (date: string) => date.split('-').reverse().join('.');

/** The checks of one entry, in SAP's order of discovery (header, then each item, then the balance). */
function check(entry: RequestEntry, chart: SapChart): LogItem[] {
  const problems: LogItem[] = [];
  if (entry.originalReferenceDocumentType !== 'BKPFF')
    problems.push(
      error('005(RW)', `Reference procedure ${entry.originalReferenceDocumentType} is not supported by this service`),
    );
  if (entry.businessTransactionType !== 'RFBU')
    problems.push(
      error('006(RW)', `Business transaction ${entry.businessTransactionType} is not supported by this service`),
    );
  if (!['SA', 'AB'].includes(entry.documentType))
    problems.push(error('814(F5)', `Document type ${entry.documentType} is not defined`));
  const company = Object.hasOwn(chart.companyCodes, entry.companyCode)
    ? chart.companyCodes[entry.companyCode]
    : undefined;
  if (!company) {
    // Nothing of the items can be checked without the company code's chart and controlling area.
    problems.push(error('165(F5)', `Company code ${entry.companyCode} is not defined`));
    return problems;
  }
  if (entry.items.length < 2) problems.push(error('015(F5)', 'A document needs at least two line items'));
  const accounts = new Set(chart.chartsOfAccounts[company.chartOfAccounts] ?? []);
  const costCenters = new Set(chart.costCenters[company.controllingArea] ?? []);
  const profitCenters = new Set(chart.profitCenters[company.controllingArea] ?? []);
  const currencies = new Set(entry.items.map((item) => item.currency));
  if (currencies.size > 1)
    problems.push(
      error('017(F5)', `Items are in ${[...currencies].join(', ')}; a document has one transaction currency`),
    );
  const reported = new Set<string>();
  let balance = new Decimal(0);
  for (const item of entry.items) {
    if (!accounts.has(item.glAccount) && !reported.has(`account ${item.glAccount}`)) {
      reported.add(`account ${item.glAccount}`);
      problems.push(
        error(
          '507(F5)',
          `G/L account ${item.glAccount} is not defined in chart of accounts ${company.chartOfAccounts}`,
        ),
      );
      problems.push(
        error('004(FH)', `Account ${item.glAccount} does not exist in chart of accounts ${company.chartOfAccounts}`),
      );
    }
    const decimals = Object.hasOwn(chart.currencies, item.currency) ? chart.currencies[item.currency] : undefined;
    if (decimals === undefined) {
      if (!reported.has(`currency ${item.currency}`))
        problems.push(error('100(F5A)', `Currency key ${item.currency} is not defined`));
      reported.add(`currency ${item.currency}`);
    }
    const amount = new Decimal(item.amount);
    if (decimals !== undefined && amount.decimalPlaces() > decimals)
      problems.push(
        error('101(F5A)', `Amount ${item.amount} has more decimal places than currency ${item.currency} (${decimals})`),
      );
    if (
      (item.debitCreditCode === 'S' && amount.isNegative()) ||
      (item.debitCreditCode === 'H' && amount.isPositive() && !amount.isZero())
    )
      problems.push(
        error('148(F5)', `Debit/credit code ${item.debitCreditCode} does not match the sign of amount ${item.amount}`),
      );
    if (item.costCenter !== '' && !costCenters.has(item.costCenter))
      problems.push(
        error(
          '248(KI)',
          `Cost center ${company.controllingArea}/${item.costCenter} does not exist on ${sapDate(entry.postingDate)}`,
        ),
      );
    if (item.profitCenter !== '' && !profitCenters.has(item.profitCenter))
      problems.push(error('027(KM)', `Profit center ${company.controllingArea}/${item.profitCenter} does not exist`));
    balance = balance.plus(amount);
  }
  if (!balance.isZero() && currencies.size === 1)
    problems.push(error('702(F5)', `Balance in transaction currency: ${balance.toFixed()} ${[...currencies][0]}`));
  return problems;
}

/** Checks the entry and posts it when it passes; the log as SAP writes it either way. */
export function postEntry(
  entry: RequestEntry,
  chart: SapChart,
  store: JournalStore,
  logicalSystem: string,
  nowMs: number,
): EntryResult {
  const problems = check(entry, chart);
  if (problems.length > 0)
    return {
      document: undefined,
      log: [error('609(RW)', `Error in document: BKPFF $ ${logicalSystem}`), ...problems],
    };
  const company = chart.companyCodes[entry.companyCode];
  const document = store.post({
    companyCode: entry.companyCode,
    fiscalYear: entry.postingDate.slice(0, 4),
    documentType: entry.documentType,
    documentReferenceId: entry.documentReferenceId,
    headerText: entry.headerText,
    createdByUser: entry.createdByUser,
    postingDate: entry.postingDate,
    documentDate: entry.documentDate,
    currency: entry.items[0]?.currency ?? '',
    companyCodeCurrency: company?.currency ?? '',
    chartOfAccounts: company?.chartOfAccounts ?? '',
    postedAtMs: nowMs,
    items: entry.items.map((item, index) => ({
      item: String(index + 1).padStart(3, '0'),
      glAccount: item.glAccount,
      amount: new Decimal(item.amount).toFixed(),
      debitCreditCode: item.debitCreditCode,
      text: item.text,
      costCenter: item.costCenter,
      profitCenter: item.profitCenter,
    })),
  });
  const key = `${document.accountingDocument}${document.companyCode}${document.fiscalYear}`;
  return {
    document,
    log: [{ typeId: '605(RW)', severity: 1, note: `Document posted successfully: BKPFF ${key} ${logicalSystem}` }],
  };
}
