import type pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { setUpBinTests } from '../cli/bin-support.js';
import { describeEachStore } from '../harness/stores.js';
import { adminClient, sleep } from './outage-support.js';
import {
  attemptsByExternalId,
  claims,
  deliveredFirstTime,
  expectDeliveredOnce,
  killChildren,
  requestsByExternalId,
  spawnMeterbridge,
  startPostingBench,
  statusCounts,
  targetStateSavedAt,
  waitUntil,
  type PostingBench,
} from './posting-process-support.js';

// The posting outbox's promises between real processes (docs/posting.md, "What is guaranteed"): a
// dispatcher killed mid-delivery gives its claims back and the next one reads them back before
// sending; two dispatchers on one store share the target's concurrency cap; postings outlive a
// restart of `serve`. Each test runs the published bin (dist/, built by `npm test`) against a NetSuite
// emulator in this process, behind a proxy that records what reached it.
//
// PostgreSQL only: separate processes need a server to share. The embedded store (PGlite) is one
// process holding its data directory, whose transactions are serialized; there is no second dispatcher
// process to kill or to race. Under CI=true a missing server fails the run instead of skipping it.

const CLAIM_LAPSED = /stopped before it recorded an outcome; the target is read back first/;

describeEachStore(
  'posting dispatchers as separate processes',
  () => {
    setUpBinTests();
    let admin: pg.Client;
    let bench: PostingBench | undefined;

    beforeAll(async () => {
      admin = await adminClient();
    });
    afterEach(async () => {
      await killChildren();
      await bench?.close();
      bench = undefined;
    });
    afterAll(async () => {
      await killChildren();
      await admin?.end();
    });

    /** Where the postings and the account stand, for a failure message. */
    async function progress(): Promise<string> {
      if (!bench) return 'no bench';
      return JSON.stringify({
        postings: await statusCounts(bench.db),
        held: bench.emulator.records().length,
        stats: bench.emulator.stats(),
      });
    }
    const allDelivered = async (b: PostingBench) =>
      (await statusCounts(b.db)).delivered === b.entries.length ? true : undefined;

    it('takes over the claims of a dispatcher SIGKILLed mid-delivery, reads each back, and posts every entry once', async () => {
      const startedAt = Date.now();
      // NetSuite holds each request 150 ms before handling it and 350 ms after committing it, and the
      // target's rate spaces the sends 50 ms apart, so a kill can find claims in every state: not sent
      // yet, sent and not yet in NetSuite, committed but unanswered.
      const latencyMs = 150;
      const slowMs = 350;
      const b = (bench = await startPostingBench(admin, {
        postings: 40,
        concurrency: 8,
        requestsPerSecond: 20,
        faults: { latencyMs, slowMs, concurrency: 8 },
      }));
      const total = b.entries.length;
      const first = spawnMeterbridge('the first `postings run`', b, ['postings', 'run']);

      // Given a dispatcher that has delivered some entries and holds claims on others, of which NetSuite
      // has committed some and not others,
      await waitUntil(
        async () => {
          const counts = await statusCounts(b.db);
          const held = new Set(b.emulator.records().map((record) => String(record.externalId)));
          const claimed = (await claims(b.db)).map((claim) => held.has(claim.externalId));
          return counts.delivered >= 8 && claimed.includes(true) && claimed.includes(false) ? true : undefined;
        },
        20_000,
        async () =>
          `the first dispatcher never held claims both committed and not: ${await progress()}\n${first.describe()}`,
      );
      // when it is killed with SIGKILL,
      expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      const stranded = await claims(b.db);
      const deliveredBeforeKill = (await statusCounts(b.db)).delivered;
      expect(stranded.length).toBeGreaterThan(0);
      expect(new Set(stranded.map((claim) => claim.claimedBy)).size).toBe(1);
      const strandedIds = new Set(stranded.map((claim) => claim.externalId));
      // (a request already in NetSuite ends there on its own: what it committed is what NetSuite holds),
      await sleep(latencyMs + slowMs + 200);
      const reached = new Set(b.emulator.records().map((record) => String(record.externalId)));
      const requestsBefore = b.proxy.requests.length;

      // then another dispatcher process leaves the dead one's claims alone while their lease holds
      // (its first pass over the target is seen in the target's state row),
      const killedAt = new Date();
      const second = spawnMeterbridge('the second `postings run`', b, ['postings', 'run']);
      await waitUntil(
        async () => ((await targetStateSavedAt(b.db)) > killedAt ? true : undefined),
        15_000,
        async () => `the second dispatcher never visited the target: ${await progress()}\n${second.describe()}`,
      );
      expect((await claims(b.db)).filter((claim) => strandedIds.has(claim.externalId))).toEqual(
        stranded.map((claim) => ({ ...claim, leaseLeftMs: expect.any(Number) })),
      );
      expect([...(await attemptsByExternalId(b.db)).keys()].filter((id) => strandedIds.has(id))).toEqual([]);

      // and once the lease has lapsed, takes them over and delivers everything. A lease runs two
      // request timeouts (2 × 30 s, not configurable) past its slot: rather than sleep a minute, the
      // test moves the leases to now, which is all that minute would change.
      const leaseLeftMs = Math.min(...stranded.map((claim) => claim.leaseLeftMs));
      expect(leaseLeftMs).toBeGreaterThan(50_000);
      await b.db.query(`update postings set lease_until = now() where status = 'in_flight' and claimed_by = $1`, [
        stranded[0]?.claimedBy,
      ]);
      await waitUntil(
        () => allDelivered(b),
        30_000,
        async () => `the second dispatcher did not deliver everything: ${await progress()}\n${second.describe()}`,
      );
      expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });

      // NetSuite holds each entry once, balanced, the amounts per account to the cent;
      const recordsPerId = await expectDeliveredOnce(b);
      // each lapsed claim is recorded as an attempt of unknown outcome, then read back once (a GET by
      // external id) before anything else was sent: adopted when NetSuite had it, else sent once more;
      const attempts = await attemptsByExternalId(b.db);
      const requests = requestsByExternalId(b.proxy);
      for (const { externalId } of stranded) {
        const found = reached.has(externalId);
        const tried = attempts.get(externalId) ?? [];
        expect(
          tried.map((attempt) => [attempt.outcome, attempt.failureClass]),
          externalId,
        ).toEqual([
          ['failed', 'unknown_outcome'],
          [found ? 'adopted' : 'delivered', null],
        ]);
        expect(tried[0]?.message).toMatch(CLAIM_LAPSED);
        const seen = requests.get(externalId);
        expect(seen?.gets, externalId).toBe(1);
        const afterReadBack = seen?.order.slice(seen.order.indexOf('GET') + 1);
        expect(afterReadBack, externalId).toEqual(found ? [] : ['PUT']);
      }
      // every other posting went out once and was never read back; NetSuite answered no 429.
      const others = b.entries.map((entry) => entry.externalId).filter((id) => !strandedIds.has(id));
      expect(others.filter((id) => !deliveredFirstTime(attempts.get(id)))).toEqual([]);
      expect(others.filter((id) => requests.get(id)?.order.join() !== 'PUT')).toEqual([]);
      const stats = b.emulator.stats();
      expect(stats.outcomes.concurrencyLimited + stats.outcomes.rateLimited).toBe(0);

      const adopted = stranded.filter((claim) => reached.has(claim.externalId)).length;
      const cut = stranded.filter(
        ({ externalId }) => !reached.has(externalId) && requests.get(externalId)?.order[0] === 'PUT',
      );
      expect(adopted).toBeGreaterThan(0);
      console.log(
        `SIGKILL mid-delivery: ${total} journal postings; the first process delivered ${deliveredBeforeKill} and died holding ` +
          `${stranded.length} claims (lease ${Math.round(leaseLeftMs / 1000)} s left, moved to now); NetSuite had committed ${adopted} of them, ` +
          `${cut.length} were sent and cut off before NetSuite committed them, ${stranded.length - adopted - cut.length} not sent yet. ` +
          `The second process delivered the remaining ${total - deliveredBeforeKill}: ${stranded.length} "claim lapsed" attempts, ` +
          `${stranded.length} read-backs, ${adopted} adopted, ${stranded.length - adopted} sent again; records per external id: ` +
          `${[...new Set(recordsPerId)].join()}; requests ${stats.requests} (${requestsBefore} from the first process); 429s 0; ` +
          `${Date.now() - startedAt} ms`,
      );
    });

    it('shares the target concurrency cap between two dispatcher processes: NetSuite never sees more, each entry once', async () => {
      const startedAt = Date.now();
      // The cap equals the account's concurrency limit: a cap each process kept to itself would be
      // exceeded twice over and answered 429. The rate spaces sends, so claims of a pass settle one by
      // one and the other process finds room between them.
      const cap = 3;
      const b = (bench = await startPostingBench(admin, {
        postings: 60,
        concurrency: cap,
        requestsPerSecond: 25,
        faults: { latencyMs: 40, slowMs: 80, concurrency: cap },
      }));
      const processes = [
        spawnMeterbridge('dispatcher A', b, ['postings', 'run']),
        spawnMeterbridge('dispatcher B', b, ['postings', 'run']),
      ];
      const claimedBy = new Map<string, Set<string>>();
      let mostClaimed = 0;
      await waitUntil(
        async () => {
          const held = await claims(b.db);
          mostClaimed = Math.max(mostClaimed, held.length);
          for (const claim of held)
            claimedBy.set(claim.claimedBy, (claimedBy.get(claim.claimedBy) ?? new Set()).add(claim.id));
          return allDelivered(b);
        },
        30_000,
        async () =>
          `two dispatchers did not deliver everything: ${await progress()}\n${processes.map((one) => one.describe()).join('\n')}`,
      );
      for (const one of processes) expect(await one.stop('SIGTERM'), one.describe()).toEqual({ code: 0, signal: null });

      // Each entry once, balanced, to the cent; each sent once and never read back (nothing was lost);
      const recordsPerId = await expectDeliveredOnce(b);
      const attempts = await attemptsByExternalId(b.db);
      const requests = requestsByExternalId(b.proxy);
      const ids = b.entries.map((entry) => entry.externalId);
      expect(ids.filter((id) => !deliveredFirstTime(attempts.get(id)))).toEqual([]);
      expect(ids.filter((id) => requests.get(id)?.order.join() !== 'PUT')).toEqual([]);
      // both processes delivered; together they never held more than the cap, nor sent more at once,
      // so the account's limit was never exceeded: it answered no 429.
      expect(claimedBy.size).toBe(2);
      expect(mostClaimed).toBeLessThanOrEqual(cap);
      expect(b.proxy.peak).toBeLessThanOrEqual(cap);
      const stats = b.emulator.stats();
      expect(stats.outcomes.concurrencyLimited + stats.outcomes.rateLimited).toBe(0);
      expect(stats.requests).toBe(ids.length);
      console.log(
        `two dispatchers: ${ids.length} postings, claimed ${[...claimedBy.values()].map((set) => set.size).join(' + ')} by the two processes; ` +
          `at most ${mostClaimed} claimed and ${b.proxy.peak} requests in flight at once (cap and account limit ${cap}); ` +
          `429s ${stats.outcomes.concurrencyLimited}; requests ${stats.requests}; records per external id: ${[...new Set(recordsPerId)].join()}; ` +
          `${Date.now() - startedAt} ms`,
      );
    });

    it('delivers postings left pending across a restart of serve exactly once', async () => {
      const startedAt = Date.now();
      const b = (bench = await startPostingBench(admin, {
        postings: 30,
        concurrency: 3,
        faults: { latencyMs: 100, slowMs: 200, concurrency: 3 },
      }));
      const total = b.entries.length;
      // Given postings stored with their change (pending, due) and a serve whose posting worker is
      // delivering them,
      const first = spawnMeterbridge('the first serve', b, ['serve', '--port', '0']);
      await waitUntil(
        async () => {
          const counts = await statusCounts(b.db);
          return counts.delivered >= 6 && counts.in_flight > 0 ? true : undefined;
        },
        20_000,
        async () => `the first serve did not start delivering: ${await progress()}\n${first.describe()}`,
      );
      // when it is stopped as an operator restarts it (SIGTERM), its worker settles what it was sending
      // and claims nothing more, and the rest wait in the store,
      const stopAt = Date.now();
      expect(await first.stop('SIGTERM'), first.describe()).toEqual({ code: 0, signal: null });
      const stopMs = Date.now() - stopAt;
      const between = await statusCounts(b.db);
      expect(between.in_flight).toBe(0);
      expect(between.pending).toBeGreaterThan(0);
      expect(between.delivered + between.pending).toBe(total);
      expect(b.emulator.records().length).toBe(between.delivered);

      // then the next serve delivers them: every posting exactly once.
      const second = spawnMeterbridge('the second serve', b, ['serve', '--port', '0']);
      await waitUntil(
        () => allDelivered(b),
        30_000,
        async () => `the second serve did not deliver the rest: ${await progress()}\n${second.describe()}`,
      );
      expect(await second.stop('SIGTERM'), second.describe()).toEqual({ code: 0, signal: null });
      const recordsPerId = await expectDeliveredOnce(b);
      const attempts = await attemptsByExternalId(b.db);
      const requests = requestsByExternalId(b.proxy);
      const ids = b.entries.map((entry) => entry.externalId);
      expect(ids.filter((id) => !deliveredFirstTime(attempts.get(id)))).toEqual([]);
      expect(ids.filter((id) => requests.get(id)?.order.join() !== 'PUT')).toEqual([]);
      const stats = b.emulator.stats();
      expect(stats.outcomes.concurrencyLimited + stats.outcomes.rateLimited).toBe(0);
      console.log(
        `serve restart: ${total} postings; the first serve delivered ${between.delivered} and stopped on SIGTERM in ${stopMs} ms with no claim ` +
          `left open; the second delivered the other ${between.pending}; attempts per posting 1; requests ${stats.requests}; ` +
          `records per external id: ${[...new Set(recordsPerId)].join()}; 429s 0; ${Date.now() - startedAt} ms`,
      );
    });
  },
  ['postgres'],
);
