import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bcApi } from '../../../test/harness/business-central-test-ledger.js';
import { readVendorApi } from '../../../test/harness/vendor-apis.js';
import { startBusinessCentralEmulator, type BusinessCentralEmulator } from './business-central-emulator.js';
import { DIMENSION_SET_LINE, ENTITY_SPECS } from './entity-specs.js';

// The emulator's entities are Microsoft's API v2.0 pages, read from the pages' own AL source
// (vendor-apis/business-central/*.Page.al): every field in the page's order, which of them can be
// written (a field marked `Editable = false`, a page marked so, and the system fields SystemId and
// SystemModifiedAt cannot), the navigation parts, and the bound actions (`[ServiceEnabled]` procedures,
// named in camelCase as `Microsoft.NAV.<action>`). Both the emulator's declared specs and the entities it
// answers over HTTP are checked against them.

interface PageField {
  name: string;
  editable: boolean;
}

interface Page {
  entitySet: string;
  fields: PageField[];
  parts: string[];
  actions: string[];
}

/** The text of the `{ ... }` block opening at or after `from`. */
function blockAfter(text: string, from: number): { body: string; end: number } {
  const open = text.indexOf('{', from);
  let depth = 0;
  for (let at = open; at < text.length; at += 1) {
    if (text[at] === '{') depth += 1;
    else if (text[at] === '}') {
      depth -= 1;
      if (depth === 0) return { body: text.slice(open + 1, at), end: at };
    }
  }
  throw new Error('unbalanced braces');
}

