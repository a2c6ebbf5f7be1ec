import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBusinessCentralEmulator, type BusinessCentralEmulator } from './business-central-emulator.js';

// The API as a client meets it: Entra's token endpoint, journals posted into G/L entries the way BC
// posts them (all or nothing, balanced per document), sales documents, optimistic concurrency, OData
// queries, and hostile requests answered with one precise 4xx in BC's shape, never a 5xx.

let emulator: BusinessCentralEmulator;
let token: string;

const SCOPE = 'https://api.businesscentral.dynamics.com/.default';
const form = (fields: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(fields) });

beforeAll(async () => {
  emulator = await startBusinessCentralEmulator({ pageSize: 2 });
  const { clientId, clientSecret } = emulator.credentials;
  const answer = await fetch(
    emulator.tokenEndpoint,
    form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: SCOPE }),
  );
  token = ((await answer.json()) as { access_token: string }).access_token;
});
beforeEach(() => emulator.reset());
afterAll(() => emulator?.close());

interface Answer {
  status: number;
  body: Record<string, unknown> & { value?: Array<Record<string, unknown>>; error?: { code: string; message: string } };
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const { tenant, environment } = emulator.credentials;
  const raw = typeof body === 'string' || body instanceof Uint8Array;
  const response = await fetch(
    `${emulator.url}/v2.0/${tenant}/${environment}/api/v2.0/${path.startsWith('companies') ? '' : `companies(${emulator.company.id})/`}${path}`,
    {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    },
  );
  const text = await response.text();
  let parsed: Answer['body'] = {};
  try {
    parsed = text === '' ? {} : (JSON.parse(text) as Answer['body']);
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

const refusal = (answer: Answer) => [
  answer.status,
  answer.body.error?.code,
  answer.body.error?.message?.replace(/ {2}CorrelationId:.*$/, ''),
];

async function journalWith(lines: Array<Record<string, unknown>>, code = 'TEST') {
  const journal = await call('POST', 'journals', { code });
  for (const line of lines) {
    const created = await call('POST', `journals(${String(journal.body.id)})/journalLines`, line);
    expect(created.status).toBe(201);
  }
  return String(journal.body.id);
}

describe("Entra ID's token endpoint", () => {
  const { clientId, clientSecret } = { clientId: '', clientSecret: '' };
  const grant = (fields: Record<string, string>) =>
    fetch(
      emulator.tokenEndpoint,
      form({
        grant_type: 'client_credentials',
        client_id: emulator.credentials.clientId,
        client_secret: emulator.credentials.clientSecret,
        scope: SCOPE,
        ...fields,
      }),
    );

  it('issues a bearer token for the client credentials grant', async () => {
    const answer = await grant({});
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3599,
      access_token: expect.any(String),
    });
    expect([clientId, clientSecret]).toEqual(['', '']);
  });

  it("refuses a wrong secret, client, scope or tenant in Entra's words, with the AADSTS code", async () => {
    const cases: Array<[Record<string, string>, number, string, number]> = [
      [{ client_secret: 'wrong' }, 401, 'invalid_client', 7000215],
      [{ client_id: '00000000-0000-0000-0000-000000000001' }, 400, 'unauthorized_client', 700016],
      [{ scope: 'https://api.businesscentral.dynamics.com/user_impersonation' }, 400, 'invalid_scope', 1002012],
      [{ scope: 'https://graph.microsoft.com/.default' }, 400, 'invalid_resource', 500011],
      [{ grant_type: 'password' }, 400, 'unsupported_grant_type', 70003],
    ];
    for (const [fields, status, error, code] of cases) {
      const answer = await grant(fields);
      const body = (await answer.json()) as { error: string; error_codes: number[]; error_description: string };
      expect([answer.status, body.error, body.error_codes]).toEqual([status, error, [code]]);
      expect(body.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
    }
    const otherTenant = await fetch(`${emulator.url}/contoso.onmicrosoft.com/oauth2/v2.0/token`, form({}));
    expect(((await otherTenant.json()) as { error_codes: number[] }).error_codes).toEqual([90002]);
  });

  it('refuses a request without a token, or with one it did not issue, as Authentication_InvalidCredentials', async () => {
    const { tenant, environment } = emulator.credentials;
    const answer = await fetch(`${emulator.url}/v2.0/${tenant}/${environment}/api/v2.0/companies`);
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({
      error: {
        code: 'Authentication_InvalidCredentials',
        message: expect.stringMatching(/^The server has rejected the client credentials\./),
      },
    });
  });
});

describe('companies and environments', () => {
  it('lists the company, and refuses an unknown company or environment', async () => {
    expect((await call('GET', 'companies')).body.value).toMatchObject([
      { id: emulator.company.id, name: 'CRONUS USA, Inc.' },
    ]);
    const unknown = await call('GET', 'companies(00000000-1111-4222-8333-444444444444)/journals');
    expect(refusal(unknown).slice(0, 2)).toEqual([404, 'Internal_CompanyNotFound']);
    const { tenant } = emulator.credentials;
    const response = await fetch(`${emulator.url}/v2.0/${tenant}/Nowhere/api/v2.0/companies`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(404);
  });
});

describe('journals and their posting', () => {
  const line = (lineNumber: number, accountNumber: string, amount: number, documentNumber = 'D-1') => ({
    lineNumber,
    accountNumber,
    amount,
    documentNumber,
    postingDate: '2026-10-31',
    description: `line ${lineNumber}`,
  });

  it('posts a balanced batch into G/L entries, one transaction per document, and empties it', async () => {
    const journal = await journalWith([
      line(10000, '13100', 150.25),
      line(20000, '40100', -100),
      line(30000, '40200', -50.25),
      line(40000, '13100', 9, 'D-2'),
      line(50000, '40300', -9, 'D-2'),
    ]);
    const posted = await call('POST', `journals(${journal})/Microsoft.NAV.post`);
    expect(posted.status).toBe(204);
    expect((await call('GET', `journals(${journal})/journalLines`)).body.value).toEqual([]);
    const ledger = emulator.ledger();
    expect(
      ledger.map((entry) => [entry.entryNumber, entry.documentNumber, entry.accountNumber, entry.debit, entry.credit]),
    ).toEqual([
      [1, 'D-1', '13100', '150.25', '0'],
      [2, 'D-1', '40100', '0', '100'],
      [3, 'D-1', '40200', '0', '50.25'],
      [4, 'D-2', '13100', '9', '0'],
      [5, 'D-2', '40300', '0', '9'],
    ]);
    expect(new Set(ledger.map((entry) => entry.transactionNumber)).size).toBe(2);
  });

  it('refuses to post a batch with a document out of balance, posting none of it', async () => {
    const journal = await journalWith([
      line(10000, '13100', 100),
      line(20000, '40100', -100),
      line(30000, '13100', 1234.5, 'D-2'),
    ]);
    const refused = await call('POST', `journals(${journal})/Microsoft.NAV.post`);
    expect(refusal(refused)).toEqual([
      400,
      'Application_DialogException',
      'Document No. D-2 is out of balance by 1,234.50. Please check that Posting Date, Document Type, Document No. and Amount are correct for each line.',
    ]);
    expect(emulator.ledger()).toEqual([]);
    expect(emulator.entities().journalLines).toHaveLength(3);
  });

  it('refuses an empty batch, an unknown account and a blocked one in BC words', async () => {
    const empty = await journalWith([]);
    expect(refusal(await call('POST', `journals(${empty})/Microsoft.NAV.post`))).toEqual([
      400,
      'Application_DialogException',
      'There is nothing to post.',
    ]);
    const unknown = await call('POST', `journals(${empty})/journalLines`, line(10000, '99999', 1));
    expect(refusal(unknown)).toEqual([
      400,
      'Application_DialogException',
      'The "accountNumber" does not match to an Account.',
    ]);
    const blocked = await journalWith([line(10000, '13100', 1), line(20000, '49900', -1)], 'BLOCKED');
    expect(refusal(await call('POST', `journals(${blocked})/Microsoft.NAV.post`)).slice(0, 2)).toEqual([
      400,
      'Application_FieldValidationException',
    ]);
  });

  it('answers a duplicate key as Internal_EntityWithSameKeyExists, as 409 for a batch and 400 for a line', async () => {
    const journal = await journalWith([line(10000, '13100', 1)]);
    expect(refusal(await call('POST', 'journals', { code: 'test' })).slice(0, 2)).toEqual([
      409,
      'Internal_EntityWithSameKeyExists',
    ]);
    expect(
      refusal(await call('POST', `journals(${journal})/journalLines`, line(10000, '13100', 1))).slice(0, 2),
    ).toEqual([400, 'Internal_EntityWithSameKeyExists']);
  });

  it('lists the default template only unless the filter names a template, and rounds amounts to the cent', async () => {
    await call('POST', 'journals', { code: 'A' });
    await call('POST', 'journals', { code: 'B', templateDisplayName: 'MB' });
    expect((await call('GET', 'journals')).body.value?.map((one) => one.code)).toEqual(['A']);
    expect(
      (await call('GET', `journals?$filter=templateDisplayName eq 'MB'`)).body.value?.map((one) => one.code),
    ).toEqual(['B']);
    const journal = String((await call('GET', 'journals')).body.value?.[0]?.id);
    const created = await call('POST', `journals(${journal})/journalLines`, { accountNumber: '13100', amount: 1.005 });
    expect(created.body).toMatchObject({
      amount: 1.01,
      lineNumber: 10000,
      documentNumber: 'G00001',
      accountType: 'G/L Account',
    });
  });

  it('takes PATCH and DELETE only with If-Match: missing is 400, stale is Request_EntityChanged (409 on journal lines)', async () => {
    const journal = await journalWith([line(10000, '13100', 1)]);
    const [held] = (await call('GET', `journals(${journal})/journalLines`)).body.value!;
    const path = `journals(${journal})/journalLines(${String(held!.id)})`;
    expect(refusal(await call('PATCH', path, { amount: 2 })).slice(0, 2)).toEqual([400, 'BadRequest_InvalidToken']);
    const patched = await call('PATCH', path, { amount: 2 }, { 'if-match': String(held!['@odata.etag']) });
    expect(patched.body).toMatchObject({ amount: 2 });
    expect(patched.body['@odata.etag']).not.toBe(held!['@odata.etag']);
    expect(refusal(await call('PATCH', path, { amount: 3 }, { 'if-match': String(held!['@odata.etag']) }))).toEqual([
      409,
      'Request_EntityChanged',
      'Another user has already changed the record.',
    ]);
    expect((await call('DELETE', path, undefined, { 'if-match': '*' })).status).toBe(204);
  });

  it('keeps G/L entries read-only', async () => {
    expect(refusal(await call('POST', 'generalLedgerEntries', { description: 'x' })).slice(0, 2)).toEqual([
      405,
      'BadRequest_MethodNotAllowed',
    ]);
  });
});

describe('sales invoices and credit memos', () => {
  it('builds, totals, taxes by item and posts an invoice; a posted invoice cannot change', async () => {
    const invoice = await call('POST', 'salesInvoices', {
      externalDocumentNumber: 'i-1',
      customerNumber: '10000',
      invoiceDate: '2026-11-01',
    });
    expect(invoice.body).toMatchObject({
      number: 'S-INV1001',
      externalDocumentNumber: 'I-1',
      status: 'Draft',
      customerName: 'Adatum Corporation',
    });
    const id = String(invoice.body.id);
    await call('POST', `salesInvoices(${id})/salesInvoiceLines`, {
      lineType: 'Item',
      lineObjectNumber: 'TAXED',
      quantity: 3,
      unitPrice: 3.335,
    });
    await call('POST', `salesInvoices(${id})/salesInvoiceLines`, {
      lineType: 'Account',
      lineObjectNumber: '23100',
      quantity: 1,
      unitPrice: 0.5,
    });
    const lines = await call('GET', `salesInvoices(${id})/salesInvoiceLines`);
    expect(lines.body.value).toMatchObject([
      { sequence: 10000, amountExcludingTax: 10.01, taxPercent: 10, totalTaxAmount: 1, amountIncludingTax: 11.01 },
      { sequence: 20000, amountExcludingTax: 0.5, totalTaxAmount: 0 },
    ]);
    expect((await call('GET', `salesInvoices(${id})`)).body).toMatchObject({
      totalAmountExcludingTax: 10.51,
      totalTaxAmount: 1,
      totalAmountIncludingTax: 11.51,
    });
    expect((await call('POST', `salesInvoices(${id})/Microsoft.NAV.post`)).status).toBe(204);
    expect((await call('GET', `salesInvoices(${id})`)).body).toMatchObject({
      number: 'PS-INV1001',
      status: 'Open',
      remainingAmount: 11.51,
    });
    const change = await call('PATCH', `salesInvoices(${id})`, { externalDocumentNumber: 'X' }, { 'if-match': '*' });
    expect(refusal(change).slice(0, 2)).toEqual([400, 'Application_DialogException']);
    expect(refusal(await call('POST', `salesInvoices(${id})/Microsoft.NAV.post`))[2]).toBe(
      'The action can be applied to a draft invoice only.',
    );
    expect(refusal(await call('POST', `salesInvoices(${id})/Microsoft.NAV.cancel`))[0]).toBe(501);
  });

  it("refuses what the pages refuse, in BC's words", async () => {
    expect(refusal(await call('POST', 'salesInvoices', {}))[2]).toBe(
      'A "customerNumber" or a "customerId" must be provided.',
    );
    expect(refusal(await call('POST', 'salesInvoices', { customerNumber: '99' }))[2]).toBe(
      'The sell-to customer cannot be found.',
    );
    expect(refusal(await call('POST', 'salesInvoices', { customerNumber: '10000', currencyCode: 'XTS' }))[2]).toBe(
      'The "currencyCode" does not match to a Currency.',
    );
    const id = String((await call('POST', 'salesInvoices', { customerNumber: '10000', currencyCode: 'USD' })).body.id);
    expect(
      refusal(
        await call('POST', `salesInvoices(${id})/salesInvoiceLines`, { lineType: 'Item', lineObjectNumber: 'NOPE' }),
      )[2],
    ).toBe('Item does not exist.');
    expect(refusal(await call('POST', `salesInvoices(${id})/Microsoft.NAV.post`))[2]).toBe('There is nothing to post.');
    const line = await call('POST', `salesInvoices(${id})/salesInvoiceLines`, {
      lineType: 'Item',
      lineObjectNumber: 'USAGE',
      quantity: 1,
    });
    const stale = await call(
      'PATCH',
      `salesInvoices(${id})/salesInvoiceLines(${String(line.body.id)})`,
      { quantity: 2 },
      { 'if-match': 'W/"stale"' },
    );
    expect(refusal(stale).slice(0, 2)).toEqual([412, 'Request_EntityChanged']);
  });

  it('applies a posted credit memo to the invoice it names, up to what is open', async () => {
    const invoice = String((await call('POST', 'salesInvoices', { customerNumber: '20000' })).body.id);
    await call('POST', `salesInvoices(${invoice})/salesInvoiceLines`, {
      lineType: 'Item',
      lineObjectNumber: 'USAGE',
      quantity: 1,
      unitPrice: 30,
    });
    await call('POST', `salesInvoices(${invoice})/Microsoft.NAV.post`);
    const memo = await call('POST', 'salesCreditMemos', { customerNumber: '20000', invoiceId: invoice });
    expect(memo.body).toMatchObject({ invoiceNumber: 'PS-INV1001', number: 'S-CR1001' });
    await call('POST', `salesCreditMemos(${String(memo.body.id)})/salesCreditMemoLines`, {
      lineType: 'Item',
      lineObjectNumber: 'USAGE',
      quantity: 1,
      unitPrice: 45,
    });
    expect((await call('POST', `salesCreditMemos(${String(memo.body.id)})/Microsoft.NAV.post`)).status).toBe(204);
    expect((await call('GET', `salesInvoices(${invoice})`)).body).toMatchObject({ remainingAmount: 0, status: 'Paid' });
    expect((await call('GET', `salesCreditMemos(${String(memo.body.id)})`)).body).toMatchObject({
      number: 'PS-CR1001',
      status: 'Open',
    });
    const draft = await call('POST', 'salesCreditMemos', { customerNumber: '20000', invoiceId: String(memo.body.id) });
    expect(refusal(draft)[2]).toBe('The "invoiceId" does not match to an Invoice.');
  });
});

describe('dimension set lines', () => {
  const line = (lineNumber: number, accountNumber: string, amount: number) => ({
    lineNumber,
    accountNumber,
    amount,
    documentNumber: 'DIM-1',
    postingDate: '2026-10-31',
  });

  it("keeps a journal line's dimension set, and posting carries it onto its G/L entries", async () => {
    const journal = await journalWith([line(10000, '13100', 30), line(20000, '40100', -20), line(30000, '40200', -10)]);
    // The emulator here pages by 2: each line is read by its number.
    const lines = await Promise.all(
      [10000, 20000, 30000].map(
        async (number) =>
          (await call('GET', `journals(${journal})/journalLines?$filter=lineNumber eq ${number}`)).body.value![0]!,
      ),
    );
    const dims = (index: number) => `journals(${journal})/journalLines(${String(lines[index]!.id)})/dimensionSetLines`;
    const created = await call('POST', dims(1), { code: 'department', valueCode: 'sales' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      code: 'DEPARTMENT',
      parentId: lines[1]!.id,
      parentType: 'Journal Line',
      displayName: 'Department',
      valueCode: 'SALES',
      valueDisplayName: 'Sales',
    });
    // Keyed by the dimension's id, unique within the parent; a write gives the parent a new etag.
    const after = await call('GET', `journals(${journal})/journalLines(${String(lines[1]!.id)})`);
    expect(after.body['@odata.etag']).not.toBe(lines[1]!['@odata.etag']);
    await call('POST', dims(1), { code: 'AREA', valueCode: '30' });
    await call('POST', dims(2), { code: 'AREA', valueCode: '20' });
    const set = await call('GET', dims(1));
    expect(set.body.value!.map((one) => [one.code, one.valueCode])).toEqual([
      ['AREA', '30'],
      ['DEPARTMENT', 'SALES'],
    ]);
    const area = set.body.value![0]!;
    const changed = await call(
      'PATCH',
      `${dims(1)}(${String(area.id)})`,
      { valueCode: '10' },
      { 'if-match': String(area['@odata.etag']) },
    );
    expect(changed.body).toMatchObject({ code: 'AREA', valueCode: '10', valueDisplayName: 'Europe North' });
    expect((await call('POST', `journals(${journal})/Microsoft.NAV.post`)).status).toBe(204);
    expect(emulator.ledger().map((entry) => [entry.accountNumber, entry.dimensions])).toEqual([
      ['13100', {}],
      ['40100', { AREA: '10', DEPARTMENT: 'SALES' }],
      ['40200', { AREA: '20' }],
    ]);
    // The entries' own part, read-only; the journal lines' dimension set lines went with them.
    const entry = (await call('GET', "generalLedgerEntries?$filter=accountNumber eq '40100'")).body.value![0]!;
    const entryDims = await call('GET', `generalLedgerEntries(${String(entry.id)})/dimensionSetLines`);
    expect(entryDims.body.value!.map((one) => [one.code, one.valueCode, one.parentType])).toEqual([
      ['AREA', '10', 'General Ledger Entry'],
      ['DEPARTMENT', 'SALES', 'General Ledger Entry'],
    ]);
    expect(
      refusal(
        await call('POST', `generalLedgerEntries(${String(entry.id)})/dimensionSetLines`, {
          code: 'AREA',
          valueCode: '20',
        }),
      )[0],
    ).toBe(405);
    expect(emulator.entities().dimensionSetLines.every((one) => one.parentType === 'General Ledger Entry')).toBe(true);
  });

  it("refuses an unknown dimension or value, a second line of one dimension and a change of dimension, in the page's words", async () => {
    const journal = await journalWith([line(10000, '13100', 1)]);
    const [held] = (await call('GET', `journals(${journal})/journalLines`)).body.value!;
    const dims = `journals(${journal})/journalLines(${String(held!.id)})/dimensionSetLines`;
    expect(refusal(await call('POST', dims, { code: 'COSTCENTER', valueCode: 'X' }))).toEqual([
      400,
      'Application_DialogException',
      'The "code" does not match to a Dimension.',
    ]);
    expect(refusal(await call('POST', dims, { code: 'DEPARTMENT', valueCode: 'MARKETING' }))).toEqual([
      400,
      'Application_DialogException',
      'The "valueCode" does not match to a Dimension Value.',
    ]);
    expect(refusal(await call('POST', dims, { valueCode: 'SALES' }))[2]).toBe(
      'The "id" or "code" field must be filled in.',
    );
    expect(refusal(await call('POST', dims, { code: 'DEPARTMENT' }))[2]).toBe(
      'The "valueId" or "valueCode" field must be filled in.',
    );
    const created = await call('POST', dims, { code: 'DEPARTMENT', valueCode: 'ADM' });
    expect(refusal(await call('POST', dims, { code: 'DEPARTMENT', valueCode: 'PROD' }))).toEqual([
      400,
      'Application_DialogException',
      'The dimension set line already exists. Check existing dimension set lines and the default dimension set lines on the parent.',
    ]);
    const path = `${dims}(${String(created.body.id)})`;
    expect(refusal(await call('PATCH', path, { code: 'AREA' }, { 'if-match': '*' }))[2]).toBe(
      'The "id" and "code" fields cannot be modified.',
    );
    expect(refusal(await call('PATCH', path, { valueCode: 'PROD' }))[0]).toBe(400);
    expect(refusal(await call('POST', dims, { code: 'AREA', valueCode: '10', parentType: 'Sales Invoice' }))[1]).toBe(
      'BadRequest_InvalidOperation',
    );
    expect((await call('DELETE', path, undefined, { 'if-match': String(created.body['@odata.etag']) })).status).toBe(
      204,
    );
    expect((await call('GET', dims)).body.value).toEqual([]);
  });

  it("gives new sales lines the header's set, posts it on the receivable and each line's on its revenue", async () => {
    const invoice = await call('POST', 'salesInvoices', { customerNumber: '10000', externalDocumentNumber: 'DIM-INV' });
    const id = String(invoice.body.id);
    await call('POST', `salesInvoices(${id})/dimensionSetLines`, { code: 'DEPARTMENT', valueCode: 'SALES' });
    const usage = await call('POST', `salesInvoices(${id})/salesInvoiceLines`, {
      lineType: 'Item',
      lineObjectNumber: 'USAGE',
      quantity: 2,
      unitPrice: 10.5,
    });
    const lineDims = `salesInvoices(${id})/salesInvoiceLines(${String(usage.body.id)})/dimensionSetLines`;
    expect((await call('GET', lineDims)).body.value!.map((one) => [one.code, one.valueCode, one.parentType])).toEqual([
      ['DEPARTMENT', 'SALES', 'Sales Invoice Line'],
    ]);
    await call('POST', lineDims, { code: 'AREA', valueCode: '30' });
    await call('POST', `salesInvoices(${id})/salesInvoiceLines`, {
      lineType: 'Item',
      lineObjectNumber: 'SUBSCRIPTION',
      quantity: 1,
      unitPrice: 5,
    });
    expect((await call('POST', `salesInvoices(${id})/Microsoft.NAV.post`)).status).toBe(204);
    expect(
      emulator.ledger().map((entry) => [entry.accountNumber, entry.debit, entry.credit, entry.dimensions]),
    ).toEqual([
      ['13100', '26', '0', { DEPARTMENT: 'SALES' }],
      ['40100', '0', '21', { AREA: '30', DEPARTMENT: 'SALES' }],
      ['40200', '0', '5', { DEPARTMENT: 'SALES' }],
    ]);
    const refused = await call('POST', lineDims, { code: 'BUSINESSGROUP', valueCode: 'HOME' });
    expect(refusal(refused).slice(0, 2)).toEqual([400, 'Application_DialogException']);
  });

  it("takes the company's dimensions and values from its chart", async () => {
    const custom = await startBusinessCentralEmulator({
      chart: { dimensions: [{ code: 'COSTCENTER', values: [{ code: 'CC100', name: 'Platform' }] }] },
    });
    try {
      expect(custom.chart.dimensions.map((one) => one.code)).toEqual(['COSTCENTER']);
    } finally {
      await custom.close();
    }
  });
});

describe('OData queries', () => {
  it('filters with and / or, selects, orders, pages with next links', async () => {
    for (const code of ['A1', 'B2', "C'3", 'D4', 'E5'])
      await call('POST', 'journals', { code, displayName: code.toLowerCase() });
    const filtered = await call(
      'GET',
      `journals?$filter=${encodeURIComponent("code eq 'C''3' or code eq 'A1' and displayName eq 'a1'")}`,
    );
    // BC's OData takes `or` over one field only.
    expect(refusal(filtered)[2]).toMatch(/The 'OR' operator is not supported on distinct fields/);
    const either = await call('GET', `journals?$filter=${encodeURIComponent("code eq 'C''3' or code eq 'A1'")}`);
    expect(either.body.value?.map((one) => one.code)).toEqual(['A1', "C'3"]);
    const ordered = await call('GET', 'journals?$orderby=code desc&$select=code,displayName');
    expect(ordered.body.value?.map((one) => Object.keys(one))).toEqual([
      ['@odata.etag', 'code', 'displayName'],
      ['@odata.etag', 'code', 'displayName'],
    ]);
    expect(ordered.body.value?.map((one) => one.code)).toEqual(['E5', 'D4']);
    const all: unknown[] = [];
    let next: string | undefined =
      `${emulator.url}/v2.0/${emulator.credentials.tenant}/${emulator.credentials.environment}/api/v2.0/companies(${emulator.company.id})/journals?$top=4`;
    while (next !== undefined) {
      const page = (await (await fetch(next, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        value: unknown[];
        '@odata.nextLink'?: string;
      };
      all.push(...page.value);
      next = page['@odata.nextLink'];
    }
    expect(all).toHaveLength(4);
  });

  it('refuses an unknown field, a syntax error and an unknown query option', async () => {
    expect(refusal(await call('GET', `journals?$filter=${encodeURIComponent("colour eq 'red'")}`))[2]).toBe(
      "Could not find a property named 'colour' on type 'Microsoft.NAV.journal'.",
    );
    expect(refusal(await call('GET', `journals?$filter=${encodeURIComponent('code eq')}`)).slice(0, 2)).toEqual([
      400,
      'BadRequest_NotFound',
    ]);
    expect(refusal(await call('GET', 'journals?$count=true'))[0]).toBe(400);
  });
});

describe('read-back queries', () => {
  /** A posted sales invoice of two item lines, and a posted journal, for the queries to find. */
  async function postSome() {
    const invoice = await call('POST', 'salesInvoices', { customerNumber: '10000', externalDocumentNumber: 'EXT-1' });
    for (const [item, price] of [
      ['USAGE', 10],
      ['SUBSCRIPTION', 5],
    ] as const)
      await call('POST', `salesInvoices(${String(invoice.body.id)})/salesInvoiceLines`, {
        lineType: 'Item',
        lineObjectNumber: item,
        quantity: 1,
        unitPrice: price,
      });
    await call('POST', `salesInvoices(${String(invoice.body.id)})/Microsoft.NAV.post`);
    return invoice.body.id;
  }

  it('expands a sales document with its lines, in a list and on one entity', async () => {
    const id = await postSome();
    const listed = await call(
      'GET',
      "salesInvoices?$filter=externalDocumentNumber eq 'EXT-1'&$expand=salesInvoiceLines",
    );
    const lines = listed.body.value?.[0]?.salesInvoiceLines as Array<Record<string, unknown>>;
    expect(lines.map((line) => [line.lineObjectNumber, line.amountExcludingTax])).toEqual([
      ['USAGE', 10],
      ['SUBSCRIPTION', 5],
    ]);
    const one = await call('GET', `salesInvoices(${String(id)})?$expand=salesInvoiceLines,dimensionSetLines`);
    expect(one.body).toMatchObject({ salesInvoiceLines: lines, dimensionSetLines: [] });
  });

  it("answers hostile $filter and $expand input with BC's 4xx, never a 5xx", async () => {
    await postSome();
    const raw = (query: string) => call('GET', `generalLedgerEntries?${query}`);
    const filter = (text: string) => raw(`$filter=${encodeURIComponent(text)}`);
    const cases: Array<[Promise<Answer>, number, string | RegExp]> = [
      [raw('$filter=documentNumber%20eq%20%27A%00%27'), 400, /control character/],
      [raw('$filter=documentNumber%20eq%20%27%ED%A0%80%27'), 400, /not valid UTF-8/],
      [raw('$filter=documentNumber%20eq%20%27%FF%27'), 400, /not valid UTF-8/],
      [filter("documentNumber eq 'unterminated"), 400, 'Bad Request - Error in query syntax.'],
      [filter('documentNumber eq'), 400, 'Bad Request - Error in query syntax.'],
      [filter("documentNumber eq 'A' or"), 400, 'Bad Request - Error in query syntax.'],
      [filter("(documentNumber eq 'A')"), 400, 'Bad Request - Error in query syntax.'],
      [filter("colour eq 'red'"), 400, /Could not find a property named 'colour'/],
      [filter('documentNumber eq 5'), 400, /incompatible types.*'Edm.String' and 'Edm.Int32'.*'Equal'/],
      [filter("postingDate ge '2026-10-01'"), 400, /incompatible types.*'Edm.Date' and 'Edm.String'/],
      [filter('entryNumber eq true'), 400, /incompatible types/],
      [filter('postingDate ge 2026-02-30'), 400, 'Bad Request - Error in query syntax.'],
      [filter(`entryNumber eq ${'9'.repeat(400)}`), 400, 'Bad Request - Error in query syntax.'],
      [filter('entryNumber eq 1e400'), 400, 'Bad Request - Error in query syntax.'],
      [filter(`documentNumber eq '${'X'.repeat(21)}'`), 400, /length of the string is 21.*20 characters/],
      [filter(`documentNumber eq '${'X'.repeat(10_000)}'`), 400, /length of the string is 10000/],
      [
        filter(`documentNumber eq 'A' or accountNumber eq '40100'`),
        400,
        /'OR' operator is not supported on distinct fields/,
      ],
      [filter(Array.from({ length: 2000 }, (_, i) => `documentNumber eq 'D${i}'`).join(' or ')), 414, /too long/],
      [raw('$expand=colour'), 400, /Could not find a property named 'colour'/],
      [raw('$expand=dimensionSetLines($select=code)'), 400, /not emulated/],
      [raw('$expand=attachments'), 501, /not served/],
      [raw('$expand=dimension%20SetLines'), 400, 'Bad Request - Error in query syntax.'],
    ];
    for (const [answer, status, message] of cases) {
      const [actualStatus, code, text] = refusal(await answer);
      expect({ status: actualStatus, text }).toMatchObject({ status });
      expect(typeof code).toBe('string');
      if (typeof message === 'string') expect(text).toBe(message);
      else expect(text).toMatch(message);
    }
    // A date range and an `or` over one field, as a read-back sends them, are answered.
    const ranged = await filter(`postingDate ge ${emulator.ledger()[0]!.postingDate} and postingDate le 2099-12-31`);
    expect(ranged.body.value?.length).toBeGreaterThan(0);
  });

  it('takes a copy and a move by hand at its admin door, and refuses a body that is not one document number', async () => {
    await postSome();
    const admin = (path: string, body: string) =>
      fetch(`${emulator.url}/__emulator/by-hand/${path}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
    for (const body of [
      '',
      '[]',
      '{"documentNumber": 5}',
      '{"documentNumber": "EXT-1", "extra": 1}',
      '{"documentNumber": "ext\\u0000"}',
      '{"documentNumber": "\\ud800"}',
      JSON.stringify({ documentNumber: 'X'.repeat(50_000) }),
    ]) {
      const answer = await admin('copy', body);
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toMatch(/^BadRequest/);
    }
    expect((await admin('move', '{"documentNumber": "NOPE"}')).status).toBe(404);
    expect((await admin('copy', '{"documentNumber": "EXT-1"}')).status).toBe(204);
    expect((await admin('move', '{"documentNumber": "EXT-1"}')).status).toBe(204);
    const copies = await call(
      'GET',
      "salesInvoices?$filter=externalDocumentNumber eq 'EXT-1'&$expand=salesInvoiceLines",
    );
    expect(copies.body.value?.map((one) => one.status)).toEqual(['Open', 'Open']);
    const items = (copies.body.value?.[0]?.salesInvoiceLines as Array<{ lineObjectNumber: string }>).map(
      (line) => line.lineObjectNumber,
    );
    expect(items).not.toEqual(['USAGE', 'SUBSCRIPTION']);
  });
});

describe('hostile requests', () => {
  it('answers each with one 4xx in BC shape and stores nothing', async () => {
    const cases: Array<[string | Uint8Array, Record<string, string>, number]> = [
      ['{"code": ', {}, 400],
      ['', {}, 400],
      ['[1,2]', {}, 400],
      [new Uint8Array([0x7b, 0xff, 0x7d]), {}, 400],
      ['{"code":"A","code":"B"}', {}, 400],
      ['{"code":"NUL\\u0000"}', {}, 400],
      ['{"code":"A","colour":"red"}', {}, 400],
      ['{"code":"A","id":"00000000-0000-0000-0000-000000000001"}', {}, 400],
      ['{"code":"ELEVENCHARS"}', {}, 400],
      ['{"code":"A","displayName":5}', {}, 400],
      ['{"code":"A","balancingAccountId":"not-a-guid"}', {}, 400],
      [`{"code":"A","displayName":${'['.repeat(5000)}${']'.repeat(5000)}}`, {}, 400],
      ['{"code":"A"}', { 'content-type': 'text/xml' }, 415],
      [JSON.stringify({ code: 'A', displayName: 'x'.repeat(11 * 1024 * 1024) }), {}, 413],
    ];
    for (const [body, headers, status] of cases) {
      const answer = await call('POST', 'journals', body, headers);
      expect([String(body).slice(0, 40), answer.status]).toEqual([String(body).slice(0, 40), status]);
      expect(answer.body.error?.code).toEqual(expect.any(String));
    }
    expect(refusal(await call('POST', 'journals', '{"code":"ELEVENCHARS"}'))[1]).toBe(
      'Application_StringExceededLength',
    );
    expect(refusal(await call('GET', 'journals(not-a-guid)')).slice(0, 2)).toEqual([400, 'BadRequest_NotFound']);
    expect(refusal(await call('GET', 'nonsense')).slice(0, 2)).toEqual([404, 'BadRequest_ResourceNotFound']);
    expect(emulator.entities().journals).toEqual([]);
    expect(emulator.stats().outcomes.serverError).toBe(0);
  });
});
