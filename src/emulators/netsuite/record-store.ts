import type { Decimal } from 'decimal.js';
import { CreditLedger, type Application } from './credit-ledger.js';
import { invalidContent, NetSuiteError } from './netsuite-error.js';
import type { RecordType, TransactionInput } from './transaction.js';

// The account's transactions, in memory only: a restarted emulator starts empty. Internal ids are one
// sequence across transaction types, as NetSuite's are; each external id names at most one record
// per type, which is what makes `PUT .../eid:<id>` an upsert and a second POST with it a refusal.
// Credit memos' applications and payments are kept in a CreditLedger beside the records.

export interface StoredRecord {
  type: RecordType;
  id: string;
  externalId: string | undefined;
  tranId: string;
  input: TransactionInput;
  createdMs: number;
  lastModifiedMs: number;
}

/** The transaction type code SuiteQL's `transaction.type` holds. */
export const SUITEQL_TYPE: Readonly<Record<RecordType, string>> = {
  journalEntry: 'Journal',
  invoice: 'CustInvc',
  creditMemo: 'CustCred',
};

const TRAN_ID_PREFIX: Readonly<Record<RecordType, string>> = { journalEntry: 'JE', invoice: 'INV', creditMemo: 'CM' };
const FIRST_ID = 101;

export class RecordStore {
  private readonly byId = new Map<string, StoredRecord>();
  private readonly byExternal = new Map<string, StoredRecord>();
  private nextId = FIRST_ID;
  private readonly numbers = new Map<RecordType, number>();
  readonly credits = new CreditLedger();

  get(type: RecordType, id: string): StoredRecord | undefined {
    const record = this.byId.get(id);
    return record?.type === type ? record : undefined;
  }

  /** The record with this internal id, whatever its type. */
  byInternalId(id: string): StoredRecord | undefined {
    return this.byId.get(id);
  }

  getByExternalId(type: RecordType, externalId: string): StoredRecord | undefined {
    return this.byExternal.get(`${type}:${externalId}`);
  }

  /** What is still open on an invoice: its total less the credits and payments applied to it. */
  remaining(invoice: StoredRecord): Decimal {
    return invoice.input.total.minus(this.credits.applied(invoice.id));
  }

  /** Records a payment of an invoice (what a customer payment applied to it would do). */
  pay(invoiceId: string, amount: Decimal): void {
    const invoice = this.get('invoice', invoiceId);
    if (invoice === undefined) throw new NetSuiteError(404, 'NONEXISTENT_ID', `There is no invoice ${invoiceId}.`);
    if (
      !amount.isPositive() ||
      amount.isZero() ||
      amount.decimalPlaces() > 2 ||
      amount.greaterThan(this.remaining(invoice))
    )
      throw invalidContent(
        `A payment must be above zero, to the cent, and at most what is open on ${invoice.tranId}.`,
        'amount',
      );
    this.credits.pay(invoiceId, amount);
  }

  /**
   * A new record; a second record of a type with the same external id is refused. `applications` are a
   * credit memo's, already checked (apply-sublist.ts).
   */
  create(type: RecordType, input: TransactionInput, now: number, applications: Application[] = []): StoredRecord {
    if (input.externalId !== undefined && this.getByExternalId(type, input.externalId))
      throw invalidContent(`A record with the external ID ${input.externalId} already exists.`, 'externalId');
    const number = (this.numbers.get(type) ?? 0) + 1;
    this.numbers.set(type, number);
    const record: StoredRecord = {
      type,
      id: String(this.nextId++),
      externalId: input.externalId,
      tranId: input.tranId ?? `${TRAN_ID_PREFIX[type]}${number}`,
      input,
      createdMs: now,
      lastModifiedMs: now,
    };
    this.byId.set(record.id, record);
    if (record.externalId !== undefined) this.byExternal.set(`${type}:${record.externalId}`, record);
    if (type === 'creditMemo') this.credits.replace(record.id, applications);
    return record;
  }

  /** Creates the record with this external id, or replaces the one that has it (keeping its id). */
  upsert(
    type: RecordType,
    externalId: string,
    input: TransactionInput,
    now: number,
    applications: Application[] = [],
  ): StoredRecord {
    const existing = this.getByExternalId(type, externalId);
    if (existing === undefined) return this.create(type, { ...input, externalId }, now, applications);
    const applied = type === 'invoice' ? this.credits.applied(existing.id) : undefined;
    if (applied !== undefined && input.total.lessThan(applied))
      throw invalidContent(
        `The total cannot fall below the ${applied.toFixed(2)} already credited or paid on ${existing.tranId}.`,
        'item.items',
      );
    existing.input = { ...input, externalId };
    if (type === 'creditMemo') this.credits.replace(existing.id, applications);
    if (input.tranId !== undefined) existing.tranId = input.tranId;
    existing.lastModifiedMs = now;
    return existing;
  }

  /**
   * A second record with a record's fields and lines and its external id, as a person or another
   * integration makes one: it gets its own internal id and number, and the external id keeps naming the
   * first (NetSuite refuses a second record of a type under one external id through its API; a copy
   * stands for what slips past that, an import or a record of a type Meterbridge does not write).
   */
  copy(record: StoredRecord, now: number): StoredRecord {
    const number = (this.numbers.get(record.type) ?? 0) + 1;
    this.numbers.set(record.type, number);
    const copy: StoredRecord = {
      ...record,
      id: String(this.nextId++),
      tranId: `${TRAN_ID_PREFIX[record.type]}${number}`,
      // Plain JSON cloned; the totals are immutable Decimals. A copy applies no credit.
      input: {
        ...record.input,
        fields: structuredClone(record.input.fields),
        lines: structuredClone(record.input.lines),
        apply: [],
      },
      createdMs: now,
      lastModifiedMs: now,
    };
    this.byId.set(copy.id, copy);
    return copy;
  }

  /** A record's lines changed by hand (its total unchanged: the caller keeps it). */
  editLines(record: StoredRecord, lines: StoredRecord['input']['lines'], now: number): void {
    record.input = { ...record.input, lines };
    record.lastModifiedMs = now;
  }

  /** Every record, oldest first. */
  all(): StoredRecord[] {
    return [...this.byId.values()];
  }

  clear(): void {
    this.byId.clear();
    this.byExternal.clear();
    this.numbers.clear();
    this.credits.clear();
    this.nextId = FIRST_ID;
  }
}
