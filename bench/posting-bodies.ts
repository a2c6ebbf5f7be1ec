import type { NewPosting } from '../src/modules/outbox/index.js';
import type { CountingTarget } from '../test/conformance/emulator-faults.js';
import { conformanceTarget as businessCentral } from '../test/conformance/targets/business-central.js';
import { conformanceTarget as netsuite } from '../test/conformance/targets/netsuite.js';
import { conformanceTarget as oracleFusion } from '../test/conformance/targets/oracle-fusion.js';
import { conformanceTarget as sapS4hana } from '../test/conformance/targets/sap-s4hana.js';
import { conformanceTarget as stripe } from '../test/conformance/targets/stripe.js';

// What the posting benchmark delivers, and where: each target's conformance adapter (its emulator started
// and faulted as the conformance suite does, its target definition and secret, its connector, the bodies
// it takes — balanced journal entries for a ledger, a document's items for Stripe — and the totals its
// emulator must then hold, read from the emulator).

export const BENCH_KINDS = ['netsuite', 'sap-s4hana', 'business-central', 'oracle-fusion', 'stripe'] as const;
export type BenchKind = (typeof BENCH_KINDS)[number];

export const BENCH_ADAPTERS: Readonly<Record<BenchKind, CountingTarget>> = {
  netsuite,
  'sap-s4hana': sapS4hana,
  'business-central': businessCentral,
  'oracle-fusion': oracleFusion,
  stripe,
};

export const isBenchKind = (kind: string): kind is BenchKind => (BENCH_KINDS as readonly string[]).includes(kind);

export const BENCH_TARGET = 'erp-bench';

/** The `count` postings of a run: the adapter's journal entries, deterministic, one posting each. */
export function benchPostings(kind: BenchKind, count: number): NewPosting[] {
  return BENCH_ADAPTERS[kind].bodies(count).map((body) => ({
    targetKey: BENCH_TARGET,
    externalId: body.externalId,
    kind: body.type,
    subject: `bench:${body.externalId}`,
    period: '2026-10',
    body,
  }));
}

/** What the emulated ledger must hold once every posting is delivered exactly once: net per account, to the cent. */
export const expectedTotals = (kind: BenchKind, count: number): Record<string, string> =>
  BENCH_ADAPTERS[kind].expectedTotals(BENCH_ADAPTERS[kind].bodies(count));
