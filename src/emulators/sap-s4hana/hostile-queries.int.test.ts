import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ODATA_PATH, startSapEmulator, type SapEmulator } from './index.js';

// Input no client should send, over HTTP: every query option of the item cube and every admin request
// the emulator reads answers SAP's 400-style error (the OData error document, or the admin door's list of
// problems), never a 500 and never a silent match. Queries are written raw, as bytes on the wire, since
// a lone surrogate or a byte that is not UTF-8 cannot be built with encodeURIComponent.

let emulator: SapEmulator;
beforeAll(async () => {
  emulator = await startSapEmulator({ seed: 7, maxPageRows: 50 });
});
afterAll(() => emulator?.close());

const authorization = () =>
  `Basic ${Buffer.from(`${emulator.credentials.user}:${emulator.credentials.password}`).toString('base64')}`;
const cube = (rawQuery: string) =>
  fetch(`${emulator.url}${ODATA_PATH}/A_OperationalAcctgDocItemCube?${rawQuery}&$format=json`, {
    headers: { authorization: authorization() },
  });

const HOSTILE_QUERIES: Record<string, string> = {
  'a NUL in a literal': "$filter=DocumentReferenceID%20eq%20'J-1%00'",
  'a control character': "$filter=DocumentReferenceID%20eq%20'J-1%0A'",
  'a lone surrogate (CESU bytes)': "$filter=DocumentReferenceID%20eq%20'%ED%A0%80'",
  'bytes that are not UTF-8': "$filter=DocumentReferenceID%20eq%20'%FF%FE'",
  'an unclosed literal': "$filter=DocumentReferenceID%20eq%20'J-1",
  'a quote that ends the literal early': "$filter=DocumentReferenceID%20eq%20'J-1'%20or%201%20eq%201",
  'an unbalanced group': "$filter=(CompanyCode%20eq%20'1710'",
  'a filter of 10,000 characters': `$filter=${'('.repeat(10_000)}`,
  'groups nested 40 deep': `$filter=${'('.repeat(40)}CompanyCode%20eq%20'1710'${')'.repeat(40)}`,
  'an unknown property': "$filter=Nope%20eq%20'1'",
  'a function SAP Gateway may take but the emulator does not': "$filter=substringof('J',DocumentReferenceID)",
  'a date compared as text': "$filter=PostingDate%20ge%20'2026-10-01'",
  'a datetime that is no day': "$filter=PostingDate%20ge%20datetime'2026-13-01T00:00:00'",
  'a datetime of huge digits': `$filter=PostingDate%20ge%20datetime'${'9'.repeat(400)}'`,
  'a huge $top': '$top=99999999999999999999',
  'a negative $skip': '$skip=-1',
  'a $skiptoken that is no count': '$skiptoken=%00',
  'an unknown $orderby': '$orderby=Nope',
  'an unknown $select': '$select=AccountingDocument,%00',
  'an unsupported system option': '$expand=Items',
};

describe("the item cube's answer to hostile queries", () => {
  for (const [what, rawQuery] of Object.entries(HOSTILE_QUERIES))
    it(`answers SAP's 400 to ${what}`, async () => {
      const response = await cube(rawQuery);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: { lang: string; value: string } } };
      expect(body.error.code).toMatch(/^\/IWBEP\/CM_MGW_RT\/02[12]$/);
      expect(body.error.message.lang).toBe('en');
    });

  it('answers a well-formed query with nothing to find with an empty result set', async () => {
    const response = await cube("$filter=DocumentReferenceID%20eq%20'J-''1'");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ d: { results: [] } });
  });
});

describe("the admin door's answer to hostile hand edits", () => {
  const admin = (path: string, body: string) =>
    fetch(`${emulator.url}/__emulator/documents/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  const BODIES: Record<string, string> = {
    'no JSON': '{"documentReferenceId":',
    'a NUL in the reference': JSON.stringify({ documentReferenceId: 'J-1\u0000' }),
    'a lone surrogate': '{"documentReferenceId":"J-\\ud800"}',
    'a huge reference': JSON.stringify({ documentReferenceId: 'J'.repeat(100_000) }),
    'an unknown field': JSON.stringify({ documentReferenceId: 'J-1', posted: true }),
    'a number for text': JSON.stringify({ documentReferenceId: 1 }),
    'an array': '[]',
    'a huge amount': JSON.stringify({ documentReferenceId: 'J-1', amount: '9'.repeat(400) }),
  };
  for (const [what, body] of Object.entries(BODIES))
    for (const path of ['copy', 'move'])
      it(`refuses ${what} (${path}) with 400 and its problems`, async () => {
        const response = await admin(path, body);
        expect(response.status).toBe(400);
        expect(((await response.json()) as { problems: string[] }).problems.length).toBeGreaterThan(0);
      });

  it('answers 404 for a reference the tenant does not hold', async () => {
    expect((await admin('copy', JSON.stringify({ documentReferenceId: 'J-404' }))).status).toBe(404);
  });
});
