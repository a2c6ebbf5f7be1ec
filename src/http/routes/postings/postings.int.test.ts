import { afterEach, beforeEach, expect, it } from 'vitest';
import { expectProblem } from '../../../../test/harness/expect-problem.js';
import { readJson } from '../../../../test/harness/read-json.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../../test/harness/test-app.js';
import type { JournalEntry } from '../../../modules/connectors/index.js';
import { enqueue } from '../../../modules/outbox/index.js';

const body: JournalEntry = {
  type: 'journal',
  externalId: 'JE-US-2610-1',
  legalEntity: 'US',
  currency: 'USD',
  postingDate: '2026-10-31',
  memo: 'October usage',
  lines: [],
};

describeEachStore('postings over HTTP', (stores) => {
  let t: TestApp;
  let id: string;

  beforeEach(async () => {
    t = await startTestApp(stores);
    await t.app.db.transaction((tx) =>
      enqueue(tx, {
        topic: 'invoice.finalized',
        key: 'inv-1',
        payload: {},
        createdAt: new Date('2026-11-01T00:00:00Z'),
        postings: [
          {
            targetKey: 'ns',
            externalId: body.externalId,
            kind: 'journal',
            subject: 'invoice:inv-1',
            period: '2026-10',
            body,
          },
        ],
      }),
    );
    id = (await t.app.db.query<{ id: string }>(`select id::text from postings`)).rows[0]!.id;
  });
  afterEach(() => t.close());

  it('lists the dead-letter queue by status and shows a posting with its attempts', async () => {
    const pending = await readJson(await t.request('/v1/postings?status=pending&target=ns&period=2026-10'));
    expect(pending).toMatchObject({
      items: [{ id, externalId: body.externalId, status: 'pending', body }],
      next: null,
    });
    expect(await readJson(await t.request('/v1/postings?status=dead'))).toEqual({ items: [], next: null });
    expect(await readJson(await t.request(`/v1/postings/${id}`))).toMatchObject({ posting: { id }, attempts: [] });
  });

  it('refuses a retry of a posting that is not dead, a cancel without a reason, and unknown ids', async () => {
    await expectProblem(
      await t.request(`/v1/postings/${id}/retry`, { method: 'POST' }),
      409,
      /is pending; only a dead/,
    );
    await expectProblem(
      await t.request(`/v1/postings/${id}/cancel`, { method: 'POST', json: {} }),
      400,
      /needs a reason/,
    );
    await expectProblem(await t.request('/v1/postings/42'), 404, /there is no posting 42/);
    await expectProblem(await t.request('/v1/postings/abc'), 404, /there is no posting abc/);
    await expectProblem(await t.request('/v1/postings?status=lost'), 400, /invalid posting filter/);
    expect((await readJson(await t.request(`/v1/postings/${id}`))).posting.status).toBe('pending');
  });

  it('retries a dead posting and cancels with a reason, audited', async () => {
    await t.app.db.query(`update postings set status = 'dead' where id = $1`, [id]);
    const retried = await t.request(`/v1/postings/${id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(200);
    expect(await readJson(retried)).toMatchObject({ status: 'pending', needsLookup: true });
    const cancelled = await t.request(`/v1/postings/${id}/cancel`, {
      method: 'POST',
      json: { reason: 'entered by hand' },
    });
    expect(await readJson(cancelled)).toMatchObject({ status: 'cancelled', cancelReason: 'entered by hand' });
  });

  it("exports postings by target and status, and each target's breaker, as metrics", async () => {
    await t.app.db.query(
      `insert into posting_targets (target_key, next_slot_at, concurrency_cap, breaker, breaker_until, request_rate, updated_at)
       values ('ns', now(), 2, 'open', now() + interval '30 seconds', 42.5, now())`,
    );
    const text = await (await t.request('/metrics', { key: null })).text();
    expect(text).toMatch(/^meterbridge_postings\{target="ns",status="pending"\} 1$/m);
    expect(text).toMatch(/^meterbridge_posting_breaker_state\{target="ns"\} 2$/m);
    expect(text).toMatch(/^meterbridge_posting_oldest_pending_seconds\{target="ns"\} \d/m);
    expect(await readJson(await t.request('/v1/posting-targets'))).toMatchObject({
      items: [{ targetKey: 'ns', breaker: 'open', concurrencyCap: 2, requestRate: 42.5, throttledAt: null }],
    });
  });

  it('is for finance and admin keys only', async () => {
    const read = await t.keyFor('read');
    await expectProblem(await t.request('/v1/postings', { key: read }), 403, /does not grant "finance"/);
    await expectProblem(await t.request('/v1/postings', { key: null }), 401, /API key/);
    const finance = await t.keyFor('finance');
    expect((await t.request(`/v1/postings/${id}`, { key: finance })).status).toBe(200);
  });
});
