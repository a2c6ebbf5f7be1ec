import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileConnector } from './file-connector.js';
import {
  fileTarget,
  invoice,
  journal,
  neverAborted,
  noSecrets,
  scratchDirectory,
} from '../../../../test/fixtures/file-target.js';
import { acquireLock } from './file-lock.js';

let scratch: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  scratch = await scratchDirectory();
});
afterEach(() => scratch.remove());

const folder = () => join(scratch.path, 'US/2026-10');
/** A field of a parsed row, checked rather than cast: the file is what the test reads. */
function field(row: unknown, key: string): unknown {
  return row !== null && typeof row === 'object' && key in row ? Reflect.get(row, key) : undefined;
}
const csvRows = async (relative: string): Promise<unknown[]> =>
  parse(await readFile(join(scratch.path, relative), 'utf8'), { columns: true });
const csvIds = async () => (await csvRows('US/2026-10/journals.csv')).map((row) => field(row, 'externalId'));
const jsonlIds = async () =>
  (await readFile(join(folder(), 'journals.jsonl'), 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line): unknown => field(JSON.parse(line), 'externalId'));

describe('the file export under concurrent deliveries', () => {
  it('loses and doubles nothing when two writers (two processes) each deliver 20 postings at once', async () => {
    // Two instances share nothing in memory, so they meet only at the lock file, as two processes do.
    const [one, two] = [1, 2].map(() => createFileConnector(fileTarget(scratch.path), noSecrets));
    const ids = Array.from({ length: 20 }, (_, i) => `J-${String(i + 1).padStart(2, '0')}`);
    await Promise.all(
      ids.flatMap((id) => [one!.deliver(journal(id), neverAborted()), two!.deliver(journal(id), neverAborted())]),
    );
    const expected = ids.flatMap((id) => [id, id, id]).sort(); // three lines each
    expect((await csvIds()).sort()).toEqual(expected);
    expect((await jsonlIds()).sort()).toEqual(expected);
    expect((await readdir(folder())).sort()).toEqual(['journals.csv', 'journals.jsonl']);
  });
});

describe('the file export of a large file', () => {
  it('rewrites a file of 20,000 rows whole to add a posting, keeping every byte it had', async () => {
    const files = createFileConnector(fileTarget(scratch.path, ['csv']), noSecrets);
    const line = journal().lines[0]!;
    await files.deliver(journal('J-BIG', { lines: Array.from({ length: 20_000 }, () => line) }), neverAborted());
    const before = await readFile(join(folder(), 'journals.csv'));
    const started = performance.now();
    await files.deliver(journal('J-SMALL'), neverAborted());
    const elapsed = performance.now() - started;
    const after = await readFile(join(folder(), 'journals.csv'));
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    expect(after.length - before.length).toBeLessThan(1000);
    // The figure docs/connectors/file.md quotes (about 3 ms per MB); printed, not asserted: machines differ.
    console.info(
      `file export: one posting added to ${(before.length / 1e6).toFixed(1)} MB in ${elapsed.toFixed(0)} ms`,
    );
  });
});

