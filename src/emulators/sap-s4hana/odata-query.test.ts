import { describe, expect, it } from 'vitest';
import { DEFAULT_CHART } from './emulator-options.js';
import { copyByHand, HandEditError, moveByHand, readCopyRequest, readMoveRequest } from './hand-edits.js';
import { JournalStore } from './journal-store.js';
import { handleOData } from './odata-service.js';

// The item cube's query handling without HTTP: posting-date ranges by datetime literal, a literal of the
// wrong type refused as SAP Gateway refuses it, server-driven paging by $skiptoken in JSON and Atom, and
// the hand edits (a second entry under a reference, an amount moved to another account).

function storeWith(dates: readonly string[]): JournalStore {
  const store = new JournalStore();
  dates.forEach((postingDate, index) =>
    store.post({
      companyCode: '1710',
      fiscalYear: postingDate.slice(0, 4),
      documentType: 'SA',
      documentReferenceId: `J-${index + 1}`,
      headerText: '',
      createdByUser: '',
      postingDate,
      documentDate: postingDate,
      currency: 'USD',
      companyCodeCurrency: 'USD',
      chartOfAccounts: 'YCOA',
      postedAtMs: 0,
      items: [
        {
          item: '001',
          glAccount: '12100000',
          amount: '10',
          debitCreditCode: 'S',
          text: '',
          costCenter: '',
          profitCenter: '',
        },
        {
          item: '002',
          glAccount: '41000000',
          amount: '-10',
          debitCreditCode: 'H',
          text: '',
          costCenter: '',
          profitCenter: '',
        },
      ],
    }),
  );
  return store;
}

const query = (store: JournalStore, search: string, maxPageRows?: number, accept = 'application/json') =>
  handleOData(
    'A_OperationalAcctgDocItemCube',
    new URL(`http://127.0.0.1/sap/opu/odata/sap/API_OPLACCTGDOCITEMCUBE_SRV/A_OperationalAcctgDocItemCube?${search}`),
    accept,
    store,
    DEFAULT_CHART,
    () => 0,
    maxPageRows,
  );
const rows = (body: string) => (JSON.parse(body) as { d: { results: Record<string, string>[] } }).d.results;

describe("the item cube's query options", () => {
  it("selects a posting-date range by datetime literals, and refuses a literal of the property's wrong type", () => {
    const store = storeWith(['2026-09-30', '2026-10-01', '2026-10-31', '2026-11-01']);
    const october = query(
      store,
      "$filter=PostingDate ge datetime'2026-10-01T00:00:00' and PostingDate le datetime'2026-10-31T00:00'&$select=DocumentReferenceID,AccountingDocumentItem",
    );
    expect(october.status).toBe(200);
    expect(rows(october.body).map((row) => row.DocumentReferenceID)).toEqual(['J-2', 'J-2', 'J-3', 'J-3']);
    for (const filter of [
      "PostingDate ge '2026-10-01'",
      'PostingDate ge 20261001',
      "CompanyCode eq datetime'2026-10-01T00:00:00'",
      "PostingDate ge datetime'2026-02-30T00:00:00'",
      "PostingDate ge datetime'2026-10-01'",
      "PostingDate ge datetime'2026-10-01T00:00:00",
    ]) {
      const refused = query(store, `$filter=${encodeURIComponent(filter)}`);
      expect(refused.status, filter).toBe(400);
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: '/IWBEP/CM_MGW_RT/022' } });
    }
  });

  it('pages on its own past its page size, with a $skiptoken next link that repeats the query', () => {
    const store = storeWith(['2026-10-01', '2026-10-02', '2026-10-03']);
    const first = query(store, '$select=DocumentReferenceID,AccountingDocumentItem&$skip=1&$format=json', 2);
    const page = JSON.parse(first.body) as { d: { results: unknown[]; __next: string } };
    expect(page.d.results).toHaveLength(2);
    const next = new URL(page.d.__next);
    expect(next.searchParams.get('$skiptoken')).toBe('2');
    expect(next.searchParams.get('$skip')).toBe('1');
    // Five rows after $skip, two a page: three pages, the last without a link.
    const pages = [page.d.results.length];
    for (let link: string | undefined = page.d.__next; link !== undefined;) {
      const answer = JSON.parse(query(store, new URL(link).search.slice(1), 2).body) as {
        d: { results: unknown[]; __next?: string };
      };
      pages.push(answer.d.results.length);
      link = answer.d.__next;
    }
    expect(pages).toEqual([2, 2, 1]);
    // Atom carries the same link as <link rel="next">.
    expect(query(store, '$select=AccountingDocumentItem', 2, 'application/atom+xml').body).toMatch(
      /<link href="[^"]+\$skiptoken=2" rel="next"/,
    );
    expect(query(store, '$skiptoken=abc', 2).status).toBe(400);
    expect(query(store, '$skiptoken=-1').status).toBe(400);
  });
});

describe('hand edits', () => {
  it('posts a second entry under a reference with the next number, and moves an amount keeping the total', () => {
    const store = storeWith(['2026-10-01']);
    const copy = copyByHand(store, { documentReferenceId: 'J-1' }, 5);
    expect(copy).toMatchObject({
      accountingDocument: '0100000002',
      documentReferenceId: 'J-1',
      createdByUser: 'ACCOUNTANT',
    });
    const moved = moveByHand(store, DEFAULT_CHART, { documentReferenceId: 'J-1', amount: '4' });
    expect(moved.items.map(({ glAccount, amount }) => [glAccount, amount])).toEqual([
      ['12100000', '10'],
      ['41000000', '-6'],
      ['11001000', '-4'],
    ]);
    // The copy is untouched: only the oldest entry under the reference is edited.
    expect(store.all()[1]?.items).toHaveLength(2);
    expect(() => moveByHand(store, DEFAULT_CHART, { documentReferenceId: 'J-1', amount: '7' })).toThrow(HandEditError);
    expect(() => moveByHand(store, DEFAULT_CHART, { documentReferenceId: 'J-9' })).toThrow(/no journal entry/);
  });

  it('reads requests strictly, listing every problem', () => {
    expect(readMoveRequest({ documentReferenceId: 'J-1', amount: '1.50', glAccount: '44000000' })).toEqual({
      documentReferenceId: 'J-1',
      amount: '1.50',
      glAccount: '44000000',
    });
    const problems = (value: unknown) => {
      try {
        readCopyRequest(value);
        return [];
      } catch (error) {
        return (error as HandEditError).problems;
      }
    };
    expect(problems({ documentReferenceId: 'J-1\u0000', nope: 1 })).toEqual([
      'documentReferenceId must be 1 to 16 letters, digits or -',
      '"nope" is not a field of this request',
    ]);
    expect(problems({ documentReferenceId: 'J-\uD800' })).toHaveLength(1);
    expect(problems({ documentReferenceId: 'J'.repeat(10_000) })).toHaveLength(1);
    expect(problems({ companyCode: 1710 })).toEqual([
      'companyCode must be 1 to 4 capital letters or digits',
      'documentReferenceId is required',
    ]);
    expect(problems([])).toEqual(['the body must be a JSON object']);
    expect(() => readMoveRequest({ documentReferenceId: 'J-1', amount: '1e3' })).toThrow(/amount must be/);
  });
});
