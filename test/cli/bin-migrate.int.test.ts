import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeEachStore } from '../harness/stores.js';
import { freshStores, setUpBinTests } from './bin-support.js';
import { runBin } from './run-bin.js';

// The migrations a new store gets, and the store lock migrate takes, are in bin-store-lifecycle.int.test.ts.
setUpBinTests();

describeEachStore('meterbridge bin', (stores) => {
  const kind = stores.kind;
  const freshStore = freshStores(kind);

  it.runIf(kind === 'pglite')('an empty pid file is taken over like a stale one', async () => {
    const store = await freshStore();
    mkdirSync(store.dataDir, { recursive: true });
    writeFileSync(store.lockFile, '');

    const result = await runBin(['migrate', ...store.args]);

    expect(result).toMatchObject({ code: 0, stderr: '' });
  });
});
