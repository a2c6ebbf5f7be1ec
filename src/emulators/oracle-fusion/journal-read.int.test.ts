import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { balanced, base, csv, line, oracleEmulatorClient, zip } from '../../../test/harness/oracle-emulator-client.js';
import { startOracleFusionEmulator, type OracleFusionEmulator } from './index.js';

// Reading the ledger back as a client does: journalBatches filtered by `q` comparisons (joined by `;` in
// framework version 1, by `and` from version 2), ordered and paged; a batch's journals and each journal's
// lines reached through the keys of their self links, or expanded into their parent's payload (`expand`);
// every malformed or hostile parameter Oracle's 400; and the admin endpoint's copies and edits made by hand.

let emulator: OracleFusionEmulator;
const { call, imported } = oracleEmulatorClient(() => emulator);
const V2 = { 'REST-Framework-Version': '2' };
const V3 = { 'REST-Framework-Version': '3' };

beforeAll(async () => {
  emulator = await startOracleFusionEmulator({ seed: 4, jobMs: 20 });
});
afterAll(() => emulator?.close());
afterEach(() => emulator.reset());

type Item = Record<string, unknown>;
const items = (body: Item) => body.items as Item[];
const selfKey = (item: Item) => {
  const href = (item.links as Item[]).find((link) => link.rel === 'self')!.href as string;
  return href.split('/').at(-1)!;
};

async function oneBatch(): Promise<number> {
  const { end } = await imported(zip(csv(balanced())));
  expect(end).toBe('SUCCEEDED');
  return emulator.batches()[0]!.id;
}

