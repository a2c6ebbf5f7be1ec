import { Decimal } from 'decimal.js';
import type { Invoice, InvoiceFilter } from '../billing/index.js';
import { billedInOf, type Catalog } from '../catalog/index.js';
import { DEFAULT_TARGET_LIMITS, type Connector, type TargetLimits } from '../connectors/index.js';
import type { Posting, PostingFilter } from '../outbox/index.js';
import { carriedInvoices } from './carried-invoices.js';
import { reconcileListing } from './listing-stage.js';
import { reconcileUsageHandOffs } from './usage-hand-off-stage.js';
import { postingPlace, readBack, type PeriodDocument } from './held-check.js';
import { createTargetPace, type SharedTargetLimits, type TargetPace } from './target-pace.js';
import {
  emptyStageTotals,
  NO_PLACE,
  type NewMismatch,
  type StageTotals,
  type UnverifiedTarget,
} from './reconciliation.js';

// The third and fourth stages: the period's finalized documents against the postings that carry them to
// each target (the entity's ledger, the billing platform its subscription is billed in), and each
// delivered posting against what the target holds, read back through its connector — never Meterbridge's
// own record of what it sent. Postings are read page by page; the read-back is paced per target.

const PAGE = 500;

export interface PostingStageDependencies {
  listInvoices(filter: InvoiceFilter, limit: number): Promise<Invoice[]>;
  listPostings(filter: PostingFilter, limit: number): Promise<Posting[]>;
  connectorFor(targetKey: string): Promise<Connector | undefined>;
  /** Which of these external ids a target has a posting for. */
  knownExternalIds(targetKey: string, externalIds: readonly string[]): Promise<Set<string>>;
  /** Reconciliation's pace for a target of this rate (a test gives one that does not wait). */
  pace?: (requestsPerSecond: number) => TargetPace;
  /** The target's rate and places shared with deliveries (absent: reads are its only traffic). */
  sharedLimits?: (targetKey: string, limits: TargetLimits) => SharedTargetLimits;
}

export interface PostingScope {
  start: Date;
  end: Date;
  month: string;
  legalEntity?: string;
  now: Date;
  /** A pending or retrying posting older than this is stuck. */
  stuckAfterMs: number;
}

export interface PostingStageResult {
  totals: StageTotals[];
  postingsRead: number;
  /** Requests sent to targets to read them (look-ups, listing pages, meters' sums), as their paces counted. */
  readRequests: number;
  /** Documents a target must hold that only undelivered (pending, retrying) postings carry there yet. */
  awaitingDelivery: number;
  /** The postings read back (held or not), for the service level of reconciling what was posted. */
  readPostingIds: string[];
  unverified: UnverifiedTarget[];
}

