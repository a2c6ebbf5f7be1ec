import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { ManualClock } from '../../../platform/clock.js';
import type { Database } from '../../../platform/database/database.js';
import { migrate } from '../../../platform/database/migrate.js';
import { createDispatcher, enqueue, listAttempts, type NewPosting } from '../../outbox/index.js';
import { findPostingsBy } from '../../outbox/posting-queries.js';
import { DeliveryFailure, type Connector, type PostingBody } from '../connector.js';
import { createFileConnector } from './file-connector.js';
import { fileTarget, invoice, journal, noSecrets, scratchDirectory } from '../../../../test/fixtures/file-target.js';

const posting = (body: PostingBody): NewPosting => ({
  targetKey: 'files',
  externalId: body.externalId,
  kind: body.type,
  subject: `test:${body.externalId}`,
  body,
});

describeEachStore('the outbox dispatcher, delivering to the file export', (stores) => {
  let db: Database;
  let scratch: { path: string; remove: () => Promise<void> };
  let connector: Connector;
  const clock = new ManualClock('2026-11-02T00:00:00Z');

  beforeEach(async () => {
    db = await stores.fresh();
    await migrate(db);
    scratch = await scratchDirectory();
    connector = createFileConnector(fileTarget(scratch.path), noSecrets);
  });
  afterEach(() => scratch.remove());

  const dispatcher = () => createDispatcher({ db, clock, connectorFor: () => connector, requestTimeoutMs: 5000 });
  const enqueueAll = (postings: NewPosting[]) =>
    db.transaction((tx) => enqueue(tx, { topic: 'test', key: 'k', payload: {}, createdAt: clock.now(), postings }));
  const lines = async (relative: string) =>
    (await readFile(join(scratch.path, relative), 'utf8')).split('\n').filter((line) => line !== '');

  it('delivers journals and invoices to their files, once each, with the file and external id as document id', async () => {
    await enqueueAll([posting(journal('J-1')), posting(journal('J-2')), posting(invoice('I-1'))]);
    expect(await dispatcher().runOnce()).toEqual({ delivered: 3, adopted: 0, failed: 0, dead: 0 });
    expect(await lines('US/2026-10/journals.jsonl')).toHaveLength(6);
    expect(await lines('US/2026-10/journals.csv')).toHaveLength(7);
    expect(await lines('EU/2026-11/invoices.jsonl')).toHaveLength(2);
    const delivered = await findPostingsBy(db, { statuses: ['delivered'] });
    expect(delivered.map((one) => one.targetDocumentId).sort()).toEqual([
      'EU/2026-11/invoices.csv#I-1',
      'US/2026-10/journals.csv#J-1',
      'US/2026-10/journals.csv#J-2',
    ]);
  });

  it('adopts a posting whose rows were written before its answer was lost, never writing them twice', async () => {
    const files = connector;
    // The rows reach the file, then the outcome is lost (a crash, a timeout): the outbox cannot know.
    connector = {
      target: files.target,
      find: (body, signal) => files.find(body, signal),
      async deliver(body, signal) {
        await files.deliver(body, signal);
        throw new DeliveryFailure('unknown_outcome', 'the process stopped before it recorded the outcome');
      },
    };
    await enqueueAll([posting(journal('J-1'))]);
    expect(await dispatcher().runOnce()).toMatchObject({ delivered: 0, failed: 1 });
    connector = files;
    clock.advance(10 * 60_000);
    expect(await dispatcher().runOnce()).toEqual({ delivered: 0, adopted: 1, failed: 0, dead: 0 });
    expect(await lines('US/2026-10/journals.jsonl')).toHaveLength(3);
    const [adopted] = await findPostingsBy(db, { statuses: ['delivered'] });
    expect(adopted?.targetDocumentId).toBe('US/2026-10/journals.csv#J-1');
    expect((await listAttempts(db, adopted!.id)).map((attempt) => attempt.outcome)).toEqual(['failed', 'adopted']);
  });

  it('dead-letters a posting whose directory is unusable, keeping the OS message', async () => {
    const plain = join(scratch.path, 'a-file');
    await writeFile(plain, 'not a directory');
    connector = createFileConnector(fileTarget(plain), noSecrets);
    await enqueueAll([posting(journal('J-1'))]);
    expect(await dispatcher().runOnce()).toEqual({ delivered: 0, adopted: 0, failed: 0, dead: 1 });
    const [dead] = await findPostingsBy(db, { statuses: ['dead'] });
    expect(await listAttempts(db, dead!.id)).toMatchObject([
      {
        failureClass: 'invalid',
        errorCode: 'ENOTDIR',
        targetText: `ENOTDIR: not a directory, mkdir '${join(plain, 'US/2026-10')}'`,
      },
    ]);
  });
});
