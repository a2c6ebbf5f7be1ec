import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cloudEvent, countRawEvents } from '../../../test/harness/events.js';
import { runCommand, type CommandRun } from '../../../test/harness/run-command.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import type { Config } from '../../config/index.js';
import { createApp, type App } from '../../main.js';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { buildCli, runCli } from '../cli.js';
import { ingestCommand } from './ingest.js';

const NOW = '2026-11-01T00:00:00Z';
const SUMMARY =
  /^accepted (\d+), duplicates (\d+) \(conflicts (\d+)\), rejected (\d+) in \d+\.\d\d s \(\d+ events\/s\)$/;

const dir = mkdtempSync(join(tmpdir(), 'mb-ingest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function writeEvents(extension: string, content: string | Buffer): string {
  files += 1;
  const path = join(dir, `events-${files}.${extension}`);
  writeFileSync(path, content);
  return path;
}

function ndjson(...lines: Array<Record<string, unknown> | string>): string {
  return lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n';
}

function readRejects(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Runs `meterbridge ingest ...args` in-process against `db`. */
function ingest(db: Database, clock: ManualClock, ...args: string[]): Promise<CommandRun> {
  return ingestWith((config) => createApp(config, { db, clock }), ...args);
}

function ingestWith(openApp: (config: Readonly<Config>) => Promise<App>, ...args: string[]): Promise<CommandRun> {
  return runCommand(ingestCommand({ openApp }), [...args, '--no-progress']);
}

describeEachStore('meterbridge ingest', (stores) => {
  const clock = new ManualClock(NOW);
  let db: Database;
  const run = (...args: string[]) => ingest(db, clock, ...args);
  const storedIds = async () =>
    (await db.query<{ id: string }>('select id from raw_events order by id')).rows.map((row) => row.id);

  beforeEach(async () => {
    db = await stores.fresh();
  });

  it('loads good NDJSON lines, counts repeats as duplicates, and writes rejected lines and conflicts to the side file', async () => {
    const e1 = cloudEvent({ id: 'e1' });
    const file = writeEvents(
      'ndjson',
      ndjson(
        e1,
        cloudEvent({ id: 'e2', data: { tokens: 2 } }),
        '',
        '{"id": "broken",',
        e1,
        cloudEvent({ id: 'e2', data: { tokens: 999 } }),
        cloudEvent({ id: 'future', time: '2030-01-01T00:00:00Z' }),
        cloudEvent({ id: 'e3' }),
      ),
    );

    const result = await run(file);

    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(SUMMARY);
    expect(result.stdout).toMatch(/^accepted 3, duplicates 2 \(conflicts 1\), rejected 2 in /);
    expect(result.stderr).toBe(`wrote 3 rejected or conflicting line(s) to ${file}.rejected.ndjson`);
    expect(await storedIds()).toEqual(['e1', 'e2', 'e3']);
    const kept = await db.query<{ data: unknown }>(`select data from raw_events where id = 'e2'`);
    expect(kept.rows[0]?.data).toEqual({ tokens: 2 });
    expect(readRejects(`${file}.rejected.ndjson`)).toEqual([
      {
        line: 4,
        errors: [{ path: '', message: expect.stringMatching(/^line 4 is not valid JSON: /) }],
        raw: '{"id": "broken",',
      },
      {
        line: 6,
        id: 'e2',
        source: 'test/product',
        conflict: true,
        message: expect.stringContaining('already received with different content'),
        raw: JSON.stringify(cloudEvent({ id: 'e2', data: { tokens: 999 } })),
      },
      {
        line: 7,
        id: 'future',
        errors: [{ path: '/time', message: expect.stringContaining('in the future') }],
        raw: expect.stringContaining('"id":"future"'),
      },
    ]);
  });

  it('changes nothing on a re-run, reports every event as a duplicate, and removes the stale side file', async () => {
    const file = writeEvents(
      'jsonl',
      ndjson(...Array.from({ length: 7 }, (_, index) => cloudEvent({ id: `r${index}` }))),
    );
    const first = await run(file, '--batch-size', '3');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^accepted 7, duplicates 0 \(conflicts 0\), rejected 0 in /);
    const before = await db.query('select seq, id, received_at from raw_events order by seq');
    writeFileSync(`${file}.rejected.ndjson`, '{"line":1}\n');

    clock.advance(60_000);
    const again = await run(file, '--batch-size', '3');

    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^accepted 0, duplicates 7 \(conflicts 0\), rejected 0 in /);
    expect((await db.query('select seq, id, received_at from raw_events order by seq')).rows).toEqual(before.rows);
    expect(existsSync(`${file}.rejected.ndjson`)).toBe(false);
  });

  it('loads CSV with data.<field> columns: typed cells, nested paths, extensions, CRLF and a BOM', async () => {
    const file = writeEvents(
      'csv',
      '\ufeffid,source,type,subject,time,data.usage.tokens,data.model,data.cached,data.note,region\r\n' +
        'c1,shop,api.request,cust-1,2026-10-15T12:00:00Z,12,small,true,,eu\r\n' +
        '\r\n' +
        'c2,shop,api.request,cust-2,2026-10-15T12:00:01Z,0.5,007,false,"a, b",us\r\n',
    );

    const result = await run(file);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^accepted 2, duplicates 0 \(conflicts 0\), rejected 0 in /);
    expect(existsSync(`${file}.rejected.ndjson`)).toBe(false);
    const rows = await db.query<{ id: string; subject: string; data: unknown; extensions: unknown }>(
      'select id, subject, data, extensions from raw_events order by id',
    );
    expect(rows.rows).toEqual([
      {
        id: 'c1',
        subject: 'cust-1',
        data: { usage: { tokens: 12 }, model: 'small', cached: true },
        extensions: { region: 'eu' },
      },
      {
        id: 'c2',
        subject: 'cust-2',
        data: { usage: { tokens: 0.5 }, model: '007', cached: false, note: 'a, b' },
        extensions: { region: 'us' },
      },
    ]);
  });

  it('loads CSV with one data column of JSON, rejecting bad JSON, bad quoting and a wrong column count by line', async () => {
    const file = writeEvents(
      'csv',
      'id,source,type,time,data\n' +
        'j1,shop,api.request,2026-10-15T12:00:00Z,"{""tokens"": 5}"\n' +
        'j2,shop,api.request,2026-10-15T12:00:00Z,{tokens: 5}\n' +
        'j3,shop,api.request\n' +
        'j4,sh"op,api.request,2026-10-15T12:00:00Z,{}\n' +
        'j5,shop,api.request,2026-10-15T12:00:00Z,"{""tokens"":\n7}"\n',
    );
    const rejectsPath = join(dir, `custom-${files}.ndjson`);

    const result = await run(file, '--rejects', rejectsPath);

    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^accepted 2, duplicates 0 \(conflicts 0\), rejected 3 in /);
    const rows = await db.query<{ id: string; data: unknown }>('select id, data from raw_events order by id');
    expect(rows.rows).toEqual([
      { id: 'j1', data: { tokens: 5 } },
      { id: 'j5', data: { tokens: 7 } },
    ]);
    expect(existsSync(`${file}.rejected.ndjson`)).toBe(false);
    expect(readRejects(rejectsPath)).toEqual([
      {
        line: 3,
        errors: [{ path: '/data', message: expect.stringMatching(/^is not valid JSON/) }],
        raw: 'j2,shop,api.request,2026-10-15T12:00:00Z,{tokens: 5}',
      },
      {
        line: 4,
        errors: [{ path: '', message: expect.stringContaining('Invalid Record Length') }],
        raw: 'j3,shop,api.request',
      },
      {
        line: 5,
        errors: [{ path: '', message: expect.stringContaining('Invalid Opening Quote') }],
        raw: expect.stringMatching(/^j4,sh"/),
      },
    ]);
  });

  it('exits 0 and lists the conflict when an id comes back with other content', async () => {
    await run(writeEvents('ndjson', ndjson(cloudEvent({ id: 'k1', data: { tokens: 1 } }))));
    const file = writeEvents('ndjson', ndjson(cloudEvent({ id: 'k1', data: { tokens: 2 } })));

    const result = await run(file);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^accepted 0, duplicates 1 \(conflicts 1\), rejected 0 in /);
    expect(readRejects(`${file}.rejected.ndjson`)).toEqual([
      {
        line: 1,
        id: 'k1',
        source: 'test/product',
        conflict: true,
        message: expect.any(String),
        raw: expect.any(String),
      },
    ]);
  });

  it('stops with exit 1 when the store fails, keeping the batches stored before, so that a re-run resumes', async () => {
    const file = writeEvents(
      'ndjson',
      ndjson(...Array.from({ length: 5 }, (_, index) => cloudEvent({ id: `s${index}` }))),
    );
    let batches = 0;
    const failingSecondBatch = async (config: Readonly<Config>): Promise<App> => {
      const app = await createApp(config, { db, clock });
      const ingestion = {
        ingest: (...call: Parameters<App['ingestion']['ingest']>) => {
          batches += 1;
          return batches === 2 ? Promise.reject(new Error('connection terminated')) : app.ingestion.ingest(...call);
        },
      };
      return { ...app, ingestion };
    };

    const failed = await ingestWith(failingSecondBatch, file, '--batch-size', '2');

    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      `error: the store failed after line 2 of ${file}: connection terminated; 2 events were stored and stay stored; run again to resume`,
    );
    expect(await storedIds()).toEqual(['s0', 's1']);
    const resumed = await run(file, '--batch-size', '2');
    expect(resumed.stdout).toMatch(/^accepted 3, duplicates 2 \(conflicts 0\), rejected 0 in /);
  });

  it('stops with exit 1 and a precise message for a missing file, before opening the store', async () => {
    const missing = join(dir, 'missing.ndjson');
    const result = await run(missing);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: cannot read ${missing}: ENOENT: no such file or directory, stat '${missing}'`);
  });

  it('stops with exit 1 for a file without events: empty, blank lines only, or a CSV header only', async () => {
    const empty = writeEvents('ndjson', '');
    expect(await run(empty)).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `error: ${empty} is empty: there are no events to load`,
    });
    const blank = writeEvents('ndjson', '\n  \n');
    expect(await run(blank)).toMatchObject({
      code: 1,
      stderr: `error: ${blank} holds no events: it has only blank lines`,
    });
    const headerOnly = writeEvents('csv', 'id,source,type\n');
    expect(await run(headerOnly)).toMatchObject({
      code: 1,
      stderr: `error: ${headerOnly} holds no events: it has only blank lines or only a header`,
    });
    expect(await countRawEvents(db)).toBe(0);
  });

  it('stops with exit 1 on an unusable CSV header, naming each problem, and stores nothing', async () => {
    const file = writeEvents('csv', 'id,type,data,data.x\ne1,t,{},1\n');
    const result = await run(file);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      `error: ${file}: the CSV header at line 1 cannot be used`,
      '  column "data": use either one "data" column holding a JSON object or "data.<field>" columns, not both',
      '  column "source": is required in the header',
    ]);
    expect(await countRawEvents(db)).toBe(0);
  });

  it('rejects lines holding what PostgreSQL cannot store (NUL, a lone surrogate, deep nesting, a rounded number), naming the field, and loads the rest', async () => {
    // Given NDJSON whose escapes JSON.parse turns into U+0000 and U+D800, a line nested 10,000 levels (the event is level 1,
    // its data 2: the 65th container is the 63rd array) and a 20-digit JSON number.
    const deep = `{"specversion":"1.0","id":"deep","source":"s","type":"t","data":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
    const file = writeEvents(
      'ndjson',
      ndjson(
        cloudEvent({ id: 'ok-1' }),
        JSON.stringify(cloudEvent({ id: 'nul' })).replace('"nul"', '"nul\\u0000"'),
        JSON.stringify(cloudEvent({ id: 'nul-data', data: { note: 'x' } })).replace('"x"', '"\\u0000"'),
        JSON.stringify(cloudEvent({ id: 'order-S' })).replace('order-S', 'order-\\ud800'),
        deep,
        JSON.stringify(cloudEvent({ id: 'rounded', data: { tokens: 1 } })).replace(
          '"tokens":1',
          '"tokens":12345678901234567890',
        ),
        cloudEvent({ id: 'ok-2' }),
      ),
    );

    const result = await run(file);

    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^accepted 2, duplicates 0 \(conflicts 0\), rejected 5 in /);
    expect(await storedIds()).toEqual(['ok-1', 'ok-2']);
    const rejects = readRejects(`${file}.rejected.ndjson`).map(({ line, errors }) => ({ line, errors }));
    expect(rejects).toEqual([
      { line: 2, errors: [{ path: '/id', message: expect.stringMatching(/U\+0000/) }] },
      { line: 3, errors: [{ path: '/data/note', message: expect.stringMatching(/U\+0000/) }] },
      { line: 4, errors: [{ path: '/id', message: expect.stringMatching(/lone UTF-16 surrogate/) }] },
      {
        line: 5,
        errors: [
          {
            path: expect.stringMatching(/^\/data\/a(\/0){62}$/),
            message: 'nests deeper than 64 levels of objects and arrays',
          },
        ],
      },
      {
        line: 6,
        errors: [
          {
            path: '/data/tokens',
            message: expect.stringMatching(/^is the number 12345678901234567890, which JSON cannot carry exactly/),
          },
        ],
      },
    ]);
  });

  it('rejects CSV cells holding a NUL character or a number JSON would round, naming the field', async () => {
    const file = writeEvents(
      'csv',
      'id,source,type,data.n,data.note\nc1,s,t,1,fine\nc2,s,t,12345678901234567890,x\nc3,s,t,2,a\u0000b\n',
    );
    const result = await run(file);
    expect(result.stdout).toMatch(/^accepted 1, duplicates 0 \(conflicts 0\), rejected 2 in /);
    expect(readRejects(`${file}.rejected.ndjson`).map(({ errors }) => errors)).toEqual([
      [{ path: '/data/n', message: expect.stringMatching(/cannot carry exactly/) }],
      [{ path: '/data/note', message: expect.stringMatching(/U\+0000/) }],
    ]);
    expect(await storedIds()).toEqual(['c1']);
  });

  it('refuses a batch size above the configured max batch events, and a file of unknown format', async () => {
    const file = writeEvents('ndjson', ndjson(cloudEvent()));
    expect(await run(file, '--batch-size', '50', '--max-batch-events', '10')).toMatchObject({
      code: 1,
      stderr: 'error: --batch-size 50 is larger than the largest batch allowed (max batch events: 10)',
    });
    const unknown = writeEvents('txt', ndjson(cloudEvent({ id: 'txt-1' })));
    expect((await run(unknown)).stderr).toBe(
      `error: cannot tell the format of ${unknown} from its extension: pass --format ndjson or --format csv`,
    );
    expect(await run(unknown, '--format', 'ndjson')).toMatchObject({ code: 0 });
    expect(await storedIds()).toEqual(['txt-1']);
  });
});

describe('meterbridge ingest, as registered in the CLI', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('is a command of the program', () => {
    expect(buildCli().commands.map((command) => command.name())).toContain('ingest');
  });

  it('exits 1 with the reason through runCli when the file is missing', async () => {
    const missing = join(dir, 'nowhere.csv');
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await runCli(['node', 'meterbridge', 'ingest', missing]);
      expect(process.exitCode).toBe(1);
      expect(error).toHaveBeenCalledWith(
        `error: cannot read ${missing}: ENOENT: no such file or directory, stat '${missing}'`,
      );
    } finally {
      error.mockRestore();
    }
  });
});
