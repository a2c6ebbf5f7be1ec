import { describe, expect, it } from 'vitest';
import type { ErpDocument, JournalEntry, TargetDefinition } from '../connector.js';
import { batchCodeFor, toDimensionSetLines, toJournalDimensions, toJournalLines } from './business-central-mapping.js';
import { toSalesPlan } from './business-central-sales-mapping.js';
import { readSettings } from './business-central-settings.js';

const target: TargetDefinition = {
  key: 'bc',
  kind: 'business-central',
  settings: {
    tenant: '7e5d1b2a-0000-4000-8000-00000000beef',
    environment: 'Production',
    companyId: 'C0A1B2C3-0000-4000-8000-00000000C0DE',
    clientId: '3f2b8c1d-0000-4000-8000-0000000c11e7',
    localCurrency: 'USD',
    taxAccount: '23100',
  },
  credentials: 'BC',
  limits: { requestsPerSecond: 5, concurrency: 2 },
};
const settings = readSettings(target);

const entry: JournalEntry = {
  type: 'journal',
  externalId: 'J-ABCDEFGHIJKLMN',
  legalEntity: 'US',
  currency: 'USD',
  postingDate: '2026-10-31',
  memo: 'usage 2026-10-31',
  lines: [
    { account: '13100', dimensions: {}, debit: '187.50', credit: '0', memo: 'receivable', references: [] },
    { account: '40100', dimensions: {}, debit: '0', credit: '187.5', memo: '', references: [] },
  ],
};

describe('Business Central settings', () => {
  it('builds the company URL and the default token endpoint and scope from the settings', () => {
    expect(settings).toMatchObject({
      companyUrl:
        'https://api.businesscentral.dynamics.com/v2.0/7e5d1b2a-0000-4000-8000-00000000beef/Production/api/v2.0/companies(c0a1b2c3-0000-4000-8000-00000000c0de)/',
      tokenEndpoint: 'https://login.microsoftonline.com/7e5d1b2a-0000-4000-8000-00000000beef/oauth2/v2.0/token',
      scope: 'https://api.businesscentral.dynamics.com/.default',
      batchPrefix: 'MB',
      postDocuments: true,
    });
  });

  it('refuses unusable settings as auth, naming the setting', () => {
    expect(() => readSettings({ ...target, settings: { ...target.settings, companyId: 'CRONUS' } })).toThrow(
      /companyId must be the company id/,
    );
  });
});

describe('journal entries as journal lines', () => {
  it('numbers lines by 10000, signs amounts debit-positive, and uses the external id as the document number', () => {
    expect(toJournalLines(entry, settings)).toEqual([
      {
        lineNumber: 10000,
        accountType: 'G/L Account',
        accountNumber: '13100',
        postingDate: '2026-10-31',
        documentNumber: 'J-ABCDEFGHIJKLMN',
        amount: 187.5,
        description: 'receivable',
        balancingAccountNumber: '',
      },
      expect.objectContaining({ lineNumber: 20000, amount: -187.5, description: 'usage 2026-10-31' }),
    ]);
  });

  it('refuses amounts BC would round or a double could not carry', () => {
    const fine = (debit: string) => ({
      ...entry,
      lines: [
        { ...entry.lines[0]!, debit },
        { ...entry.lines[1]!, credit: debit },
      ],
    });
    expect(() => toJournalLines(fine('0.001'), settings)).toThrow(/to 2 decimals/);
    expect(() => toJournalLines(fine('1234567890123456.10'), settings)).toThrow(/significant digits/);
    expect(toJournalLines(fine('9999999999999.99'), settings)[0]?.amount).toBe(9999999999999.99);
  });

  it('names a batch from the external id: 10 characters, the prefix first, the same every time', () => {
    expect(batchCodeFor('J-ABCDEFGHIJKLMN', 'MB')).toMatch(/^MB[A-Z2-7]{8}$/);
    expect(batchCodeFor('J-ABCDEFGHIJKLMN', 'MB')).toBe(batchCodeFor('J-ABCDEFGHIJKLMN', 'MB'));
    expect(batchCodeFor('J-ABCDEFGHIJKLMO', 'MB')).not.toBe(batchCodeFor('J-ABCDEFGHIJKLMN', 'MB'));
    expect(batchCodeFor('J-1', '')).toHaveLength(10);
  });
});

