import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeEachStore } from '../harness/stores.js';
import { freshStores, recentEvent, setUpBinTests } from './bin-support.js';
import { runBin, work } from './run-bin.js';

setUpBinTests();

describeEachStore('meterbridge bin', (stores) => {
  const kind = stores.kind;
  const freshStore = freshStores(kind);

  it('ingest FILE stores 3 good NDJSON lines and rejects 1 (exit 2, summary, side file); a re-run reports duplicates', async () => {
    const store = await freshStore();
    const file = join(work, `events-${kind}.ndjson`);
    const sideFile = `${file}.rejected.ndjson`;
    const lines = [
      JSON.stringify(recentEvent('bin-1')),
      JSON.stringify(recentEvent('bin-2')),
      '{"id": "broken",',
      JSON.stringify(recentEvent('bin-3')),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const expectedRejects = [
      {
        line: 3,
        errors: [{ path: '', message: expect.stringMatching(/^line 3 is not valid JSON/) }],
        raw: '{"id": "broken",',
      },
    ];
    const readRejects = () =>
      readFileSync(sideFile, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown);

    const first = await runBin(['ingest', file, ...store.args]);

    expect(first.code).toBe(2);
    expect(first.stdout).toMatch(
      /^accepted 3, duplicates 0 \(conflicts 0\), rejected 1 in \d+\.\d\d s \(\d+ events\/s\)\n$/,
    );
    expect(first.stderr).toBe(`wrote 1 rejected or conflicting line(s) to ${sideFile}\n`);
    expect(readRejects()).toEqual(expectedRejects);

    rmSync(sideFile);
    const again = await runBin(['ingest', file, ...store.args]);

    expect(again.code).toBe(2);
    expect(again.stdout).toMatch(/^accepted 0, duplicates 3 \(conflicts 0\), rejected 1 in /);
    expect(again.stderr).toBe(`wrote 1 rejected or conflicting line(s) to ${sideFile}\n`);
    expect(readRejects()).toEqual(expectedRejects);
  });
});
