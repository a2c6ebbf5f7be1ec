import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErpDocument, JournalEntry, TargetDefinition } from '../connector.js';

// Postings and targets shared by the file connector's tests.

export function journal(externalId = 'J-ABCDEFGHIJKLMN', overrides: Partial<JournalEntry> = {}): JournalEntry {
  return {
    type: 'journal',
    externalId,
    legalEntity: 'US',
    currency: 'USD',
    postingDate: '2026-10-31',
    memo: 'Usage revenue 2026-10-31',
    lines: [
      {
        account: '1200',
        dimensions: { subsidiary: '1', department: 'sales' },
        debit: '107.50',
        credit: '0',
        memo: 'Receivable',
        references: [{ invoiceId: 'inv_1', invoiceNumber: 'INV-0001', lineNo: 1 }],
      },
      {
        account: '4000',
        dimensions: { subsidiary: '1' },
        debit: '0',
        credit: '100.00',
        memo: 'API calls',
        references: [],
      },
      { account: '2200', dimensions: {}, debit: '0', credit: '7.50', memo: 'Sales tax', references: [] },
    ],
    ...overrides,
  };
}

export function invoice(externalId = 'I-ABCDEFGHIJKLMN', overrides: Partial<ErpDocument> = {}): ErpDocument {
  return {
    type: 'invoice',
    externalId,
    legalEntity: 'EU',
    customer: 'CUST-42',
    currency: 'EUR',
    documentDate: '2026-11-01',
    memo: 'Invoice INV-0002',
    dimensions: { subsidiary: '2' },
    lines: [
      {
        item: 'API',
        description: 'API calls, October',
        quantity: '1000',
        unitPrice: '0.0125',
        amount: '12.50',
        reference: { invoiceId: 'inv_2', invoiceNumber: 'INV-0002', lineNo: 1 },
      },
      {
        item: 'SUPPORT',
        description: 'Support plan',
        quantity: null,
        unitPrice: null,
        amount: '20.00',
        reference: { invoiceId: 'inv_2', invoiceNumber: 'INV-0002', lineNo: 2 },
      },
    ],
    tax: '6.18',
    total: '38.68',
    ...overrides,
  };
}

export function fileTarget(directory: string, formats: readonly string[] = ['csv', 'jsonl']): TargetDefinition {
  return {
    key: 'files',
    kind: 'file',
    settings: { directory, formats: [...formats] },
    limits: { requestsPerSecond: 1000, concurrency: 8 },
  };
}

export const noSecrets = async (name: string): Promise<string> => {
  throw new Error(`the file target needs no secret, yet ${name} was asked for`);
};

/** A fresh directory under the OS's temporary directory; `remove` deletes it and everything in it. */
export async function scratchDirectory(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'meterbridge-file-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export const neverAborted = (): AbortSignal => new AbortController().signal;
