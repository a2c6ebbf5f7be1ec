import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { JournalEntry, TargetDefinition } from '../connector.js';
import { GL_INTERFACE_COLUMNS } from './gl-interface-columns.js';
import { batchName, parameterList, toImportFile } from './oracle-fusion-mapping.js';
import { readSettings } from './oracle-fusion-settings.js';

const target = (settings: Record<string, unknown> = {}): TargetDefinition => ({
  key: 'oracle',
  kind: 'oracle-fusion',
  settings: {
    baseUrl: 'https://abcd-test.fa.us2.oraclecloud.com/',
    ledgerId: '300000046975971',
    source: 'Meterbridge',
    category: 'Usage',
    segments: [
      { source: 'dimension', dimension: 'subsidiary' },
      { source: 'account' },
      { source: 'dimension', dimension: 'department', default: '000' },
      { source: 'constant', value: '0000' },
    ],
    ...settings,
  },
  credentials: 'ORACLE',
  limits: { requestsPerSecond: 5, concurrency: 2 },
});

function entry(overrides: Partial<JournalEntry> = {}): JournalEntry {
  return {
    type: 'journal',
    externalId: 'J-ABCDEFGHIJKLMN',
    legalEntity: 'US',
    currency: 'USD',
    postingDate: '2026-10-31',
    memo: 'usage, 2026-10-31 "summary"',
    lines: [
      {
        account: '1200',
        dimensions: { subsidiary: '101' },
        debit: '187.10',
        credit: '0',
        memo: 'receivable',
        references: [{ invoiceId: 'inv_1', invoiceNumber: 'INV-0001', lineNo: 1 }],
      },
      {
        account: '4000',
        dimensions: { subsidiary: '101', department: '100' },
        debit: '0',
        credit: '187.10',
        memo: 'usage\nrevenue',
        references: [
          { invoiceId: 'inv_1', invoiceNumber: 'INV-0001', lineNo: 1 },
          { invoiceId: 'inv_2', invoiceNumber: 'INV-0002', lineNo: 1 },
        ],
      },
    ],
    ...overrides,
  };
}

const column = (row: string[], name: string) => row[GL_INTERFACE_COLUMNS.indexOf(name)];
const rowsOf = (csv: string) => parse(csv) as string[][];