describe('the file export after a crash', () => {
  it('keeps the old file whole when a writer died between its temporary file and the rename, and a retry writes', async () => {
    const files = createFileConnector(fileTarget(scratch.path, ['csv']), noSecrets, { staleLockMs: 200 });
    await files.deliver(journal('J-BEFORE'), neverAborted());
    const before = await readFile(join(folder(), 'journals.csv'), 'utf8');
    // Given what a writer killed after fsync and before rename leaves: its lock and a complete temporary file.
    const lock = join(folder(), '.journals.csv.lock');
    await writeFile(lock, '4242@elsewhere dead-writer\n');
    await writeFile(join(folder(), '.journals.csv.0b7c.tmp'), `${before}J-LOST,half a row`);
    const past = new Date(Date.now() - 60_000);
    await utimes(lock, past, past);
    expect(await readFile(join(folder(), 'journals.csv'), 'utf8')).toBe(before);
    // When the posting is retried: the stale lock is broken, the orphan removed, the rows added once.
    await files.deliver(journal('J-AFTER'), neverAborted());
    await files.deliver(journal('J-AFTER'), neverAborted());
    expect(await csvIds()).toEqual(['J-BEFORE', 'J-BEFORE', 'J-BEFORE', 'J-AFTER', 'J-AFTER', 'J-AFTER']);
    expect(await readdir(folder())).toEqual(['journals.csv']);
  });

  it('waits for a live lock and, when the delivery is given up, has written nothing', async () => {
    const files = createFileConnector(fileTarget(scratch.path, ['jsonl']), noSecrets, { staleLockMs: 60_000 });
    await files.deliver(journal('J-BEFORE'), neverAborted());
    const before = await readFile(join(folder(), 'journals.jsonl'), 'utf8');
    const held = await acquireLock(join(folder(), '.journals.jsonl.lock'), 60_000, neverAborted());
    const failure = files.deliver(journal('J-WAITING'), AbortSignal.timeout(150));
    await expect(failure).rejects.toMatchObject({ failureClass: 'unavailable' });
    await held.release();
    expect(await readFile(join(folder(), 'journals.jsonl'), 'utf8')).toBe(before);
    await files.deliver(journal('J-WAITING'), neverAborted());
    expect(await jsonlIds()).toHaveLength(6);
  });

  it('gives up rather than overwrite when its lock was broken while it held it', async () => {
    const lockPath = join(scratch.path, '.x.lock');
    const held = await acquireLock(lockPath, 60_000, neverAborted());
    await writeFile(lockPath, 'another writer\n');
    await expect(held.assertHeld()).rejects.toMatchObject({ failureClass: 'unavailable' });
    await held.release();
    // Not ours: release leaves the other writer's lock in place.
    expect(await readFile(lockPath, 'utf8')).toBe('another writer\n');
  });
});

describe('the file export with hostile text', () => {
  const hostile =
    'a,b;"quoted" \'single\'\nsecond line\r\nthird\rfourth\u0000nul \uD800lone \uDC00low \u2028ls\u2029ps =1+1 é😀';
  const lossy = hostile.replaceAll('\u0000', '\uFFFD').replace(/\uD800|\uDC00/g, '\uFFFD');
  const body = () =>
    invoice('I-HOSTILE', {
      memo: hostile,
      customer: '"; DROP',
      lines: [{ ...invoice().lines[0]!, description: hostile }],
    });

  it('keeps JSONL at one line per row and gives every value back exactly', async () => {
    const files = createFileConnector(fileTarget(scratch.path, ['jsonl']), noSecrets);
    await files.deliver(body(), neverAborted());
    await files.deliver(body(), neverAborted());
    const text = await readFile(join(scratch.path, 'EU/2026-11/invoices.jsonl'), 'utf8');
    const lines = text.split(/\r\n|\r|\n|\u2028|\u2029/);
    expect(lines).toHaveLength(2);
    const row: unknown = JSON.parse(lines[0]!);
    expect(row).toMatchObject({ description: hostile, documentMemo: hostile, customer: '"; DROP' });
  });

  it('keeps CSV records whole, and writes NUL and lone surrogates as U+FFFD in valid UTF-8', async () => {
    const files = createFileConnector(fileTarget(scratch.path, ['csv']), noSecrets);
    await files.deliver(body(), neverAborted());
    await files.deliver(body(), neverAborted());
    const bytes = await readFile(join(scratch.path, 'EU/2026-11/invoices.csv'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).not.toThrow();
    const rows = await csvRows('EU/2026-11/invoices.csv');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ description: lossy, documentMemo: lossy, customer: '"; DROP', amount: '12.50' });
  });

  it("is not fooled by a memo that reads like the start of another posting's row", async () => {
    const files = createFileConnector(fileTarget(scratch.path), noSecrets);
    const decoy = 'x\r\nJ-REAL,US,2026-10-31\r\n\n{"externalId":"J-REAL",';
    await files.deliver(journal('J-DECOY', { memo: decoy }), neverAborted());
    expect(await files.find(journal('J-REAL'), neverAborted())).toBeUndefined();
    await files.deliver(journal('J-REAL'), neverAborted());
    expect(await csvIds()).toEqual(['J-DECOY', 'J-DECOY', 'J-DECOY', 'J-REAL', 'J-REAL', 'J-REAL']);
    expect(await jsonlIds()).toEqual(['J-DECOY', 'J-DECOY', 'J-DECOY', 'J-REAL', 'J-REAL', 'J-REAL']);
  });
});