describe('ERP documents as sales documents', () => {
  const document: ErpDocument = {
    type: 'credit_memo',
    externalId: 'C-1',
    legalEntity: 'US',
    customer: '10000',
    currency: 'EUR',
    documentDate: '2026-11-02',
    memo: 'Meterbridge C-1',
    dimensions: {},
    lines: [
      {
        item: 'usage',
        description: 'x'.repeat(120),
        quantity: '3',
        unitPrice: '0.333333',
        amount: '1.00',
        reference: { invoiceId: 'inv_1', invoiceNumber: '', lineNo: 4 },
      },
    ],
    tax: '0.10',
    total: '1.10',
  };

  it('maps a credit memo: its own date field, the currency, one unit where BC could not multiply back', () => {
    const plan = toSalesPlan(document, settings);
    expect(plan).toMatchObject({
      set: 'salesCreditMemos',
      lineSet: 'salesCreditMemoLines',
      header: {
        externalDocumentNumber: 'C-1',
        creditMemoDate: '2026-11-02',
        customerNumber: '10000',
        currencyCode: 'EUR',
      },
    });
    expect(plan.header).not.toHaveProperty('customerPurchaseOrderReference');
    expect(plan.lines[0]).toMatchObject({
      lineObjectNumber: 'USAGE',
      quantity: 1,
      unitPrice: 1,
      description2: '3 at 0.333333',
    });
    expect(plan.lines[0]?.description).toHaveLength(100);
    expect(plan.lines[1]).toMatchObject({
      lineType: 'Account',
      lineObjectNumber: '23100',
      unitPrice: 0.1,
      description: 'Tax of inv_1',
    });
    expect(plan.total.toFixed(2)).toBe('1.10');
  });
});

describe('Business Central dimension set lines', () => {
  const mapped = readSettings({
    ...target,
    settings: { ...target.settings, dimensions: { department: 'department', location: 'AREA' } },
  });

  it('maps each dimension to its BC code, values in upper case, in code order', () => {
    expect(mapped.dimensions).toEqual({ department: 'DEPARTMENT', location: 'AREA' });
    expect(toDimensionSetLines({ department: 'sales', location: '30' }, mapped, 'dimensions')).toEqual([
      { code: 'AREA', valueCode: '30' },
      { code: 'DEPARTMENT', valueCode: 'SALES' },
    ]);
    const lines = entry.lines.map((line, i) => ({
      ...line,
      dimensions: i === 0 ? { location: '10' } : ({} as Record<string, string>),
    }));
    expect(toJournalDimensions({ ...entry, lines }, mapped)).toEqual([[{ code: 'AREA', valueCode: '10' }], []]);
  });

  it('refuses a dimension the settings do not map, two on one BC dimension, a value past Code[20]', () => {
    const twice = readSettings({
      ...target,
      settings: { ...target.settings, dimensions: { department: 'DEPARTMENT', class: 'DEPARTMENT' } },
    });
    const cases: Array<[Record<string, string>, typeof mapped, RegExp]> = [
      [
        { class: '3' },
        mapped,
        /dimensions\.class is a dimension the target's settings map to no Business Central dimension/,
      ],
      [{ department: 'A', class: 'B' }, twice, /both go to Business Central dimension DEPARTMENT/],
      [{ department: 'X'.repeat(21) }, mapped, /1 to 20 characters \(Code\[20\]\)/],
      [{ department: ' ' }, mapped, /1 to 20 characters/],
    ];
    for (const [dimensions, settings, message] of cases) {
      let failure: unknown;
      try {
        toDimensionSetLines(dimensions, settings, 'dimensions');
      } catch (error) {
        failure = error;
      }
      expect(failure).toMatchObject({ failureClass: 'invalid', detail: { path: 'dimensions' } });
      expect((failure as Error).message).toMatch(message);
    }
  });

  it('carries the document dimensions in the sales plan, for the header and every line', () => {
    const document: ErpDocument = {
      type: 'invoice',
      externalId: 'I-1',
      legalEntity: 'US',
      customer: '10000',
      currency: 'USD',
      documentDate: '2026-11-02',
      memo: 'Meterbridge I-1',
      dimensions: { department: 'SALES' },
      lines: [
        {
          item: 'usage',
          description: 'usage',
          quantity: '2',
          unitPrice: '0.5',
          amount: '1.00',
          reference: { invoiceId: 'inv_1', invoiceNumber: 'MB-1', lineNo: 1 },
        },
      ],
      tax: '0',
      total: '1.00',
    };
    expect(toSalesPlan(document, mapped).dimensions).toEqual([{ code: 'DEPARTMENT', valueCode: 'SALES' }]);
  });
});