function parsePage(text: string): Page {
  const layoutAt = text.search(/\blayout\s*\{/);
  const header = text.slice(0, layoutAt);
  const pageReadOnly = /\bEditable\s*=\s*false\s*;/.test(header);
  const entitySet = /EntitySetName\s*=\s*'([^']+)'/.exec(header)?.[1] ?? '';
  const layout = blockAfter(text, layoutAt);
  const fields: PageField[] = [];
  const parts: string[] = [];
  const control = /\b(field|part)\(\s*("?)([A-Za-z0-9]+)\2\s*;\s*([^)]*)\)/g;
  for (let match = control.exec(layout.body); match !== null; match = control.exec(layout.body)) {
    const [, kind, , name, source] = match;
    const block = blockAfter(layout.body, match.index + match[0].length);
    control.lastIndex = block.end;
    if (kind === 'part') {
      parts.push(name!);
      continue;
    }
    const system = /^Rec\.System(Id|ModifiedAt|CreatedAt|CreatedBy|ModifiedBy)$/.test(source!.trim());
    const readOnly = pageReadOnly || system || /\bEditable\s*=\s*false\s*;/.test(block.body);
    fields.push({ name: name!, editable: !readOnly });
  }
  const actions = [...text.matchAll(/\[ServiceEnabled\][\s\S]*?procedure\s+([A-Za-z0-9]+)\s*\(/g)].map(
    ([, procedure]) => procedure![0]!.toLowerCase() + procedure!.slice(1),
  );
  return { entitySet, fields, parts, actions };
}

const PAGES = [
  'APIV2Journals.Page.al',
  'APIV2JournalLines.Page.al',
  'APIV2GLEntries.Page.al',
  'APIV2SalesInvoices.Page.al',
  'APIV2SalesInvoiceLines.Page.al',
];
const pages = PAGES.map((file) => ({ file, page: parsePage(readVendorApi(`business-central/${file}`)) }));

let emulator: BusinessCentralEmulator;
beforeAll(async () => {
  emulator = await startBusinessCentralEmulator();
});
afterAll(() => emulator?.close());

describe("the emulator's entities are Microsoft's API v2.0 pages", () => {
  it('reads every field, part and action of the pages (the parser finds what the pages hold)', () => {
    const journals = pages.find(({ file }) => file === 'APIV2Journals.Page.al')!.page;
    expect(journals.entitySet).toBe('journals');
    expect(journals.actions).toEqual(['post']);
    expect(journals.fields.find((field) => field.name === 'code')).toEqual({ name: 'code', editable: true });
    const invoices = pages.find(({ file }) => file === 'APIV2SalesInvoices.Page.al')!.page;
    expect(invoices.fields.length).toBeGreaterThan(50);
    expect(invoices.fields.find((field) => field.name === 'totalAmountIncludingTax')?.editable).toBe(false);
  });

  for (const { file, page } of pages) {
    it(`declares ${page.entitySet} as ${file} does: fields in order, what is editable, parts and actions`, () => {
      const spec = ENTITY_SPECS.find((one) => one.entitySet === page.entitySet);
      expect(spec, `no entity for ${page.entitySet}`).toBeDefined();
      expect(spec!.fields.map(({ name, editable }) => ({ name, editable }))).toEqual(page.fields);
      expect([...spec!.parts]).toEqual(page.parts);
      expect([...spec!.actions]).toEqual(page.actions);
    });
  }

  it('answers each entity over HTTP with exactly the page fields, and refuses to write a read-only one', async () => {
    const journal = await bcApi(emulator, 'POST', 'journals', { code: 'FIELDS' });
    const line = { accountNumber: '13100', documentNumber: 'F-1', amount: 1 };
    const journalLine = await bcApi(emulator, 'POST', `journals(${String(journal.id)})/journalLines`, line);
    await bcApi(emulator, 'POST', `journals(${String(journal.id)})/journalLines`, {
      ...line,
      accountNumber: '40100',
      amount: -1,
    });
    await bcApi(emulator, 'POST', `journals(${String(journal.id)})/Microsoft.NAV.post`);
    const entries = (await bcApi(emulator, 'GET', 'generalLedgerEntries')) as { value: Array<Record<string, unknown>> };
    const invoice = await bcApi(emulator, 'POST', 'salesInvoices', { customerNumber: '10000' });
    const invoiceLine = await bcApi(emulator, 'POST', `salesInvoices(${String(invoice.id)})/salesInvoiceLines`, {
      lineType: 'Item',
      lineObjectNumber: 'USAGE',
    });
    const answered: Record<string, Record<string, unknown>> = {
      journals: journal,
      journalLines: journalLine,
      generalLedgerEntries: entries.value[0]!,
      salesInvoices: invoice,
      salesInvoiceLines: invoiceLine,
    };
    for (const { page } of pages) {
      const keys = Object.keys(answered[page.entitySet]!).filter((key) => !key.startsWith('@odata.'));
      expect([page.entitySet, keys]).toEqual([page.entitySet, page.fields.map((field) => field.name)]);
    }
    await expect(
      bcApi(emulator, 'PATCH', `salesInvoices(${String(invoice.id)})`, { number: 'X' }, '*'),
    ).rejects.toThrow(/400 .*BadRequest_InvalidOperation.*read-only/);
  });

  it("declares dimensionSetLines as Microsoft's API reference lists them (no page source is vendored for it)", async () => {
    // The properties of the `dimensionSetLine` resource type in Microsoft's API v2.0 reference, in order.
    const documented = [
      'id',
      'code',
      'parentId',
      'parentType',
      'displayName',
      'valueId',
      'valueCode',
      'valueDisplayName',
    ];
    expect(DIMENSION_SET_LINE.fields.map((field) => field.name)).toEqual(documented);
    expect(DIMENSION_SET_LINE.fields.filter((field) => field.editable).map((field) => field.name)).toEqual([
      'code',
      'valueId',
      'valueCode',
    ]);
    // The vendored pages that have the part name it as the emulator serves it.
    for (const file of [
      'APIV2JournalLines.Page.al',
      'APIV2GLEntries.Page.al',
      'APIV2SalesInvoices.Page.al',
      'APIV2SalesInvoiceLines.Page.al',
    ])
      expect(pages.find((one) => one.file === file)!.page.parts).toContain('dimensionSetLines');
    const journal = await bcApi(emulator, 'POST', 'journals', { code: 'DIMFIELDS' });
    const line = await bcApi(emulator, 'POST', `journals(${String(journal.id)})/journalLines`, {
      accountNumber: '13100',
      documentNumber: 'F-2',
      amount: 1,
    });
    const answered = await bcApi(
      emulator,
      'POST',
      `journals(${String(journal.id)})/journalLines(${String(line.id)})/dimensionSetLines`,
      { code: 'AREA', valueCode: '10' },
    );
    expect(Object.keys(answered).filter((key) => !key.startsWith('@odata.'))).toEqual(documented);
  });
});
