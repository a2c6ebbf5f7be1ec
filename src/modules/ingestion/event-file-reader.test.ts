import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../platform/errors.js';
import { eventFileFormat, readEventFile, type EventFileBatch, type ReadEventFileOptions } from './event-file-reader.js';
import type { BodyItem } from './ingestion.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function file(content: string | Buffer, extension: string): string {
  files += 1;
  const path = join(dir, `f${files}.${extension}`);
  writeFileSync(path, content);
  return path;
}

async function readAll(path: string, options: Partial<ReadEventFileOptions> = {}): Promise<EventFileBatch[]> {
  const batches: EventFileBatch[] = [];
  const format = options.format ?? eventFileFormat(path) ?? 'ndjson';
  for await (const batch of readEventFile(path, { format, batchSize: 1000, maxLineBytes: 1024 * 1024, ...options }))
    batches.push(batch);
  return batches;
}

async function items(path: string, options: Partial<ReadEventFileOptions> = {}) {
  const batches = await readAll(path, options);
  return batches.flatMap((batch) => batch.items.map((item, index) => ({ ...summary(item), raw: batch.raws[index] })));
}

function summary(item: BodyItem) {
  return 'value' in item
    ? { line: item.line, value: item.value }
    : { line: item.line, errors: item.parseErrors.map((error) => error.message) };
}

describe('eventFileFormat', () => {
  it('tells the format by extension, in any case, and nothing for others', () => {
    expect(eventFileFormat('a/b.ndjson')).toBe('ndjson');
    expect(eventFileFormat('b.JSONL')).toBe('ndjson');
    expect(eventFileFormat('c.Csv')).toBe('csv');
    expect(eventFileFormat('d.json')).toBeUndefined();
    expect(eventFileFormat('/dev/fd/63')).toBeUndefined();
  });
});

