import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startNetSuiteEmulator, type NetSuiteEmulator } from '../../src/emulators/netsuite/index.js';
import { DeliveryFailure } from '../../src/modules/connectors/index.js';
import { ManualClock } from '../../src/platform/clock.js';
import { applyStory, completion, post, postCatalog, postedStoryCatalog, send } from '../scenarios/one-month-story.js';
import { describeEachStore } from '../harness/stores.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

// Secrets are named in the catalog and resolved at use; their values must never come back out: not in
// a log line, an API answer, an error, the audit log, a metric or any row of the store. This drives a
// month to NetSuite through a good secret, a wrong one and a missing one, then looks everywhere.

/** The story's US entity posting journals to the emulator, and a second target whose secret is missing. */
const catalogFor = (url: string) =>
  postedStoryCatalog(
    `- key: netsuite-us
  kind: netsuite
  settings: { accountId: "1234567_SB1", baseUrl: "${url}", auth: { method: tba }, currencies: { USD: "1" } }
  credentials: NETSUITE_US
- key: spare-hook
  kind: webhook
  settings: { url: "http://127.0.0.1:9/never" }
  credentials: SPARE_HOOK`,
    `target: netsuite-us
mode: journal
accounts:
  receivable: "58"
  revenue: { default: "112" }
  taxPayable: { US-CA: "113" }
dimensions: { subsidiary: "1" }`,
  );

describeEachStore('secrets never leave Meterbridge', (stores) => {
  const clock = new ManualClock('2026-10-20T09:00:00Z');
  const logs: string[] = [];
  let emulator: NetSuiteEmulator;
  let t: TestApp;
  let secretJson: string;
  let wrong = false;

  beforeAll(async () => {
    emulator = await startNetSuiteEmulator({ seed: 3 });
    const { consumerKey, consumerSecret, tokenId, tokenSecret } = emulator.credentials;
    secretJson = JSON.stringify({ consumerKey, consumerSecret, tokenId, tokenSecret });
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logs.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    t = await startTestApp(stores, {
      clock,
      logger,
      secrets: async (name) => {
        if (name !== 'NETSUITE_US') throw new DeliveryFailure('auth', `secret ${name} is not set`);
        return wrong
          ? JSON.stringify({ consumerKey, consumerSecret: `${consumerSecret}x`, tokenId, tokenSecret })
          : secretJson;
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await emulator?.close();
  });

  it('keeps every secret value out of logs, answers, errors, the audit log, metrics and the store', async () => {
    await applyStory(t, catalogFor(emulator.url));
    await send(t, [completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000)]);
    await t.app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-01T01:00:00Z');
    await post(t, '/v1/billing-runs', { period: '2026-10' });
    clock.set('2026-11-04T02:00:00Z');
    await post(t, '/v1/invoices/finalize-due');
    clock.set('2026-11-05T02:00:00Z');

    // A wrong secret first (refused by NetSuite), then the right one.
    wrong = true;
    expect(await t.app.dispatcher.runOnce()).toMatchObject({ delivered: 0 });
    wrong = false;
    clock.advance(30 * 60_000);
    expect(await t.app.dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    // Credentials written into the catalog by mistake are refused without being repeated.
    const leaked = await postCatalog(
      t,
      catalogFor(emulator.url).replace(
        'auth: { method: tba }',
        `auth: { method: tba }, password: "${emulator.credentials.tokenSecret}"`,
      ),
    );
    expect(leaked.status).toBe(400);

    const secretValues = Object.values(JSON.parse(secretJson) as Record<string, string>).filter(
      (value) => value.length > 8,
    );
    expect(secretValues.length).toBe(4);
    const api = await Promise.all(
      ['/v1/postings', `/v1/postings/1`, '/v1/posting-targets', '/v1/catalog', '/v1/invoices'].map(async (path) =>
        (await t.request(path)).text(),
      ),
    );
    const metrics = await (await t.request('/metrics', { key: null })).text();
    const rows: string[] = [];
    for (const table of [
      'postings',
      'posting_attempts',
      'audit_log',
      'catalog_versions',
      'outbox',
      'posting_targets',
    ]) {
      const result = await t.app.db.query(`select * from ${table}`);
      rows.push(JSON.stringify(result.rows));
    }
    const everything = [...logs, ...api, metrics, await leaked.text(), ...rows].join('\n');
    expect(everything).toContain('NETSUITE_US');
    for (const value of secretValues) expect(everything.includes(value), 'a secret value came out').toBe(false);
  });
});
