import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { balanced, csv, oracleEmulatorClient, zip } from '../../../test/harness/oracle-emulator-client.js';
import { startOracleFusionEmulator, type OracleFusionEmulator } from './index.js';

// Reading the ledger back as a client does: journalBatches filtered by `q` comparisons (joined by `;` in
// framework version 1, by `and` from version 2), ordered and paged; a batch's journals and each journal's
// lines reached through the keys of their self links; every malformed or hostile parameter Oracle's 400;
// and the admin endpoint's copies and edits made by hand.

let emulator: OracleFusionEmulator;
const { call, imported } = oracleEmulatorClient(() => emulator);
const V2 = { 'REST-Framework-Version': '2' };

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
