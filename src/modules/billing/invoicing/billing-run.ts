import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../platform/clock.js';
import type { Database, Queryable } from '../../../platform/database/database.js';
import { ConflictError, PreconditionFailedError, ValidationError } from '../../../platform/errors.js';
import { recordAudit } from '../../audit/index.js';
import type { Catalog, CatalogService, Customer, Subscription } from '../../catalog/index.js';
import { catalogLookup, type CatalogLookup } from './catalog-lookup.js';
import { writeDocuments, type PendingDocument } from './document-writes.js';
import { loadFeeLedger } from '../fees/advance-fees.js';
import { advanceFeeExpectations, draftContents, withDiscount } from './invoice-draft.js';
import { lateAdjustments } from '../late-usage/late-adjustments.js';
import { mergeMemos, orphanedFeeMemos } from '../fees/orphaned-fees.js';
import { voidForReissue } from '../late-usage/reissue.js';
import { deleteUnplannedDraftMemos, findUnreissuableInvoices } from '../late-usage/late-usage-repository.js';
import { planLateUsage } from '../late-usage/late-usage-policy.js';
import { calendarMonth, periodsStartingIn } from './periods.js';
import { periodKey } from './invoice-repository.js';
import { completeRun, insertRun, raiseRunWorkMem, tryLockPeriod } from './run-repository.js';
import { aggregateUsage, eventValues, type MeterAggregate, type SubscriptionWindow } from '../../metering/index.js';
import { Exact } from '../../../platform/money.js';
import type { DocumentListener, LineContent, Period, BillingRunSummary } from '../billing.js';
import { findInvoice } from './invoice-queries.js';

export interface BillingRunDependencies {
  db: Database;
  catalog: CatalogService;
  clock: Clock;
  /** How long a draft waits before it finalizes on its own. */
  graceMs: number;
  listener?: DocumentListener;
}

interface Planned {
  subscriptionKey: string;
  period: Period;
  covered: Period;
  first: boolean;
  next: { period: Period; covered: Period } | undefined;
}

function plan(
  catalog: Catalog,
  month: Period,
  now: Date,
): { billable: Planned[]; pending: BillingRunSummary['pending'] } {
  const billable: Planned[] = [];
  const pending: BillingRunSummary['pending'] = [];
  for (const subscription of catalog.subscriptions) {
    const start = new Date(subscription.start);
    for (const { period, covered } of periodsStartingIn(subscription, month.start, month.end)) {
      if (period.end > now && covered.end > now) {
        pending.push({ subscription: subscription.key, periodEnd: covered.end.toISOString() });
        continue;
      }
      const [next] = periodsStartingIn(subscription, period.end, new Date(period.end.getTime() + 1));
      billable.push({
        subscriptionKey: subscription.key,
        period,
        covered,
        first: covered.start.getTime() === start.getTime(),
        next,
      });
    }
  }
  return { billable, pending };
}

async function percentageValues(
  db: Queryable,
  lookup: CatalogLookup,
  planned: Pick<Planned, 'subscriptionKey' | 'covered'>,
): Promise<Map<string, string[]>> {
  const charges = lookup.plan(lookup.subscription(planned.subscriptionKey)?.plan)?.charges ?? [];
  const values = new Map<string, string[]>();
  const window: SubscriptionWindow = {
    subscriptionKey: planned.subscriptionKey,
    start: planned.covered.start,
    end: planned.covered.end,
  };
  for (const charge of charges) {
    if (charge.model === 'percentage' && charge.meter && !values.has(charge.meter))
      values.set(charge.meter, await eventValues(db, window, charge.meter));
  }
  return values;
}

/**
 * Closes a calendar month: drafts (or redrafts) the invoice of every subscription period whose covered
 * part starts in it and has ended, in one transaction under the month's lock — a second run at the same
 * time is refused, and a failure writes nothing. Running it again changes nothing, or only the drafts
 * whose usage changed; finalized invoices are never touched.
 */