export async function reconcilePostings(
  deps: PostingStageDependencies,
  catalog: Catalog | undefined,
  scope: PostingScope,
  report: (mismatch: NewMismatch) => void,
): Promise<PostingStageResult> {
  const documents = await periodDocuments(deps, catalog, scope);
  const accruals = new Map<string, { accrual?: Posting; reversal?: Posting }>();
  const toRead: Posting[] = [];
  const handOffs = new Map<string, Posting[]>();

  for (let afterId: string | undefined; ;) {
    const page = await deps.listPostings({ createdFrom: scope.start, afterId }, PAGE);
    for (const posting of page) {
      if (posting.kind === 'accrual' || posting.kind === 'reversal') {
        if (posting.period === scope.month && inScope(posting.legalEntity, scope)) {
          const pair = accruals.get(`${posting.targetKey}\u0000${posting.subject}`) ?? {};
          pair[posting.kind] = posting;
          accruals.set(`${posting.targetKey}\u0000${posting.subject}`, pair);
        }
        continue;
      }
      const carried = carriedInvoices(posting.body).filter((id) => documents.has(id));
      if (carried.length === 0 || posting.status === 'cancelled') continue;
      if (posting.body.type === 'usage_events') {
        // Usage for the platform to price, not money: compared by its meters' sums, not counted as posted.
        handOffs.set(posting.targetKey, [...(handOffs.get(posting.targetKey) ?? []), posting]);
        checkOpen(posting, scope, report);
        continue;
      }
      for (const id of carried) {
        const entry = documents.get(id)!;
        const mark = entry.carried.get(posting.targetKey) ?? { delivered: false, verified: true };
        entry.carried.set(posting.targetKey, { ...mark, delivered: mark.delivered || posting.status === 'delivered' });
      }
      checkOpen(posting, scope, report);
      if (posting.status === 'delivered') toRead.push(posting);
    }
    if (page.length < PAGE) break;
    afterId = page.at(-1)?.id;
  }

  // One pace per target for every read of the run: its share of the target's rate is shared by them all.
  const paces = new Map<string, TargetPace>();
  const paceOf = (targetKey: string): TargetPace => {
    const limits = catalog?.targets?.find((target) => target.key === targetKey)?.limits ?? DEFAULT_TARGET_LIMITS;
    const shared = deps.sharedLimits?.(targetKey, limits);
    const pace =
      paces.get(targetKey) ??
      (deps.pace ? deps.pace(limits.requestsPerSecond) : createTargetPace(limits.requestsPerSecond, undefined, shared));
    paces.set(targetKey, pace);
    return pace;
  };
  const { read, readIds, unverified } = await readBack(deps, catalog, toRead, documents, report, paceOf);
  let handOffsRead = 0;
  for (const [targetKey, list] of handOffs) {
    const connector = await deps.connectorFor(targetKey);
    const checked = await reconcileUsageHandOffs(targetKey, connector, paceOf(targetKey), list, scope, report);
    handOffsRead += checked.verifiedPostingIds.length;
    readIds.push(...checked.verifiedPostingIds);
    unverified.push(...checked.unverified);
  }
  // Where a target can list what it holds, what no posting explains (dated from the period's start on).
  const range = { from: scope.start.toISOString().slice(0, 10), to: scope.now.toISOString().slice(0, 10) };
  for (const target of catalog?.targets ?? []) {
    const connector = await deps.connectorFor(target.key);
    const failed =
      connector &&
      (await reconcileListing(target.key, connector, range, deps.knownExternalIds, report, paceOf(target.key)));
    if (failed) unverified.push(failed);
  }
  for (const { invoice, expected, carried } of documents.values())
    for (const target of expected)
      if (!carried.has(target))
        report({
          ...NO_PLACE,
          class: 'invoice_not_posted',
          ...placeOf(invoice),
          targetKey: target,
          invoiceId: invoice.id,
          expected: invoice.total,
          actual: '0',
          detail: `${invoice.document} ${invoice.number ?? invoice.id} (${invoice.total} ${invoice.currency}) is finalized, but no posting carries it to target ${target}`,
          action:
            "a person must look: check the posting preview (meterbridge postings preview) and the catalog's accounting or billedIn for this document",
        });
  checkAccruals(accruals, scope, report);
  const awaitingDelivery = [...documents.values()].filter(({ expected, carried }) =>
    [...expected].some((target) => carried.get(target)?.delivered === false),
  ).length;
  return {
    totals: stageTotals(documents),
    postingsRead: read + handOffsRead,
    readRequests: [...paces.values()].reduce((sum, pace) => sum + pace.requests(), 0),
    awaitingDelivery,
    readPostingIds: readIds,
    unverified,
  };
}

function inScope(legalEntity: string | null, scope: PostingScope): boolean {
  return scope.legalEntity === undefined || legalEntity === scope.legalEntity;
}

/** The period's finalized documents, each with the targets that must carry it. */
async function periodDocuments(
  deps: PostingStageDependencies,
  catalog: Catalog | undefined,
  scope: PostingScope,
): Promise<Map<string, PeriodDocument>> {
  const documents = new Map<string, PeriodDocument>();
  // Looked up once per document: a month of S subscriptions' documents would otherwise scan them S times.
  const subscriptions = new Map((catalog?.subscriptions ?? []).map((subscription) => [subscription.key, subscription]));
  for (let afterId: string | undefined; ;) {
    const page = await deps.listInvoices(
      { status: 'finalized', from: scope.start, to: scope.end, legalEntity: scope.legalEntity, afterId },
      PAGE,
    );
    for (const invoice of page)
      documents.set(invoice.id, {
        invoice,
        expected: expectedTargets(catalog, subscriptions, invoice),
        carried: new Map(),
      });
    if (page.length < PAGE) break;
    afterId = page.at(-1)?.id;
  }
  return documents;
}

/**
 * Where a document must be carried by the current catalog: its entity's ledger (a document of a total of
 * 0 may carry no line worth posting, and is not expected), and the billing platform its subscription is
 * billed in by items (a usage hand-off carries only the usage it has).
 */