async function admin(path: string, body?: unknown) {
  const response = await fetch(`${emulator.url}/__emulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe('the Oracle Fusion emulator’s journal read-back', () => {
  it('serves a batch’s journals and their lines through the keys of their self links', async () => {
    const id = await oneBatch();
    const headers = await call(`journalBatches/${id}/child/journalHeaders`);
    expect(headers.status).toBe(200);
    const [journal] = items(headers.body);
    expect(journal).toMatchObject({
      JournalName: 'Journal A',
      CurrencyCode: 'USD',
      DefaultEffectiveDate: '2026-10-31',
      PeriodName: 'Oct-26',
      UserJeCategoryName: 'Usage',
      RunningTotalDr: 100.25,
      RunningTotalCr: 100.25,
    });
    const lines = await call(`journalBatches/${id}/child/journalHeaders/${selfKey(journal!)}/child/journalLines`);
    expect(
      items(lines.body).map((item) => [item.JeLineNumber, item.AccountCombination, item.EnteredDr, item.EnteredCr]),
    ).toEqual([
      [1, '101.1200.000', 100.25, null],
      [2, '101.4000.000', null, 100.25],
    ]);
    const second = items(lines.body)[1]!;
    const one = await call(
      `journalBatches/${id}/child/journalHeaders/${selfKey(journal!)}/child/journalLines/${selfKey(second)}`,
    );
    expect(one.body).toMatchObject({ JeLineNumber: 2, Description: 'usage, "quoted"' });
    for (const missing of [
      `journalBatches/${id}/child/journalHeaders/ABCD/child/journalLines`,
      `journalBatches/${id}/child/journalHeaders/${selfKey(journal!)}/child/journalLines/ABCD`,
      `journalBatches/${id}/child/journalErrors`,
      `journalBatches/999/child/journalHeaders`,
    ])
      expect((await call(missing)).status).toBe(404);
  });

  it('filters batches by comparisons, joined by ";" in framework version 1 and by "and" from version 2', async () => {
    const id = await oneBatch();
    const names = async (q: string, headers: Record<string, string> = {}) => {
      const answer = await call(`journalBatches?q=${encodeURIComponent(q)}`, undefined, undefined, headers);
      expect(answer.status).toBe(200);
      return items(answer.body).map((item) => item.JeBatchId);
    };
    expect(await names("DefaultEffectiveDate>='2026-10-01';DefaultEffectiveDate<='2026-10-31'")).toEqual([id]);
    expect(await names("ActualFlag='A' and DefaultEffectiveDate>='2026-11-01'", V2)).toEqual([]);
    expect(await names(`JeBatchId=${id} and BatchName='Batch A'`, V2)).toEqual([id]);
    expect(await names("BatchName='Batch ''A'''")).toEqual([]);
    expect(await names('BatchName!="Batch A"')).toEqual([]);
  });

  it('pages batches in the order asked for, with hasMore', async () => {
    await oneBatch();
    for (let copy = 0; copy < 4; copy += 1) emulator.copyBatch(emulator.batches()[0]!.id);
    const ids = emulator.batches().map((batch) => batch.id);
    const first = await call('journalBatches?orderBy=JeBatchId:desc&limit=2&offset=0');
    expect(first.body).toMatchObject({ count: 2, hasMore: true, limit: 2, offset: 0 });
    expect(items(first.body).map((item) => item.JeBatchId)).toEqual([ids[4], ids[3]]);
    const last = await call('journalBatches?orderBy=JeBatchId&limit=2&offset=4');
    expect(last.body).toMatchObject({ count: 1, hasMore: false });
    expect(items(last.body).map((item) => item.JeBatchId)).toEqual([ids[4]]);
  });

  it('answers Oracle’s 400 to every malformed or hostile q, limit, offset and orderBy, never a 500', async () => {
    const id = await oneBatch();
    const bad = [
      ['journalBatches?q=', "BatchName='a' or BatchName='b'", V2],
      ['journalBatches?q=', "BatchName='a' and BatchName='b'", {}],
      ['journalBatches?q=', "Password='x'", {}],
      ['journalBatches?q=', "DefaultEffectiveDate>='2026-13-01'", {}],
      ['journalBatches?q=', 'DefaultEffectiveDate>=20261001', {}],
      ['journalBatches?q=', "JeBatchId='1'", {}],
      ['journalBatches?q=', "BatchName='unterminated", {}],
      ['journalBatches?q=', "BatchName='a\u0000b'", {}],
      ['journalBatches?q=', "BatchName='a'; DROP TABLE", {}],
      ['journalBatches?q=', `BatchName='${'x'.repeat(5000)}'`, {}],
      ['journalBatches?q=', `JeBatchId=${'9'.repeat(40)}`, {}],
      ['journalBatches?orderBy=', 'Password', {}],
      ['journalBatches?orderBy=', 'JeBatchId:sideways', {}],
      ['journalBatches?limit=', '0', {}],
      ['journalBatches?limit=', '501', {}],
      ['journalBatches?limit=', '1e2', {}],
      ['journalBatches?limit=', '-1', {}],
      ['journalBatches?limit=', ' 5', {}],
      ['journalBatches?offset=', '-1', {}],
      ['journalBatches?offset=', '1.5', {}],
      ['journalBatches?offset=', '99999999999999999999', {}],
      [`journalBatches/${id}/child/journalHeaders?limit=`, '100000', {}],
    ] as const;
    for (const [path, value, headers] of bad) {
      const answer = await call(`${path}${encodeURIComponent(value)}`, undefined, undefined, headers);
      expect(answer, `${path}${value.slice(0, 60)}`).toMatchObject({
        status: 400,
        type: 'application/vnd.oracle.adf.error+json',
        body: { status: '400', 'o:errorDetails': [{ 'o:errorCode': '27023' }] },
      });
    }
    // Bytes that are no UTF-8 decode to U+FFFD: a name nobody holds, not a failure.
    const undecodable = await call("journalBatches?q=BatchName='%ED%A0%80'");
    expect(undecodable.status).toBe(200);
  });

  it('says when to come back after its rate limit (Retry-After)', async () => {
    emulator.setFaults({ ratePerSecond: 1 });
    expect((await call('journalBatches')).status).toBe(200);
    const refused = await call('journalBatches');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
  });

  it('copies a batch and moves a line by hand through the admin endpoint, refusing bad bodies with 400', async () => {
    const id = await oneBatch();
    const copied = await admin(`batches/${id}/copy`);
    expect(copied.status).toBe(201);
    const named = await call(`journalBatches?q=${encodeURIComponent("BatchName='Batch A'")}`);
    expect(items(named.body)).toHaveLength(2);

    expect((await admin(`batches/${id}/move`, { line: 2, combination: '101.4100.000' })).status).toBe(204);
    expect(emulator.batches()[0]!.journals[0]!.lines.map((one) => one.combination)).toEqual([
      '101.1200.000',
      '101.4100.000',
    ]);
    expect(emulator.batches()[1]!.journals[0]!.lines[1]!.combination).toBe('101.4000.000');

    for (const body of [
      '[1]',
      '{"line": 1, "combination": "101.4000.000", "extra": true}',
      '{"line": 0, "combination": "101.4000.000"}',
      '{"line": 1e12, "combination": "101.4000.000"}',
      '{"line": 1, "combination": "101.40\\u00000.000"}',
      '{"line": 1, "combination": "\\ud800"}',
      '{"line": 1, "combination": ""}',
      '{"line": 1, "journal": "one", "combination": "101.4000.000"}',
      'not json',
    ])
      expect((await admin(`batches/${id}/move`, body)).status, body).toBe(400);
    expect((await admin(`batches/${id}/move`, { line: 9, combination: '101.4000.000' })).status).toBe(404);
    expect((await admin('batches/999/copy')).status).toBe(404);
  });
});

describe('the Oracle Fusion emulator’s expand', () => {
  const BY_NAME = `journalBatches?q=${encodeURIComponent("BatchName='Batch A'")}`;

  it('expands a batch’s journals and their lines: arrays in framework versions 1 and 2', async () => {
    await oneBatch();
    for (const headers of [{}, V2]) {
      const answer = await call(`${BY_NAME}&expand=journalHeaders.journalLines`, undefined, undefined, headers);
      expect(answer.status).toBe(200);
      const [batch] = items(answer.body);
      const journals = batch!.journalHeaders as Item[];
      expect(Array.isArray(journals)).toBe(true);
      expect(journals).toHaveLength(1);
      expect(journals[0]).toMatchObject({ JournalName: 'Journal A', RunningTotalDr: 100.25 });
      const lines = journals[0]!.journalLines as Item[];
      expect(lines.map((item) => [item.JeLineNumber, item.AccountCombination, item.EnteredDr, item.EnteredCr])).toEqual(
        [
          [1, '101.1200.000', 100.25, null],
          [2, '101.4000.000', null, 100.25],
        ],
      );
    }
  });

  it('expands into collections that say whether they hold every row from framework version 3', async () => {
    const id = await oneBatch();
    const answer = await call(`${BY_NAME}&expand=journalHeaders.journalLines`, undefined, undefined, V3);
    const journals = items(answer.body)[0]!.journalHeaders as Item;
    expect(journals).toMatchObject({ count: 1, hasMore: false, limit: 25, offset: 0 });
    const [journal] = items(journals);
    expect((journals.links as Item[])[0]).toMatchObject({ rel: 'self', name: 'journalHeaders' });
    expect(((journals.links as Item[])[0]!.href as string).endsWith(`journalBatches/${id}/child/journalHeaders`)).toBe(
      true,
    );
    const lines = journal!.journalLines as Item;
    expect(lines).toMatchObject({ count: 2, hasMore: false, limit: 25, offset: 0 });
    // An expanded line is the line its own request answers, self link included.
    const key = selfKey(journal!);
    const one = await call(
      `journalBatches/${id}/child/journalHeaders/${key}/child/journalLines/${selfKey(items(lines)[1]!)}`,
    );
    expect(one.body).toEqual(items(lines)[1]);
  });

  it('expands what is named: all (the resource’s own children), a child alone, a nested child with its parent', async () => {
    const id = await oneBatch();
    const batchWith = async (expand: string) =>
      (await call(`journalBatches/${id}?expand=${encodeURIComponent(expand)}`, undefined, undefined, V3)).body;
    const all = await batchWith('all');
    expect(items(all.journalHeaders as Item)[0]).not.toHaveProperty('journalLines');
    expect(items((await batchWith('journalHeaders')).journalHeaders as Item)[0]).not.toHaveProperty('journalLines');
    for (const expand of [
      'journalHeaders.journalLines',
      'journalHeaders,journalHeaders.journalLines',
      'all,journalHeaders.journalLines',
    ])
      expect(items(items((await batchWith(expand)).journalHeaders as Item)[0]!.journalLines as Item)).toHaveLength(2);
    expect(await batchWith('')).not.toHaveProperty('journalHeaders');
    expect((await call(`journalBatches/${id}`)).body).not.toHaveProperty('journalHeaders');

    const headers = await call(
      `journalBatches/${id}/child/journalHeaders?expand=journalLines`,
      undefined,
      undefined,
      V3,
    );
    expect(items(items(headers.body)[0]!.journalLines as Item)).toHaveLength(2);
    const key = selfKey(items(headers.body)[0]!);
    const header = await call(`journalBatches/${id}/child/journalHeaders/${key}?expand=all`);
    expect(header.body.journalLines as Item[]).toHaveLength(2);
    // journalLines has no children here: all expands nothing.
    const lines = await call(`journalBatches/${id}/child/journalHeaders/${key}/child/journalLines?expand=all`);
    expect(lines.status).toBe(200);
    expect(items(lines.body)).toHaveLength(2);
  });

  it('carries the first 25 rows of an expanded child, hasMore telling of the rest', async () => {
    const rows = Array.from({ length: 30 }, (_, at) => {
      const names = { ...base(), REFERENCE4: `Journal ${at + 1}` };
      return [
        line({ ...names, SEGMENT2: '1200', ENTERED_DR: '40' }),
        ...Array.from({ length: 40 }, () => line({ ...names, SEGMENT2: '4000', ENTERED_CR: '1' })),
      ];
    }).flat();
    expect((await imported(zip(csv(rows)))).end).toBe('SUCCEEDED');
    const answer = await call(`${BY_NAME}&expand=journalHeaders.journalLines`, undefined, undefined, V3);
    const journals = items(answer.body)[0]!.journalHeaders as Item;
    expect(journals).toMatchObject({ count: 25, hasMore: true, limit: 25, offset: 0 });
    expect(items(journals)[0]!.journalLines).toMatchObject({ count: 25, hasMore: true });
    const array = await call(`${BY_NAME}&expand=journalHeaders.journalLines`);
    expect(items(array.body)[0]!.journalHeaders as Item[]).toHaveLength(25);
    // The collection itself is whole when read page by page.
    const id = emulator.batches()[0]!.id;
    const paged = await call(
      `journalBatches/${id}/child/journalHeaders?limit=500&expand=journalLines`,
      undefined,
      undefined,
      V3,
    );
    expect(paged.body).toMatchObject({ count: 30, hasMore: false });
  });

  it('answers Oracle’s 400 to an unknown, misspelt, empty, hostile or overlong expand, never a 500', async () => {
    const id = await oneBatch();
    const key = selfKey(items((await call(`journalBatches/${id}/child/journalHeaders`)).body)[0]!);
    const bad: Array<[string, string]> = [
      ['journalBatches?expand=', 'journalErrors'],
      ['journalBatches?expand=', 'JournalHeaders'],
      ['journalBatches?expand=', 'journalLines'],
      ['journalBatches?expand=', 'journalHeaders.journalErrors'],
      ['journalBatches?expand=', 'journalHeaders.journalLines.journalLineDFF'],
      ['journalBatches?expand=', 'journalHeaders..journalLines'],
      ['journalBatches?expand=', 'journalHeaders,'],
      ['journalBatches?expand=', ','],
      ['journalBatches?expand=', ' journalHeaders'],
      ['journalBatches?expand=', 'all.journalLines'],
      ['journalBatches?expand=', 'journal\u0000Headers'],
      ['journalBatches?expand=', 'journalHeaders\u0000'],
      ['journalBatches?expand=', Array.from({ length: 300 }, () => 'journalHeaders').join(',')],
      [`journalBatches/${id}?expand=`, 'journalHeaders.nope'],
      [`journalBatches/${id}/child/journalHeaders?expand=`, 'journalHeaders'],
      [`journalBatches/${id}/child/journalHeaders/${key}?expand=`, 'journalLines.all'],
      [`journalBatches/${id}/child/journalHeaders/${key}/child/journalLines?expand=`, 'journalLineDFF'],
    ];
    for (const [path, value] of bad) {
      const answer = await call(`${path}${encodeURIComponent(value)}`);
      expect(answer, `${path}${value.slice(0, 60)}`).toMatchObject({
        status: 400,
        type: 'application/vnd.oracle.adf.error+json',
        body: { status: '400', 'o:errorDetails': [{ 'o:errorCode': '27023' }] },
      });
    }
    // A lone surrogate cannot travel in a URL: its bytes (no UTF-8) decode to U+FFFD, a child nobody has.
    for (const raw of ['%ED%A0%80', 'journalHeaders.%ED%B0%80', '%FF%FE'])
      expect((await call(`journalBatches?expand=${raw}`)).status, raw).toBe(400);
  });
});
