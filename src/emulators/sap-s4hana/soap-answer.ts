import { randomUUID } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import type { EntryResult, LogItem } from './journal-post.js';
import { SFIN, SOAP12 } from './soap-request.js';

// SAP's answers on the SOAP endpoint, written with XMLBuilder: the JournalEntryBulkCreateConfirmation
// (HTTP 200 whether or not anything posted; a refused entry has a blank AccountingDocument and
// CompanyCode and FiscalYear 0000) and the runtime's SOAP fault (HTTP 500), in the SOAP version of the
// request. The fault text is SAP's generic one; the emulator adds its reason in the fault's detail.

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: true });

const uuid = () => randomUUID();

function logOf(items: readonly LogItem[]) {
  if (items.length === 0) return '';
  return {
    MaximumLogItemSeverityCode: String(Math.max(...items.map((item) => item.severity))),
    Item: items.map((item) => ({ TypeID: item.typeId, SeverityCode: String(item.severity), Note: item.note })),
  };
}

function envelope(soapNamespace: string, body: Record<string, unknown>): string {
  return builder.build({
    'soap-env:Envelope': { '@_xmlns:soap-env': soapNamespace, 'soap-env:Header': '', 'soap-env:Body': body },
  });
}

export function confirmationXml(
  soapNamespace: string,
  requestId: string,
  results: ReadonlyArray<EntryResult & { messageId: string }>,
  now: Date,
): string {
  const created = now.toISOString();
  return envelope(soapNamespace, {
    'n0:JournalEntryBulkCreateConfirmation': {
      '@_xmlns:n0': SFIN,
      MessageHeader: {
        UUID: uuid(),
        ...(requestId === '' ? {} : { ReferenceID: requestId }),
        CreationDateTime: created,
      },
      JournalEntryCreateConfirmation: results.map((result) => ({
        MessageHeader: {
          UUID: uuid(),
          ...(result.messageId === '' ? {} : { ReferenceID: result.messageId }),
          CreationDateTime: created,
        },
        JournalEntryCreateConfirmation: {
          AccountingDocument: result.document?.accountingDocument ?? ' ',
          CompanyCode: result.document?.companyCode ?? ' ',
          FiscalYear: result.document?.fiscalYear ?? '0000',
        },
        Log: logOf(result.log),
      })),
      Log: '',
    },
  });
}

/** The SOAP runtime's fault: `client` for a request it cannot take, else the server's. */
export function faultXml(soapNamespace: string, reason: string, client: boolean, now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const text = `Web service processing error; more details in the web service error log on provider side (UTC timestamp ${stamp}; Transaction ID ${uuid().replace(/-/g, '').toUpperCase()})`;
  if (soapNamespace === SOAP12)
    return envelope(soapNamespace, {
      'soap-env:Fault': {
        'soap-env:Code': { 'soap-env:Value': client ? 'soap-env:Sender' : 'soap-env:Receiver' },
        'soap-env:Reason': { 'soap-env:Text': { '@_xml:lang': 'en', '#text': text } },
        'soap-env:Detail': { EmulatorReason: reason },
      },
    });
  return envelope(soapNamespace, {
    'soap-env:Fault': {
      faultcode: client ? 'soap-env:Client' : 'soap-env:Server',
      faultstring: { '@_xml:lang': 'en', '#text': text },
      detail: { EmulatorReason: reason },
    },
  });
}