describe('toImportFile', () => {
  const settings = readSettings(target());

  it('writes one headerless row of 149 columns per line, each value at its column', () => {
    const file = toImportFile(entry(), settings);
    const rows = rowsOf(file.csv);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toHaveLength(149);
    const [debit, credit] = rows as [string[], string[]];
    expect(column(debit, 'STATUS')).toBe('NEW');
    expect(column(debit, 'LEDGER_ID')).toBe('300000046975971');
    expect(column(debit, 'ACCOUNTING_DATE')).toBe('2026/10/31');
    expect(column(debit, 'USER_JE_SOURCE_NAME')).toBe('Meterbridge');
    expect(column(debit, 'USER_JE_CATEGORY_NAME')).toBe('Usage');
    expect(column(debit, 'CURRENCY_CODE')).toBe('USD');
    expect(column(debit, 'ACTUAL_FLAG')).toBe('A');
    expect([1, 2, 3, 4, 5].map((n) => column(debit, `SEGMENT${n}`))).toEqual(['101', '1200', '000', '0000', '']);
    expect([1, 2, 3, 4].map((n) => column(credit, `SEGMENT${n}`))).toEqual(['101', '4000', '100', '0000']);
    expect([column(debit, 'ENTERED_DR'), column(debit, 'ENTERED_CR')]).toEqual(['187.10', '']);
    expect([column(credit, 'ENTERED_DR'), column(credit, 'ENTERED_CR')]).toEqual(['', '187.10']);
    expect(column(debit, 'REFERENCE1')).toBe('Meterbridge J-ABCDEFGHIJKLMN');
    expect(column(debit, 'REFERENCE4')).toBe('Meterbridge J-ABCDEFGHIJKLMN USD');
    expect(column(debit, 'REFERENCE2')).toBe('usage, 2026-10-31 "summary"');
    expect(column(credit, 'REFERENCE10')).toBe('usage revenue');
    expect(column(credit, 'REFERENCE23')).toBe('INV-0001 INV-0002');
    expect(column(debit, 'GROUP_ID')).toBe(file.groupId);
    expect(column(debit, 'PERIOD_NAME')).toBe('');
    expect(file.batchName).toBe(batchName(entry()));
  });

  it('zips GlInterface.csv alone, the same bytes on every attempt', () => {
    const first = toImportFile(entry(), settings);
    const again = toImportFile(entry(), settings);
    expect(again.zipBase64).toBe(first.zipBase64);
    const files = unzipSync(Buffer.from(first.zipBase64, 'base64'));
    expect(Object.keys(files)).toEqual(['GlInterface.csv']);
    expect(strFromU8(files['GlInterface.csv']!)).toBe(first.csv);
    expect(first.fileName).toBe('Meterbridge_J-ABCDEFGHIJKLMN.zip');
  });

  it('gives a corrected posting a new group, and keeps its batch name', () => {
    const first = toImportFile(entry(), settings);
    const fixed = entry({
      lines: entry().lines.map((line) => ({ ...line, account: line.account === '4000' ? '4010' : line.account })),
    });
    const second = toImportFile(fixed, settings);
    expect(second.batchName).toBe(first.batchName);
    expect(second.groupId).not.toBe(first.groupId);
    expect(first.groupId).toMatch(/^[1-9]\d{0,14}$/);
  });

  it('passes amounts through as exact decimal text', () => {
    const big = entry({
      lines: entry().lines.map((line) => ({
        ...line,
        debit: line.debit === '0' ? '0' : '123456789012.34',
        credit: line.credit === '0' ? '0' : '123456789012.34',
      })),
    });
    const [debit] = rowsOf(toImportFile(big, settings).csv) as [string[]];
    expect(column(debit, 'ENTERED_DR')).toBe('123456789012.34');
  });

  it.each([
    [
      'a line without the dimension a segment takes and no default',
      { subsidiary: undefined },
      /SEGMENT1 takes the dimension subsidiary/,
    ],
    ['a segment value Oracle cannot hold', { subsidiary: 'a value much longer than twenty-five' }, /SEGMENT1 would be/],
  ])('refuses %s before any request', (_, dimensions, message) => {
    const body = entry({
      lines: entry().lines.map((line) => ({
        ...line,
        dimensions: { ...line.dimensions, ...dimensions } as Record<string, string>,
      })),
    });
    expect(() => toImportFile(body, settings)).toThrow(message);
    try {
      toImportFile(body, settings);
    } catch (error) {
      expect(error).toMatchObject({ failureClass: 'invalid', detail: { path: 'lines[0].SEGMENT1' } });
    }
  });

  it('refuses amounts past the currency’s decimals, lines with both sides, entries that do not balance, invoices', () => {
    const withLine = (index: number, change: Partial<JournalEntry['lines'][number]>) =>
      entry({ lines: entry().lines.map((line, i) => (i === index ? { ...line, ...change } : line)) });
    expect(() => toImportFile(withLine(0, { debit: '187.105' }), settings)).toThrow(/more decimals than USD's 2/);
    expect(() => toImportFile(entry({ currency: 'JPY', lines: entry().lines }), settings)).toThrow(
      /more decimals than JPY's 0/,
    );
    expect(() => toImportFile(withLine(0, { credit: '1.00' }), settings)).toThrow(/exactly one of debit and credit/);
    expect(() => toImportFile(withLine(0, { debit: '187.11' }), settings)).toThrow(/does not balance/);
    expect(() => toImportFile(withLine(0, { debit: '1e3' }), settings)).toThrow(/not a positive decimal/);
    const invoice = { type: 'invoice' } as unknown as JournalEntry;
    expect(() => toImportFile(invoice, settings)).toThrow(/journal entries only/);
  });

  it('cuts descriptions to 240 bytes of UTF-8 on a character boundary', () => {
    const long = entry({ memo: 'é'.repeat(200) });
    const [row] = rowsOf(toImportFile(long, settings).csv) as [string[]];
    expect(Buffer.byteLength(column(row, 'REFERENCE2') ?? '')).toBe(240);
    expect(column(row, 'REFERENCE2')).toBe('é'.repeat(120));
  });
});

describe('parameterList', () => {
  it('is data access set (#NULL by default), source, ledger, group, suspense and two Ns', () => {
    expect(parameterList(readSettings(target()), '42')).toBe('#NULL,Meterbridge,300000046975971,42,N,N,N');
    const withAccess = readSettings(target({ dataAccessSetId: '300000046975980', postErrorsToSuspense: true }));
    expect(parameterList(withAccess, '42')).toBe('300000046975980,Meterbridge,300000046975971,42,Y,N,N');
  });
});

describe('readSettings', () => {
  it('builds the REST root and applies the defaults', () => {
    expect(readSettings(target())).toMatchObject({
      restUrl: 'https://abcd-test.fa.us2.oraclecloud.com/fscmRestApi/resources/11.13.18.05/',
      pollIntervalMs: 10_000,
      timeoutMs: 600_000,
      postErrorsToSuspense: false,
      dataAccessSetId: undefined,
    });
  });

  it('is an auth failure naming what is wrong', () => {
    expect(() => readSettings(target({ ledgerId: 'US' }))).toThrow(/ledgerId must be an Oracle id/);
    expect(() => readSettings(target({ segments: [] }))).toThrow(/segments must list 1 to 30/);
    expect(() => readSettings(target({ segments: [{ source: 'other' }] }))).toThrow(/segments\[0\].source/);
  });
});
