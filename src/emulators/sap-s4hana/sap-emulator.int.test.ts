import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ODATA_PATH, SOAP_PATH, startSapEmulator, type SapEmulator } from './index.js';

// The emulator driven over HTTP as a client would, without the connector: the SOAP service's
// confirmations and faults, the OData item cube and its $metadata, the front door's faults and the admin
// door. Requests are built with XMLBuilder, answers read with XMLParser.

let emulator: SapEmulator;
const basic = () =>
  `Basic ${Buffer.from(`${emulator.credentials.user}:${emulator.credentials.password}`).toString('base64')}`;
const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: true });
const parser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, parseTagValue: false });
/** A parsed XML document, walked by tests that know its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Xml = Record<string, any>;

beforeAll(async () => {
  emulator = await startSapEmulator({ seed: 3 });
});
afterAll(() => emulator?.close());
beforeEach(() => emulator.reset());

interface Line {
  account: string;
  amount: string;
  costCenter?: string;
}

function entryXml(reference: string, lines: Line[], overrides: Record<string, string> = {}, currency = 'USD') {
  return {
    OriginalReferenceDocumentType: 'BKPFF',
    BusinessTransactionType: 'RFBU',
    AccountingDocumentType: 'SA',
    DocumentReferenceID: reference,
    DocumentHeaderText: 'test',
    CompanyCode: '1710',
    DocumentDate: '2026-10-31',
    PostingDate: '2026-10-31',
    ...overrides,
    Item: lines.map((line, index) => ({
      ReferenceDocumentItem: String(index + 1),
      GLAccount: line.account,
      AmountInTransactionCurrency: { '@_currencyCode': currency, '#text': line.amount },
      DebitCreditCode: line.amount.startsWith('-') ? 'H' : 'S',
      ...(line.costCenter ? { AccountAssignment: { CostCenter: line.costCenter } } : {}),
    })),
  };
}

function envelope(
  entries: unknown[],
  soap = 'http://schemas.xmlsoap.org/soap/envelope/',
  sfin = 'http://sap.com/xi/SAPSCORE/SFIN',
) {
  return builder.build({
    'soapenv:Envelope': {
      '@_xmlns:soapenv': soap,
      '@_xmlns:sfin': sfin,
      'soapenv:Body': {
        'sfin:JournalEntryBulkCreateRequest': {
          MessageHeader: { ID: 'BULK-1', CreationDateTime: '2026-11-01T00:00:00Z' },
          JournalEntryCreateRequest: entries.map((entry, index) => ({
            MessageHeader: { ID: `REQ-${index + 1}` },
            JournalEntry: entry,
          })),
        },
      },
    },
  });
}

async function post(xml: string, contentType = 'text/xml; charset=utf-8', authorization = basic()) {
  const response = await fetch(`${emulator.url}${SOAP_PATH}`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization },
    body: xml,
  });
  const text = await response.text();
  return { status: response.status, text, xml: parser.parse(text) as Xml };
}

const balanced: Line[] = [
  { account: '12100000', amount: '100.00' },
  { account: '41000000', amount: '-60.00', costCenter: '17101101' },
  { account: '44000000', amount: '-40.00' },
];
const confirmations = (xml: Xml) =>
  [xml.Envelope.Body.JournalEntryBulkCreateConfirmation.JournalEntryCreateConfirmation].flat();

describe('the SOAP service', () => {
  it('posts entries and confirms each with its document, 605(RW) and the reference it was asked by', async () => {
    const answer = await post(envelope([entryXml('J-A', balanced), entryXml('J-B', balanced)]));
    expect(answer.status).toBe(200);
    const [first, second] = confirmations(answer.xml);
    expect(first.JournalEntryCreateConfirmation).toEqual({
      AccountingDocument: '0100000001',
      CompanyCode: '1710',
      FiscalYear: '2026',
    });
    expect(second.JournalEntryCreateConfirmation.AccountingDocument).toBe('0100000002');
    expect(first.MessageHeader.ReferenceID).toBe('REQ-1');
    expect(first.Log).toMatchObject({
      MaximumLogItemSeverityCode: '1',
      Item: {
        TypeID: '605(RW)',
        SeverityCode: '1',
        Note: 'Document posted successfully: BKPFF 010000000117102026 EMULCLNT100',
      },
    });
    expect(emulator.documents()[0]?.items.map((item) => [item.item, item.amount, item.debitCreditCode])).toEqual([
      ['001', '100', 'S'],
      ['002', '-60', 'H'],
      ['003', '-40', 'H'],
    ]);
    expect(emulator.stats().postings).toEqual({ posted: 2, refused: 0 });
  });

  it('answers a refusal with HTTP 200, a blank document, 609(RW) and every problem, and posts nothing', async () => {
    const unbalanced = [...balanced.slice(0, 2), { account: '99999999', amount: '-39.99', costCenter: 'NOPE' }];
    const answer = await post(envelope([entryXml('J-C', unbalanced)]));
    expect(answer.status).toBe(200);
    const [refused] = confirmations(answer.xml);
    expect(refused.JournalEntryCreateConfirmation).toEqual({
      AccountingDocument: '',
      CompanyCode: '',
      FiscalYear: '0000',
    });
    expect(answer.text).toContain('<AccountingDocument> </AccountingDocument>');
    const items = [refused.Log.Item].flat().map((item: Record<string, string>) => `${item.TypeID} ${item.Note}`);
    expect(refused.Log.MaximumLogItemSeverityCode).toBe('3');
    expect(items).toEqual([
      '609(RW) Error in document: BKPFF $ EMULCLNT100',
      '507(F5) G/L account 99999999 is not defined in chart of accounts YCOA',
      '004(FH) Account 99999999 does not exist in chart of accounts YCOA',
      '248(KI) Cost center A000/NOPE does not exist on 31.10.2026',
      '702(F5) Balance in transaction currency: 0.01 USD',
    ]);
    expect(emulator.documents()).toEqual([]);
  });

  it('refuses an unknown company code, currency, or decimals past the currency in the log', async () => {
    const notes = async (xml: string) =>
      [confirmations((await post(xml)).xml)[0].Log.Item].flat().map((item: Record<string, string>) => item.Note);
    expect(await notes(envelope([entryXml('J-D', balanced, { CompanyCode: '9999' })]))).toContain(
      'Company code 9999 is not defined',
    );
    expect(await notes(envelope([entryXml('J-E', balanced, {}, 'XTS')]))).toContain('Currency key XTS is not defined');
    const fine = [
      { account: '12100000', amount: '1.001' },
      { account: '41000000', amount: '-1.001' },
    ];
    expect((await notes(envelope([entryXml('J-F', fine)]))).join()).toMatch(/more decimal places than currency USD/);
  });

  it('takes SOAP 1.2 and answers in it', async () => {
    const answer = await post(
      envelope([entryXml('J-G', balanced)], 'http://www.w3.org/2003/05/soap-envelope'),
      'application/soap+xml; charset=utf-8',
    );
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('xmlns:soap-env="http://www.w3.org/2003/05/soap-envelope"');
  });

  it('answers what its SOAP runtime cannot read with a client fault (500) and posts nothing', async () => {
    const whole = envelope([entryXml('J-H', balanced)]);
    const cases = [
      whole.slice(0, whole.length - 20),
      `<!DOCTYPE x [<!ENTITY a "b">]>${whole}`,
      envelope([entryXml('J-H', balanced)], undefined, 'urn:other'),
      envelope([entryXml('J-000000000000001X', balanced)]),
      envelope([entryXml('J-H', balanced, { PostingDate: '2026-02-30' })]),
      whole.replace('<DebitCreditCode>S</DebitCreditCode>', '<DebitCreditCode>X</DebitCreditCode>'),
      whole.replace('>100.00<', '>1e2<'),
    ];
    for (const xml of cases) {
      const answer = await post(xml);
      expect(answer.status).toBe(500);
      expect(answer.xml.Envelope.Body.Fault.faultcode).toBe('soap-env:Client');
      expect(answer.xml.Envelope.Body.Fault.faultstring['#text']).toMatch(/^Web service processing error/);
    }
    expect(emulator.documents()).toEqual([]);
  });

  it('answers 401 with an HTML page to a wrong password or none, and to every login while refuseLogins lasts', async () => {
    const xml = envelope([entryXml('J-I', balanced)]);
    const wrong = await fetch(`${emulator.url}${SOAP_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'text/xml',
        authorization: `Basic ${Buffer.from('MB_COMM_USER:nope').toString('base64')}`,
      },
      body: xml,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(await wrong.text()).toMatch(/Logon failed/);
    expect((await fetch(`${emulator.url}${SOAP_PATH}`, { method: 'POST', body: xml })).status).toBe(401);
    emulator.setFaults({ refuseLogins: { untilMs: Date.now() + 60_000 } });
    expect((await post(xml)).status).toBe(401);
    expect(emulator.documents()).toEqual([]);
  });
});

describe('the OData item cube', () => {
  const get = async (query: string, headers: Record<string, string> = { authorization: basic() }) => {
    const response = await fetch(`${emulator.url}${ODATA_PATH}/${query}`, { headers });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  it('serves $metadata with the entity set, its key and typed properties', async () => {
    const metadata = await get('$metadata');
    expect(metadata.status).toBe(200);
    const edmx = parser.parse(metadata.text) as Xml;
    const type = edmx.Edmx.DataServices.Schema.EntityType;
    expect(type['@_Name']).toBe('A_OperationalAcctgDocItemCubeType');
    expect(type.Key.PropertyRef.map((ref: Record<string, string>) => ref['@_Name'])).toEqual([
      'CompanyCode',
      'FiscalYear',
      'AccountingDocument',
      'AccountingDocumentItem',
    ]);
    const reference = type.Property.find(
      (property: Record<string, string>) => property['@_Name'] === 'DocumentReferenceID',
    );
    expect(reference).toMatchObject({ '@_Type': 'Edm.String', '@_MaxLength': '16' });
    expect(edmx.Edmx.DataServices.Schema.EntityContainer.EntitySet['@_Name']).toBe('A_OperationalAcctgDocItemCube');
  });

  it('filters by reference and company code, selects, counts, orders and pages, as JSON', async () => {
    await post(envelope([entryXml('J-K', balanced), entryXml('J-L', balanced)]));
    const answer = await get(
      "A_OperationalAcctgDocItemCube?$filter=DocumentReferenceID eq 'J-L' and CompanyCode eq '1710'&$select=AccountingDocument,AccountingDocumentItem,AmountInTransactionCurrency,PostingDate&$orderby=AccountingDocumentItem desc&$top=2&$inlinecount=allpages&$format=json",
    );
    expect(answer.status).toBe(200);
    const { d } = JSON.parse(answer.text) as { d: { __count: string; results: Array<Record<string, unknown>> } };
    expect(d.__count).toBe('3');
    expect(d.results.map(({ __metadata, ...row }) => row)).toEqual([
      {
        AccountingDocument: '0100000002',
        AccountingDocumentItem: '003',
        AmountInTransactionCurrency: '-40.00',
        PostingDate: '/Date(1793404800000)/',
      },
      {
        AccountingDocument: '0100000002',
        AccountingDocumentItem: '002',
        AmountInTransactionCurrency: '-60.00',
        PostingDate: '/Date(1793404800000)/',
      },
    ]);
    expect((d.results[0]?.__metadata as Record<string, string>).uri).toContain(
      "A_OperationalAcctgDocItemCube(CompanyCode='1710',FiscalYear='2026',AccountingDocument='0100000002',AccountingDocumentItem='003')",
    );
    const none = await get(
      "A_OperationalAcctgDocItemCube?$filter=(DocumentReferenceID eq 'J-K') and not (CompanyCode eq '1710')&$format=json",
    );
    expect(JSON.parse(none.text)).toEqual({ d: { results: [] } });
  });

  it("answers SAP's OData error for what it does not take, and 401 without credentials", async () => {
    const bad = await get("A_OperationalAcctgDocItemCube?$filter=DocumentReferenceID eq 'J-K' and&$format=json");
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ error: { code: '/IWBEP/CM_MGW_RT/022', message: { lang: 'en' } } });
    expect((await get("A_OperationalAcctgDocItemCube?$filter=Nope eq '1'&$format=json")).text).toMatch(
      /Property Nope not found/,
    );
    expect((await get('A_OperationalAcctgDocItemCube?$select=Nope&$format=json')).status).toBe(400);
    expect((await get('A_OperationalAcctgDocItemCube?$expand=X&$format=json')).status).toBe(400);
    // A $format SAP Gateway does not write: 406, in the XML form of the error document.
    const unknown = await get('A_OperationalAcctgDocItemCube?$format=csv');
    expect(unknown).toMatchObject({ status: 406, type: 'application/xml; charset=utf-8' });
    expect((parser.parse(unknown.text) as Xml).error).toMatchObject({ code: '/IWFND/CM_MGW/004' });
    // Asked for no format, a refusal is XML too.
    const badXml = await get("A_OperationalAcctgDocItemCube?$filter=DocumentReferenceID eq 'J-K' and");
    expect(badXml.status).toBe(400);
    expect((parser.parse(badXml.text) as Xml).error.message).toMatchObject({ '#text': /Invalid filter/ });
    expect((await get('A_OperationalAcctgDocItemCube?$format=json', {})).status).toBe(401);
  });

  it('answers Atom XML by default, as SAP Gateway does: the service document and a feed of entries', async () => {
    await post(envelope([entryXml('J-A', balanced)]));
    const service = await get('');
    expect(service).toMatchObject({ status: 200, type: 'application/atomsvc+xml; charset=utf-8' });
    const collection = (parser.parse(service.text) as Xml).service.workspace.collection;
    expect(collection['@_href']).toBe('A_OperationalAcctgDocItemCube');
    const feed = await get(
      "A_OperationalAcctgDocItemCube?$filter=DocumentReferenceID eq 'J-A'&$select=AccountingDocumentItem,AmountInTransactionCurrency,PostingDate,CostCenter&$orderby=AccountingDocumentItem&$inlinecount=allpages",
      { authorization: basic(), accept: 'application/atom+xml' },
    );
    expect(feed).toMatchObject({ status: 200, type: 'application/atom+xml;type=feed; charset=utf-8' });
    const parsed = (parser.parse(feed.text) as Xml).feed;
    expect(parsed.count).toBe('3');
    const entries = parsed.entry as Xml[];
    expect(entries).toHaveLength(3);
    expect(entries[0]?.id).toContain("A_OperationalAcctgDocItemCube(CompanyCode='1710',FiscalYear='2026'");
    expect(entries[0]?.content['@_type']).toBe('application/xml');
    const properties = entries[0]?.content.properties as Xml;
    expect(properties).toMatchObject({
      AccountingDocumentItem: '001',
      PostingDate: '2026-10-31T00:00:00',
    });
    expect(Object.keys(properties)).toEqual([
      'AccountingDocumentItem',
      'AmountInTransactionCurrency',
      'PostingDate',
      'CostCenter',
    ]);
    // $format=atom (or xml) asks for the same; $format=json wins over an Accept of XML.
    expect((await get("A_OperationalAcctgDocItemCube?$filter=DocumentReferenceID eq 'J-A'&$format=atom")).type).toMatch(
      /^application\/atom\+xml/,
    );
    const json = await get("A_OperationalAcctgDocItemCube?$filter=DocumentReferenceID eq 'J-A'&$format=json", {
      authorization: basic(),
      accept: 'application/xml',
    });
    expect(JSON.parse(json.text).d.results).toHaveLength(3);
  });
});

describe('the front door and the admin door', () => {
  const xml = () => envelope([entryXml(`J-${Math.random().toString(36).slice(2, 8).toUpperCase()}`, balanced)]);

  it('throttles past its concurrency with a 429 page and the configured Retry-After', async () => {
    emulator.setFaults({ concurrency: 1, latencyMs: 50, retryAfterSeconds: 3 });
    const answers = await Promise.all([post(xml()), post(xml()), post(xml())]);
    const throttled = answers.filter((answer) => answer.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0]?.text).toMatch(/Too Many Requests/);
    expect(emulator.stats().outcomes.concurrencyLimited).toBe(throttled.length);
  });

  it('answers its outage page, refuses connections, injects seeded errors and drops answers after the commit', async () => {
    emulator.setFaults({ outage: { mode: '503', untilMs: Date.now() + 60_000 } });
    const outage = await post(xml());
    expect(outage.status).toBe(503);
    expect(outage.text).toMatch(/Service is not available/);
    emulator.setFaults({ outage: { mode: 'refuse', untilMs: Date.now() + 60_000 } });
    await expect(post(xml())).rejects.toThrow();
    emulator.setFaults({ outage: undefined });
    emulator.setFaults({ errorRate: 1 });
    const statuses = new Set<number>();
    for (let i = 0; i < 12; i += 1) statuses.add((await post(xml())).status);
    expect([...statuses].every((status) => [500, 502, 503, 504].includes(status))).toBe(true);
    emulator.setFaults({ errorRate: 0, dropAfterCommitRate: 1 });
    await expect(post(xml())).rejects.toThrow();
    expect(emulator.documents()).toHaveLength(1);
    expect(emulator.stats().outcomes).toMatchObject({ outage: 1, injectedError: 12, droppedAfterCommit: 1 });
  });

  it('reads and changes faults over HTTP, refusing a bad value whole, and lists documents and stats', async () => {
    const put = (body: unknown) =>
      fetch(`${emulator.url}/__emulator/faults`, {
        method: 'PUT',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
    const changed = await put({ ratePerSecond: 5, retryAfterSeconds: 1, outage: { mode: '503', forMs: 1 } });
    expect(await changed.json()).toMatchObject({ ratePerSecond: 5, retryAfterSeconds: 1, concurrency: null });
    const refused = await put({ errorRate: 3, nope: 1 });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { problems: string[] }).problems).toEqual([
      'unknown setting "nope"',
      'errorRate must be a number from 0 to 1',
    ]);
    expect(emulator.faults().errorRate).toBe(0);
    await put({ ratePerSecond: null, outage: null });
    await post(xml());
    const documents = (await (await fetch(`${emulator.url}/__emulator/documents`)).json()) as { items: unknown[] };
    expect(documents.items).toHaveLength(1);
    const stats = (await (await fetch(`${emulator.url}/__emulator/stats`)).json()) as { postings: { posted: number } };
    expect(stats.postings.posted).toBe(1);
    expect((await fetch(`${emulator.url}/__emulator/reset`, { method: 'POST' })).status).toBe(204);
    expect(emulator.documents()).toHaveLength(0);
  });
  it('copies an entry by hand and moves an amount of it to another account over HTTP, keeping its total', async () => {
    await post(envelope([entryXml('J-HAND', balanced)]));
    const hand = (path: string, body: unknown) =>
      fetch(`${emulator.url}/__emulator/documents/${path}`, { method: 'POST', body: JSON.stringify(body) });
    const copied = await hand('copy', { documentReferenceId: 'J-HAND', companyCode: '1710' });
    expect(copied.status).toBe(201);
    expect(await copied.json()).toMatchObject({ accountingDocument: '0100000002', createdByUser: 'ACCOUNTANT' });
    const moved = await hand('move', { documentReferenceId: 'J-HAND', amount: '15.00', glAccount: '48000000' });
    expect(moved.status).toBe(200);
    const [original, copy] = emulator.documents();
    expect(original?.items.map(({ glAccount, amount }) => [glAccount, amount])).toEqual([
      ['12100000', '100'],
      ['41000000', '-60'],
      ['44000000', '-25'],
      ['48000000', '-15'],
    ]);
    expect(copy?.items).toHaveLength(3);
  });
});
