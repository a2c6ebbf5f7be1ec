import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetSuiteEmulator } from '../../src/emulators/netsuite/index.js';
import type { StripeEmulator } from '../../src/emulators/stripe/index.js';
import type { ManualClock } from '../../src/platform/clock.js';
import type { Database } from '../../src/platform/database/database.js';
import type { TestStores } from '../harness/stores.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import { applyStory, completion, post, postedStoryCatalog, send, STORY_CATALOG } from './one-month-story.js';

// Where the one-month story's documents go, as the stories that follow them there declare it: NetSuite
// in journal mode, a file export in invoice mode, Stripe as the billing platform; and the month's close.

/** The story's US entity posting summarized journal entries to the NetSuite emulator. */
export const netsuiteStoryCatalog = (emulator: NetSuiteEmulator): string =>
  postedStoryCatalog(
    `- key: netsuite-us
  kind: netsuite
  settings: { accountId: "1234567_SB1", baseUrl: "${emulator.url}", auth: { method: tba }, currencies: { USD: "1" } }
  credentials: NETSUITE_US
  limits: { requestsPerSecond: 50, concurrency: 3 }`,
    `target: netsuite-us
mode: journal
accounts:
  receivable: "58"
  revenue: { default: "112", charges: { platform_fee: "54" } }
  taxPayable: { US-CA: "113" }
dimensions: { subsidiary: "1" }`,
  );

/** The NetSuite emulator's token-based credentials, as the target's secret holds them. */
export function netsuiteSecret(emulator: NetSuiteEmulator): string {
  const { consumerKey, consumerSecret, tokenId, tokenSecret } = emulator.credentials;
  return JSON.stringify({ consumerKey, consumerSecret, tokenId, tokenSecret });
}

/** The story's US entity exporting one ERP document per document to files in `directory`. */
export const fileExportStoryCatalog = (directory: string): string =>
  postedStoryCatalog(
    `- { key: ledger-files, kind: file, settings: { directory: "${directory}", formats: [jsonl] } }`,
    `target: ledger-files
mode: invoice
accounts:
  receivable: "1200"
  revenue: { default: "4000" }
  taxPayable: { US-CA: "2300" }`,
  )
    .replace('aliases: [acct_1001] }', 'aliases: [acct_1001], externalIds: { erp: "C-1" } }')
    .replace('taxRegion: US-CA }', 'taxRegion: US-CA, externalIds: { erp: "C-2" } }');

/** The story's customers as the Stripe emulator holds them. */
export const STRIPE_STORY_CUSTOMERS = [
  { id: 'cus_StoryAcme', name: 'Acme Corporation', currency: 'usd' },
  { id: 'cus_StoryInitech', name: 'Initech LLC', currency: 'usd' },
];

/**
 * The story billed in a Stripe target with these settings: the plan hands its charges to Stripe besides
 * Meterbridge's invoices; with `acmeIssuedByStripe`, Acme's subscription has Stripe issue its invoice.
 */
export function stripeStoryCatalog(emulator: StripeEmulator, settings: string, acmeIssuedByStripe = false): string {
  const catalog = STORY_CATALOG.replace(
    'legalEntities:',
    `targets:
  - key: stripe
    kind: stripe
    settings: { apiBaseUrl: "${emulator.url}", ${settings} }
    credentials: STRIPE
    limits: { requestsPerSecond: 50, concurrency: 2 }
legalEntities:`,
  )
    .replace('aliases: [acct_1001] }', 'aliases: [acct_1001], externalIds: { billing: cus_StoryAcme } }')
    .replace('taxRegion: US-CA }', 'taxRegion: US-CA, externalIds: { billing: cus_StoryInitech } }')
    .replace(
      '  - key: team\n    name: Team\n',
      '  - key: team\n    name: Team\n    billedIn: { target: stripe, invoices: meterbridge }\n',
    );
  return acmeIssuedByStripe
    ? catalog.replace(
        '    latePolicy: roll_forward',
        '    latePolicy: roll_forward\n    billedIn: { target: stripe, invoices: target }',
      )
    : catalog;
}

/** October closed: its billing run on 1 November, its drafts finalized once their grace is over. */
export async function closeOctober(t: TestApp, clock: ManualClock): Promise<void> {
  clock.set('2026-11-01T01:00:00Z');
  await post(t, '/v1/billing-runs', { period: '2026-10' });
  clock.set('2026-11-04T02:00:00Z');
  await post(t, '/v1/invoices/finalize-due');
}

/** Dispatches, moving the clock past every backoff, until nothing is left to send. */
export async function drainPostings(t: TestApp, clock: ManualClock, passes = 30): Promise<void> {
  for (let pass = 0; pass < passes; pass += 1) {
    await t.app.dispatcher.runOnce();
    const open = await t.app.postings.list({ statuses: ['pending', 'retrying', 'in_flight'] }, 100);
    if (open.length === 0) return;
    clock.advance(10 * 60_000);
  }
  throw new Error(`postings still open after ${passes} passes`);
}

/**
 * Acme's and Initech's October invoiced and exported to files in a fresh directory, one document each,
 * on a fresh store of `stores`: what the CLI tests read back.
 */
export async function exportedOctober(
  stores: TestStores,
  clock: ManualClock,
): Promise<{ db: Database; t: TestApp; directory: string; close(): Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'story-export-'));
  const db = await stores.fresh();
  const t = await startTestApp({ db }, { clock });
  await applyStory(t, fileExportStoryCatalog(directory));
  await send(t, [
    completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000),
    completion('i-1', 'initech', '2026-10-05T12:00:00Z', 8000),
  ]);
  await t.app.metering.stage.runUntilCaughtUp();
  await closeOctober(t, clock);
  await t.app.dispatcher.runOnce();
  return {
    db,
    t,
    directory,
    async close() {
      await t.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
