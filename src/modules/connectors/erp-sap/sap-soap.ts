import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import type { SapJournalEntry } from './sap-mapping.js';

// SOAP 1.1 as SAP's Journal Entry - Post (Synchronous) speaks it, built and read with fast-xml-parser:
// the request is an object written by XMLBuilder (which escapes every text), never a string template;
// the answer is validated as XML before it is parsed, so a truncated body is told apart from a short one.
// Namespace prefixes are dropped when reading (SAP answers `soap-env:`/`env:` and `n0:`), and every
// value stays text: document numbers and fiscal years keep their leading zeros.

export const SOAP_ENVELOPE = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SFIN = 'http://sap.com/xi/SAPSCORE/SFIN';

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: true });

const LISTS = new Set(['Item', 'JournalEntryCreateConfirmation']);
const parser = new XMLParser({
  ignoreAttributes: false,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Lists are lists even with one member; the inner JournalEntryCreateConfirmation is read as [0].
  isArray: (name) => LISTS.has(name),
});

/** The request's XML: one JournalEntryCreateRequest holding the entry. */
export function buildBulkRequest(entry: SapJournalEntry, messageId: string, now: Date): string {
  const header = { ID: messageId, CreationDateTime: now.toISOString() };
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    'soapenv:Envelope': {
      '@_xmlns:soapenv': SOAP_ENVELOPE,
      '@_xmlns:sfin': SFIN,
      'soapenv:Header': '',
      'soapenv:Body': {
        'sfin:JournalEntryBulkCreateRequest': {
          MessageHeader: header,
          JournalEntryCreateRequest: { MessageHeader: { ...header, ID: `${messageId}-1` }, JournalEntry: entry },
        },
      },
    },
  });
}

export interface SapLogItem {
  typeId?: string;
  severity?: string;
  note?: string;
}

export interface SapLog {
  maximumSeverity?: string;
  items: SapLogItem[];
}

/** One entry's confirmation: the document SAP created (blank when it created none) and its log. */
export interface SapEntryConfirmation {
  accountingDocument: string;
  companyCode: string;
  fiscalYear: string;
  log: SapLog;
}

export type SapAnswer =
  | { kind: 'confirmation'; entries: SapEntryConfirmation[]; log: SapLog }
  | { kind: 'fault'; faultCode: string; faultString: string }
  | { kind: 'unreadable'; why: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const asText = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value['#text'] === 'string') return value['#text'];
  return undefined;
};
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

function readLog(value: unknown): SapLog {
  const log = isObject(value) ? value : {};
  return {
    maximumSeverity: asText(log.MaximumLogItemSeverityCode),
    items: asList(log.Item)
      .filter(isObject)
      .map((item) => ({ typeId: asText(item.TypeID), severity: asText(item.SeverityCode), note: asText(item.Note) })),
  };
}

/** The parsed document, or why the text is not XML one can believe (HTML, truncated, a DTD). */
function parseXml(text: string): { value: Record<string, unknown> } | { why: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { why: 'the body is empty' };
  if (!trimmed.startsWith('<')) return { why: 'the body is not XML' };
  // SAP's SOAP runtime never sends a DTD; one here could only expand entities.
  if (/<!DOCTYPE/i.test(trimmed.slice(0, 2000)))
    return { why: 'the body is not SOAP (it has a DOCTYPE: HTML or a DTD)' };
  const valid = XMLValidator.validate(trimmed);
  if (valid !== true) return { why: `the body is not well-formed XML (${valid.err.msg}, line ${valid.err.line})` };
  try {
    const value: unknown = parser.parse(trimmed);
    return isObject(value) ? { value } : { why: 'the body is not an XML document' };
  } catch (error) {
    return { why: `the body cannot be read as XML (${error instanceof Error ? error.message : String(error)})` };
  }
}

/** What SAP answered to a JournalEntryBulkCreateRequest, whatever the HTTP status. */
export function readBulkAnswer(text: string): SapAnswer {
  const parsed = parseXml(text);
  if ('why' in parsed) return { kind: 'unreadable', why: parsed.why };
  const envelope = parsed.value.Envelope;
  const body = isObject(envelope) ? envelope.Body : undefined;
  if (!isObject(body)) return { kind: 'unreadable', why: 'the body is XML but not a SOAP envelope' };
  if (isObject(body.Fault)) {
    const fault = body.Fault;
    return {
      kind: 'fault',
      faultCode: asText(fault.faultcode) ?? asText(isObject(fault.Code) ? fault.Code.Value : undefined) ?? '',
      faultString:
        asText(fault.faultstring) ??
        asText(isObject(fault.Reason) ? fault.Reason.Text : undefined) ??
        '(no fault text)',
    };
  }
  const confirmation = body.JournalEntryBulkCreateConfirmation;
  if (!isObject(confirmation))
    return { kind: 'unreadable', why: 'the SOAP body holds no JournalEntryBulkCreateConfirmation' };
  const entries = asList(confirmation.JournalEntryCreateConfirmation)
    .filter(isObject)
    .map((outer): SapEntryConfirmation => {
      const inner = asList(outer.JournalEntryCreateConfirmation).find(isObject) ?? {};
      return {
        accountingDocument: (asText(inner.AccountingDocument) ?? '').trim(),
        companyCode: (asText(inner.CompanyCode) ?? '').trim(),
        fiscalYear: (asText(inner.FiscalYear) ?? '').trim(),
        log: readLog(outer.Log),
      };
    });
  return { kind: 'confirmation', entries, log: readLog(confirmation.Log) };
}

/** An OData v2 error document's code and message, or undefined when the text is not one. */
export function readODataError(text: string): { code?: string; message?: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = isObject(parsed) ? parsed.error : undefined;
  if (!isObject(error)) return undefined;
  const message = isObject(error.message) ? error.message.value : error.message;
  return {
    code: typeof error.code === 'string' ? error.code : undefined,
    message: typeof message === 'string' ? message : undefined,
  };
}