describe('readEventFile: NDJSON', () => {
  it('numbers lines from 1, skips blank ones, and keeps each line text', async () => {
    const path = file('{"id":"a"}\n\n   \n{"id":"b"}\n', 'ndjson');
    expect(await items(path)).toEqual([
      { line: 1, value: { id: 'a' }, raw: '{"id":"a"}' },
      { line: 4, value: { id: 'b' }, raw: '{"id":"b"}' },
    ]);
  });

  it('reports a malformed line and an invalid UTF-8 line by number and reads on', async () => {
    const content = Buffer.concat([
      Buffer.from('{"id":"a"}\n{"id": oops\n'),
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]),
      Buffer.from('{"id":"d"}'),
    ]);
    expect(await items(file(content, 'ndjson'))).toEqual([
      { line: 1, value: { id: 'a' }, raw: '{"id":"a"}' },
      { line: 2, errors: [expect.stringMatching(/^line 2 is not valid JSON: /)], raw: '{"id": oops' },
      { line: 3, errors: ['line 3 is not valid UTF-8'], raw: '{\ufffd\ufffd}' },
      { line: 4, value: { id: 'd' }, raw: '{"id":"d"}' },
    ]);
  });

  it('reads CRLF line ends and a UTF-8 byte order mark', async () => {
    const path = file('\ufeff{"id":"a"}\r\n\r\n{"id":"b"}\r\n', 'jsonl');
    expect(await items(path)).toEqual([
      { line: 1, value: { id: 'a' }, raw: '{"id":"a"}' },
      { line: 3, value: { id: 'b' }, raw: '{"id":"b"}' },
    ]);
  });

  it('rejects a line longer than the limit without holding it, and reads the next one', async () => {
    const long = `{"id":"${'x'.repeat(5000)}"}`;
    const result = await items(file(`${long}\n{"id":"b"}\n`, 'ndjson'), { maxLineBytes: 1000 });
    expect(result).toEqual([
      { line: 1, errors: ['line 1 is longer than 1000 bytes'], raw: `${long.slice(0, 256)}...` },
      { line: 2, value: { id: 'b' }, raw: '{"id":"b"}' },
    ]);
  });

  it('yields batches of at most the batch size, with bytes read growing to the file size', async () => {
    const lines = Array.from({ length: 2500 }, (_, index) => JSON.stringify({ id: `e${index}`, pad: 'p'.repeat(100) }));
    const path = file(lines.join('\n'), 'ndjson');
    const batches = await readAll(path, { batchSize: 1000 });
    expect(batches.map((batch) => batch.items.length)).toEqual([1000, 1000, 500]);
    expect(batches.at(-1)?.items.at(-1)).toEqual({ line: 2500, value: { id: 'e2499', pad: 'p'.repeat(100) } });
    const bytes = batches.map((batch) => batch.bytesRead);
    expect([...bytes].sort((a, b) => a - b)).toEqual(bytes);
    expect(bytes.at(-1)).toBe(statSync(path).size);
  });

  it('yields nothing for an empty file', async () => {
    expect(await readAll(file('', 'ndjson'))).toEqual([]);
  });

  it('fails with the file system error for a missing file', async () => {
    await expect(readAll(join(dir, 'missing.ndjson'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('readEventFile: CSV', () => {
  const header = 'id,source,type,data.tokens';

  it('reads records with their line numbers, data cells typed, and the record text', async () => {
    const path = file(`${header}\ne1,src,t,10\ne2,src,t,\n`, 'csv');
    expect(await items(path)).toEqual([
      {
        line: 2,
        value: { specversion: '1.0', id: 'e1', source: 'src', type: 't', data: { tokens: 10 } },
        raw: 'e1,src,t,10',
      },
      { line: 3, value: { specversion: '1.0', id: 'e2', source: 'src', type: 't', data: {} }, raw: 'e2,src,t,' },
    ]);
  });

  it('reads a data column of JSON, rejecting a record whose JSON is bad', async () => {
    const path = file('id,source,type,data\ne1,src,t,"{""tokens"": 5}"\ne2,src,t,{oops}\n', 'csv');
    expect(await items(path)).toEqual([
      {
        line: 2,
        value: { specversion: '1.0', id: 'e1', source: 'src', type: 't', data: { tokens: 5 } },
        raw: 'e1,src,t,"{""tokens"": 5}"',
      },
      { line: 3, errors: [expect.stringMatching(/^is not valid JSON/)], raw: 'e2,src,t,{oops}' },
    ]);
  });

  it('rejects records with the wrong number of columns, by line, and reads on', async () => {
    const path = file(`${header}\ne1,src,t,1,extra\ne2,src\ne3,src,t,3\n`, 'csv');
    expect(await items(path)).toEqual([
      {
        line: 2,
        errors: [expect.stringMatching(/^line 2 is not a valid CSV record: Invalid Record Length/)],
        raw: 'e1,src,t,1,extra',
      },
      { line: 3, errors: [expect.stringMatching(/^line 3 is not a valid CSV record/)], raw: 'e2,src' },
      { line: 4, value: expect.objectContaining({ id: 'e3' }), raw: 'e3,src,t,3' },
    ]);
  });

  it('rejects a record with bad quoting once, and reads on', async () => {
    const path = file(`${header}\ne1,src,t,1\ne2,s"r"c,t,2\ne3,src,t,3\n`, 'csv');
    const result = await items(path);
    expect(result.map(({ line }) => line)).toEqual([2, 3, 4]);
    expect(result[1]).toEqual({
      line: 3,
      errors: [expect.stringMatching(/^line 3 is not a valid CSV record: Invalid Opening Quote/)],
      raw: expect.stringMatching(/^e2,s"r/),
    });
    expect(result[2]).toMatchObject({ line: 4, value: { id: 'e3' } });
  });

  it('rejects a quote left open at the end of the file as one record starting where it starts', async () => {
    const path = file(`${header}\ne1,src,t,1\ne2,src,"t,2\ne3,src,t,3\n`, 'csv');
    expect(await items(path)).toEqual([
      { line: 2, value: expect.objectContaining({ id: 'e1' }), raw: 'e1,src,t,1' },
      {
        line: 3,
        errors: [expect.stringMatching(/^line 3 is not a valid CSV record: Quote Not Closed/)],
        raw: 'e2,src,"t,2\ne3,src,t,3',
      },
    ]);
  });

  it('numbers lines right with CRLF line ends, a byte order mark, blank lines and a quoted line break', async () => {
    const content = `\ufeff${header},data.note\r\n\r\ne1,src,t,1,"two\r\nlines"\r\n\r\ne2,src,t,2,x\r\n`;
    expect(await items(file(content, 'csv'))).toEqual([
      {
        line: 3,
        value: expect.objectContaining({ id: 'e1', data: { tokens: 1, note: 'two\nlines' } }),
        raw: 'e1,src,t,1,"two\nlines"',
      },
      { line: 6, value: expect.objectContaining({ id: 'e2' }), raw: 'e2,src,t,2,x' },
    ]);
  });

  it('rejects a record with invalid UTF-8 and reads on', async () => {
    const content = Buffer.concat([
      Buffer.from(`${header}\ne1,src,t,`),
      Buffer.from([0xff]),
      Buffer.from('\ne2,src,t,2\n'),
    ]);
    expect(await items(file(content, 'csv'))).toEqual([
      { line: 2, errors: ['line 2 is not valid UTF-8'], raw: 'e1,src,t,\ufffd' },
      { line: 3, value: expect.objectContaining({ id: 'e2' }), raw: 'e2,src,t,2' },
    ]);
  });

  it('keeps bad records in file order among good ones across batches', async () => {
    const rows = Array.from({ length: 30 }, (_, index) =>
      index % 7 === 3 ? `bad${index}` : `e${index},src,t,${index}`,
    );
    const batches = await readAll(file(`${header}\n${rows.join('\n')}\n`, 'csv'), { batchSize: 4 });
    expect(batches.every((batch) => batch.items.length <= 4)).toBe(true);
    const lines = batches.flatMap((batch) => batch.items.map((item) => item.line));
    expect(lines).toEqual(rows.map((_, index) => index + 2));
  });

  it('stops with a header error naming every problem', async () => {
    const error = await readAll(file('id,type,data,data.x\ne1,t,{},1\n', 'csv')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      message: 'the CSV header at line 1 cannot be used',
      errors: [{ path: 'column "data"' }, { path: 'column "source"' }],
    });
  });

  it('stops when the header row itself cannot be parsed', async () => {
    await expect(readAll(file('id,so"urce,type\ne1,src,t\n', 'csv'))).rejects.toThrow(
      /^the CSV header at line 1 cannot be parsed: Invalid Opening Quote/,
    );
  });

  it('stops when a record outgrows the limit, as an unclosed quote would make it', async () => {
    const path = file(`${header}\ne1,src,"t,1\n${'e,src,t,1\n'.repeat(200)}`, 'csv');
    await expect(readAll(path, { maxLineBytes: 500 })).rejects.toThrow(
      'the CSV record at line 2 is longer than 500 bytes (an unclosed quote?)',
    );
  });

  it('yields nothing for a file with only a header', async () => {
    expect(await readAll(file(`${header}\n`, 'csv'))).toEqual([]);
  });
});
