import { DeliveryFailure, type FailureClass } from '../connector.js';
import type { SapAnswer, SapEntryConfirmation, SapLogItem } from './sap-soap.js';

// SAP answers a posting with HTTP 200 whether it posted or not: the confirmation's document number and log
// say which. A document number is a posting, whatever the log adds. No number and an error (severity 3)
// is a refusal: nothing was posted, and the document goes to a person with SAP's log whole, the most
// specific message's TypeID as the code and, where the message names a value (an account, a company
// code, a currency, a cost or profit center), a path to it that keeps the value. A lock is waited out.
// No number and no error, a test run's 0000000000, an empty or unreadable answer: see below.

/** `609(RW)` "Error in document: ..." heads every refusal and says nothing of its own. */
const GENERIC = new Set(['609(RW)']);

/** Messages whose value the path keeps, with the path they point to. */
const PLACES: ReadonlyArray<{ note: RegExp; path: (value: string) => string }> = [
  {
    note: /G\/L account (\S+) is not defined/i,
    path: (account) => `JournalEntry/Item[GLAccount='${account}']/GLAccount`,
  },
  {
    note: /Account (\S+) does not exist in chart of accounts/i,
    path: (account) => `JournalEntry/Item[GLAccount='${account}']/GLAccount`,
  },
  { note: /Company code (\S+)/i, path: (code) => `JournalEntry[CompanyCode='${code}']/CompanyCode` },
  {
    note: /Currency(?: key)? (\S+)/i,
    path: (currency) => `JournalEntry/Item/AmountInTransactionCurrency[@currencyCode='${currency}']`,
  },
  {
    note: /Cost center (?:\S+\/)?(\S+)/i,
    path: (center) => `JournalEntry/Item/AccountAssignment[CostCenter='${center}']/CostCenter`,
  },
  {
    note: /Profit center (?:\S+\/)?(\S+)/i,
    path: (center) => `JournalEntry/Item/AccountAssignment[ProfitCenter='${center}']/ProfitCenter`,
  },
  { note: /Posting period/i, path: () => 'JournalEntry/PostingDate' },
  { note: /Balance in transaction currency/i, path: () => 'JournalEntry/Item/AmountInTransactionCurrency' },
];

/** Refusals that pass by themselves: the document or a master record locked by someone else. */
const TRANSIENT = /\bis (?:currently )?(?:locked|blocked by)\b|\bcurrently being processed\b|\block table overflow\b/i;

const said = (item: SapLogItem) => `${item.typeId ?? '(no TypeID)'} ${item.note ?? '(no text)'}`.trim();
const cleanValue = (value: string) => value.replace(/[.,;:]+$/, '').replace(/'/g, '');

/** The refusal of an entry as a failure: the class, the most specific code and a path keeping its value. */
function refusal(reference: string, errors: SapLogItem[], text: string, status: number): DeliveryFailure {
  const specific = errors.find((item) => !GENERIC.has(item.typeId ?? '')) ?? errors[0];
  let path: string | undefined;
  for (const place of PLACES) {
    const match = place.note.exec(specific?.note ?? '');
    if (match) {
      path = place.path(cleanValue(match[1] ?? ''));
      break;
    }
  }
  const failureClass: FailureClass = errors.some((item) => TRANSIENT.test(item.note ?? '')) ? 'unavailable' : 'invalid';
  return new DeliveryFailure(failureClass, `SAP refused journal entry ${reference}: ${errors.map(said).join('; ')}`, {
    targetText: text,
    status,
    code: specific?.typeId,
    path,
  });
}

const unknown = (message: string, text: string, status: number) =>
  new DeliveryFailure('unknown_outcome', message, { targetText: text, status });

/**
 * The document a 200 confirmation names, as `<company code>/<fiscal year>/<document>`, or the failure it
 * says. `reference` is the DocumentReferenceID sent, for the messages.
 */
export function confirmedDocument(
  answer: Extract<SapAnswer, { kind: 'confirmation' }>,
  reference: string,
  text: string,
  status: number,
): string {
  if (answer.entries.length !== 1)
    throw unknown(
      `SAP confirmed ${answer.entries.length} journal entries for the one sent (${reference})`,
      text,
      status,
    );
  const entry = answer.entries[0] as SapEntryConfirmation;
  const document = entry.accountingDocument;
  if (/^\d{1,10}$/.test(document) && !/^0+$/.test(document)) {
    if (!/^[A-Z0-9]{1,4}$/.test(entry.companyCode) || !/^\d{4}$/.test(entry.fiscalYear))
      throw unknown(
        `SAP posted document ${document} for ${reference} but named no company code and fiscal year (${entry.companyCode || 'blank'}, ${entry.fiscalYear || 'blank'})`,
        text,
        status,
      );
    return `${entry.companyCode}/${entry.fiscalYear}/${document}`;
  }
  const items = [...entry.log.items, ...answer.log.items];
  const errors = items.filter((item) => item.severity?.trim() === '3');
  if (errors.length > 0 || entry.log.maximumSeverity?.trim() === '3')
    throw refusal(reference, errors.length > 0 ? errors : [{ note: 'an error without a message' }], text, status);
  if (/^0+$/.test(document))
    throw new DeliveryFailure(
      'invalid',
      `SAP answered a test run for ${reference} (document ${document}): nothing was posted; the service must post`,
      { targetText: text, status, code: items[0]?.typeId },
    );
  // No document and no error: the log says something this connector cannot read as either (an unknown
  // severity, no log at all). Whether SAP posted is read back before anything is sent again.
  const log = items.length > 0 ? items.map(said).join('; ') : 'no log';
  throw unknown(`SAP named no document for ${reference} and no error (${log})`, text, status);
}

/** A SOAP fault: the client's (the request as sent cannot be taken) or the server's (read back first). */
export function faultFailure(
  answer: Extract<SapAnswer, { kind: 'fault' }>,
  reference: string,
  text: string,
  status: number,
): DeliveryFailure {
  const client = /(^|:)(Client|Sender)$/i.test(answer.faultCode.trim());
  return new DeliveryFailure(
    client ? 'invalid' : 'unknown_outcome',
    `SAP answered ${status} with a SOAP fault for ${reference}: ${answer.faultCode || '(no fault code)'} ${answer.faultString}`,
    { targetText: text, status, code: answer.faultCode || undefined },
  );
}
