import { expect, it } from 'vitest';
import { describeEachStore } from '../../test/harness/stores.js';
import { apiRequest, ingestAll, meteringFixture } from '../../test/fixtures/metering.js';
import { startBillingWorker } from './billing-worker.js';

describeEachStore('billing worker', (stores) => {
  it('finalizes drafts once their grace period has passed, as the grace-period actor', async () => {
    const db = await stores.fresh();
    const { app, clock } = await meteringFixture(db);
    await ingestAll(app, [apiRequest('acme', '2026-10-05T00:00:00Z')]);
    await app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-02T00:00:00Z');
    await app.billing.run('2026-10', 'finance');
    const first = startBillingWorker(app);
    await first.stop();
    expect((await app.billing.list({ status: 'draft' }, 10)).length).toBe(1);

    clock.set('2026-11-05T00:00:01Z'); // 72 h and a second later
    const second = startBillingWorker(app);
    await expect
      .poll(async () => (await app.billing.list({ status: 'finalized' }, 10)).length, { timeout: 5000 })
      .toBe(1);
    await second.stop();
    const audit = await db.query<{ actor: string }>(`select actor from audit_log where action = 'invoice.finalize'`);
    expect(audit.rows).toEqual([{ actor: 'system:grace-period' }]);
  });
});