function expectedTargets(
  catalog: Catalog | undefined,
  subscriptions: ReadonlyMap<string, Catalog['subscriptions'][number]>,
  invoice: Invoice,
): Set<string> {
  const expected = new Set<string>();
  if (!catalog) return expected;
  const entity = catalog.legalEntities.find((candidate) => candidate.code === invoice.legalEntity);
  if (entity?.accounting && !new Decimal(invoice.total).isZero()) expected.add(entity.accounting.target);
  const subscription = subscriptions.get(invoice.subscription);
  const billedIn = subscription && billedInOf(catalog, subscription);
  const target = billedIn && catalog.targets?.find((candidate) => candidate.key === billedIn.target);
  if (target && target.settings.send !== 'meter_events') expected.add(target.key);
  return expected;
}

function checkOpen(posting: Posting, scope: PostingScope, report: (mismatch: NewMismatch) => void): void {
  const common = postingPlace(posting);
  if (posting.status === 'dead')
    report({
      ...common,
      class: 'posting_dead',
      detail: `posting ${posting.id} (${posting.kind} ${posting.externalId}) to ${posting.targetKey} is in the dead-letter queue`,
      action: `read its last failure (GET /v1/postings/${posting.id}), fix the mapping or secret it names, then retry it (meterbridge postings retry ${posting.id})`,
    });
  const age = scope.now.getTime() - new Date(posting.createdAt).getTime();
  // A pending posting not due yet (a day's entry waiting for its day to end) is waiting, not stuck.
  const due = posting.status !== 'pending' || new Date(posting.nextAttemptAt) <= scope.now;
  if (['pending', 'retrying', 'in_flight'].includes(posting.status) && age > scope.stuckAfterMs && due)
    report({
      ...common,
      class: 'posting_stuck',
      detail: `posting ${posting.id} (${posting.kind} ${posting.externalId}) to ${posting.targetKey} has been ${posting.status} for ${Math.round(age / 3_600_000)} hours after ${posting.attempts} attempts`,
      action: 'repairable: made due now, it is read back and sent again by the dispatcher (--repair)',
    });
}

function checkAccruals(
  accruals: Map<string, { accrual?: Posting; reversal?: Posting }>,
  scope: PostingScope,
  report: (mismatch: NewMismatch) => void,
): void {
  // The reversal is dated the first day after the period: before then it is not due.
  if (scope.now < scope.end) return;
  for (const { accrual, reversal } of accruals.values()) {
    if (accrual?.status !== 'delivered' || reversal?.status === 'delivered') continue;
    report({
      ...NO_PLACE,
      class: 'accrual_not_reversed',
      legalEntity: accrual.legalEntity,
      targetKey: accrual.targetKey,
      postingId: reversal?.id ?? accrual.id,
      externalId: reversal?.externalId ?? null,
      detail: `the accrual ${accrual.externalId} of ${scope.month} is in ${accrual.targetKey}, but its reversal is ${reversal ? reversal.status : 'missing'}`,
      action: reversal
        ? `see posting ${reversal.id}: retry or fix it (meterbridge postings retry ${reversal.id})`
        : 'a person must reverse the accrual in the ledger',
    });
  }
}

/** Stage totals per entity and currency: invoiced, posted and verified per target, to the cent. */
function stageTotals(documents: Map<string, PeriodDocument>): StageTotals[] {
  const totals = new Map<string, StageTotals>();
  for (const { invoice, carried } of documents.values()) {
    const key = `${invoice.legalEntity}\u0000${invoice.currency}`;
    const row = totals.get(key) ?? emptyStageTotals(invoice.legalEntity, invoice.currency);
    row.documents += 1;
    row.invoiced = new Decimal(row.invoiced).plus(invoice.total).toFixed();
    for (const [target, mark] of carried) {
      if (!mark.delivered) continue;
      row.posted[target] = new Decimal(row.posted[target] ?? 0).plus(invoice.total).toFixed();
      if (mark.verified) row.verified[target] = new Decimal(row.verified[target] ?? 0).plus(invoice.total).toFixed();
      else row.verified[target] ??= '0';
    }
    totals.set(key, row);
  }
  return [...totals.values()];
}

const placeOf = (invoice: Invoice) => ({
  legalEntity: invoice.legalEntity,
  currency: invoice.currency,
  customer: invoice.customer,
});