export async function runBilling(
  deps: BillingRunDependencies,
  periodText: unknown,
  actor: string,
): Promise<BillingRunSummary> {
  const period = typeof periodText === 'string' ? periodText : undefined;
  const month = period === undefined ? undefined : calendarMonth(period);
  if (period === undefined || !month)
    throw new ValidationError('invalid billing run', [
      { path: '/period', message: 'must be a calendar month such as "2026-10"' },
    ]);
  const startedAt = deps.clock.now();
  if (month.end > startedAt) {
    throw new ValidationError('invalid billing run', [
      {
        path: '/period',
        message: `${period} has not ended yet (it ends ${month.end.toISOString()}); bill it after that`,
      },
    ]);
  }
  const current = await deps.catalog.current();
  if (!current) throw new PreconditionFailedError('no catalog has been applied yet: there is nothing to bill');
  const { catalog, version } = current;

  return deps.db.transaction(async (tx) => {
    if (!(await tryLockPeriod(tx, period)))
      throw new ConflictError(`a billing run for ${period} is already running; wait for it to finish`);
    await raiseRunWorkMem(tx);
    const { billable, pending } = plan(catalog, month, startedAt);
    const windows = billable.map((planned) => ({
      subscriptionKey: planned.subscriptionKey,
      start: planned.covered.start,
      end: planned.covered.end,
    }));
    const needs = new Set(catalog.meters.map((meter) => meter.aggregation));
    const aggregates = groupAggregates(await aggregateUsage(tx, windows, needs));
    const id = `run_${randomUUID()}`;
    await insertRun(tx, { id, period, startedAt, finishedAt: startedAt, actor, summary: {} });
    const lookup = catalogLookup(catalog);
    const billedKeys = new Set(billable.map((planned) => planned.subscriptionKey));
    const billed = catalog.subscriptions.filter((subscription) => billedKeys.has(subscription.key));
    const late = planLateUsage(billed, lookup, await lateAdjustments(tx, lookup, billed, needs));
    // An invoice an ERP already holds, or that other documents already corrected, is never voided: its
    // correction becomes a memo.
    const kept = await findUnreissuableInvoices(
      tx,
      late.reissues.map((reissue) => reissue.invoiceId),
    );
    late.memos.push(...late.reissues.filter((reissue) => kept.has(reissue.invoiceId)));
    const reissues = late.reissues.filter((reissue) => !kept.has(reissue.invoiceId));
    const adjustments = late.rollForward;
    for (const reissue of reissues) {
      await voidForReissue(tx, reissue.invoiceId, startedAt);
      const voided = await findInvoice(tx, reissue.invoiceId);
      if (voided) await deps.listener?.documentVoided(tx, voided, startedAt);
    }
    // Read after voiding: a reissued invoice's fee lines no longer count as billed.
    const fees = await loadFeeLedger(
      tx,
      [...new Set([...billedKeys, ...reissues.map((reissue) => reissue.subscription.key)])],
      [...billable, ...reissues].reduce(
        (earliest, document) => (document.period.start < earliest ? document.period.start : earliest),
        month.start,
      ),
    );
    const draftInput = async (
      subscription: Subscription,
      customer: Customer,
      planned: Omit<Planned, 'subscriptionKey'>,
      byMeter: ReadonlyMap<string, MeterAggregate[]>,
      lateLines: readonly LineContent[],
    ) => ({
      catalog,
      catalogVersion: version,
      subscription,
      customer,
      period: planned.period,
      covered: planned.covered,
      next: planned.next,
      first: planned.first,
      aggregates: byMeter,
      eventValues: await percentageValues(tx, lookup, { subscriptionKey: subscription.key, covered: planned.covered }),
      adjustments: lateLines,
      feeBilled: fees.forInvoice(subscription.key, planned.period.start),
    });
    // Invoice documents by subscription period: a reissued period that the run also bills is drafted once.
    const invoices = new Map<string, PendingDocument>();
    for (const reissue of reissues) {
      const customer = lookup.customer(reissue.subscription.customer);
      if (!customer) continue;
      const window = {
        subscriptionKey: reissue.subscription.key,
        start: reissue.covered.start,
        end: reissue.covered.end,
      };
      const byMeter =
        groupAggregates(await aggregateUsage(tx, [window], needs)).get(
          periodKey(reissue.subscription.key, reissue.covered.start.toISOString()),
        ) ?? new Map();
      const [next] = periodsStartingIn(
        reissue.subscription,
        reissue.period.end,
        new Date(reissue.period.end.getTime() + 1),
      );
      const first = reissue.covered.start.getTime() === new Date(reissue.subscription.start).getTime();
      const input = await draftInput(
        reissue.subscription,
        customer,
        { period: reissue.period, covered: reissue.covered, next, first },
        byMeter,
        [],
      );
      const contents = draftContents(input);
      // The period after a reissued one sees the fee it bills ahead as drafted, like any draft's.
      fees.noteDraft(reissue.subscription.key, reissue.period.start, contents);
      invoices.set(periodKey(reissue.subscription.key, reissue.period.start.toISOString()), {
        header: input,
        contents,
        advanceFees: advanceFeeExpectations(input),
        replacesInvoiceId: reissue.invoiceId,
      });
    }
    for (const planned of billable) {
      const subscription = lookup.subscription(planned.subscriptionKey);
      const customer = lookup.customer(subscription?.customer);
      if (!subscription || !customer) continue;
      const byMeter =
        aggregates.get(periodKey(planned.subscriptionKey, planned.covered.start.toISOString())) ?? new Map();
      // Late usage goes on the subscription's first invoice of the run.
      const input = await draftInput(
        subscription,
        customer,
        planned,
        byMeter,
        adjustments.get(planned.subscriptionKey) ?? [],
      );
      adjustments.delete(planned.subscriptionKey);
      const key = periodKey(subscription.key, planned.period.start.toISOString());
      invoices.set(key, {
        header: input,
        contents: draftContents(input),
        advanceFees: advanceFeeExpectations(input),
        replacesInvoiceId: invoices.get(key)?.replacesInvoiceId,
      });
    }
    const memos: PendingDocument[] = [];
    // Fees billed ahead for periods an ended subscription no longer reaches are given back by memo, in any month's run.
    const plannedMemos = mergeMemos(late.memos, await orphanedFeeMemos(tx, lookup, catalog.subscriptions));
    // The run saw every finalized invoice of the subscriptions it bills: a draft memo of theirs it plans no
    // memo for has nothing left to correct, and kept, it would be refused at finalization forever.
    await deleteUnplannedDraftMemos(
      tx,
      billed.map((subscription) => subscription.key),
      plannedMemos.map((memo) => memo.invoiceId),
    );
    for (const memo of plannedMemos) {
      const customer = lookup.customer(memo.subscription.customer);
      if (!customer) continue;
      const header = {
        catalog,
        catalogVersion: version,
        subscription: memo.subscription,
        customer,
        period: memo.period,
        covered: memo.covered,
      };
      memos.push({
        header,
        contents: withDiscount(memo.lines, memo.subscription, customer.currency, memo.covered),
        correctsInvoiceId: memo.invoiceId,
      });
    }
    // Earlier periods first (a memo corrects one): prepaid credit is drawn in period order.
    const documents = [...invoices.values(), ...memos].sort(
      (a, b) => a.header.covered.start.getTime() - b.header.covered.start.getTime(),
    );
    const written = await writeDocuments(tx, documents, {
      lookup,
      runId: id,
      now: startedAt,
      finalizeAfter: new Date(startedAt.getTime() + deps.graceMs),
    });
    const summary: BillingRunSummary = {
      id,
      period,
      catalogVersion: version,
      invoices: written.invoices,
      memos: written.memos,
      pending,
      totals: {},
      reissued: [],
    };
    for (const document of written.written) {
      summary.totals[document.draft.currency] = new Exact(summary.totals[document.draft.currency] ?? '0')
        .plus(document.draft.total)
        .toFixed();
      if (document.created && document.replacesInvoiceId)
        summary.reissued.push({ voided: document.replacesInvoiceId, replacement: document.id });
    }
    await completeRun(tx, id, deps.clock.now(), { ...summary });
    await recordAudit(tx, startedAt, [
      {
        actor,
        action: 'billing.run',
        target: `period:${period}`,
        detail: { id, invoices: summary.invoices, totals: summary.totals },
      },
    ]);
    return summary;
  });
}

/** Aggregates by subscription period (subscription and covered start), then by meter. */
function groupAggregates(rows: readonly MeterAggregate[]): Map<string, Map<string, MeterAggregate[]>> {
  const grouped = new Map<string, Map<string, MeterAggregate[]>>();
  for (const aggregate of rows) {
    const key = periodKey(aggregate.subscriptionKey, aggregate.periodStart);
    const byMeter = grouped.get(key) ?? new Map<string, MeterAggregate[]>();
    byMeter.set(aggregate.meterKey, [...(byMeter.get(aggregate.meterKey) ?? []), aggregate]);
    grouped.set(key, byMeter);
  }
  return grouped;
}
