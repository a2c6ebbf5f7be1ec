import { invalidContent } from './netsuite-error.js';
import type { JsonObject } from './record-fields.js';
import type { RecordType, TransactionInput } from './validate-transaction.js';

// The account's transactions, in memory only: a restarted emulator starts empty. Internal ids are one
// sequence across transaction types, as NetSuite's are; each external id names at most one record
// per type, which is what makes `PUT .../eid:<id>` an upsert and a second POST with it a refusal.

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

  get(type: RecordType, id: string): StoredRecord | undefined {
    const record = this.byId.get(id);
    return record?.type === type ? record : undefined;
  }

  getByExternalId(type: RecordType, externalId: string): StoredRecord | undefined {
    return this.byExternal.get(`${type}:${externalId}`);
  }

  /** A new record; a second record of a type with the same external id is refused. */
  create(type: RecordType, input: TransactionInput, now: number): StoredRecord {
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
    return record;
  }

  /** Creates the record with this external id, or replaces the one that has it (keeping its id). */
  upsert(type: RecordType, externalId: string, input: TransactionInput, now: number): StoredRecord {
    const existing = this.getByExternalId(type, externalId);
    if (existing === undefined) return this.create(type, { ...input, externalId }, now);
    existing.input = { ...input, externalId };
    if (input.tranId !== undefined) existing.tranId = input.tranId;
    existing.lastModifiedMs = now;
    return existing;
  }

  /** Every record, oldest first. */
  all(): StoredRecord[] {
    return [...this.byId.values()];
  }

  clear(): void {
    this.byId.clear();
    this.byExternal.clear();
    this.numbers.clear();
    this.nextId = FIRST_ID;
  }
}

/** A record as `GET record/v1/<type>/<id>` answers it, sublist lines expanded. */
export function toApiRecord(record: StoredRecord, baseUrl: string): JsonObject {
  const href = `${baseUrl}/services/rest/record/v1/${record.type}/${record.id}`;
  const { input } = record;
  return {
    links: [{ rel: 'self', href }],
    id: record.id,
    ...(record.externalId === undefined ? {} : { externalId: record.externalId }),
    tranId: record.tranId,
    ...input.fields,
    total: input.total.toNumber(),
    createdDate: new Date(record.createdMs).toISOString(),
    lastModifiedDate: new Date(record.lastModifiedMs).toISOString(),
    [input.sublist]: {
      links: [{ rel: 'self', href: `${href}/${input.sublist}` }],
      items: input.lines,
      totalResults: input.lines.length,
    },
  };
}
