import type { Decimal } from 'decimal.js';
import type { JsonObject } from './record-fields.js';

// The shapes of a posted transaction as the emulator keeps it, apart from the code that checks it (which
// needs the store): the store, the validation and the apply sublist all speak these.

export type RecordType = 'journalEntry' | 'invoice' | 'creditMemo';
export const RECORD_TYPES: readonly RecordType[] = ['journalEntry', 'invoice', 'creditMemo'];

export interface TransactionInput {
  externalId: string | undefined;
  tranId: string | undefined;
  /** Header fields in NetSuite's shape, without id, externalId and tranId. */
  fields: JsonObject;
  /** `line` for journal entries, `item` for invoices and credit memos. */
  sublist: 'line' | 'item';
  lines: JsonObject[];
  /** Sum of the debits (journal entry), or of the item lines and the tax lines, to the cent. */
  total: Decimal;
  /** Invoices and credit memos: the lines of tax items (the rest of the total is the subtotal). */
  taxTotal: Decimal;
  /** A credit memo's `apply` lines as sent; checked against the invoices by apply-sublist.ts. */
  apply: ApplyLine[];
}

export interface ApplyLine {
  /** The document's internal id as sent. */
  doc: string;
  apply: boolean;
  amount: Decimal | undefined;
}
