import { createHash, randomUUID } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import type { Clock } from '../../platform/clock.js';
import type { Database, Queryable } from '../../platform/database/database.js';
import { ConflictError, PreconditionFailedError, ValidationError } from '../../platform/errors.js';
import { recordAudit } from '../audit/index.js';
import type { Catalog, CatalogService } from '../catalog/index.js';
import { Exact } from '../rating/index.js';
import { catalogLookup, type CatalogLookup } from './catalog-lookup.js';
import { completeDraft, draftInvoice, type InvoiceDraft } from './invoice-draft.js';
import { lateAdjustments } from './late-usage.js';
import { postedInvoices, voidForReissue } from './reissue.js';
import { planLateUsage } from './late-usage-policy.js';
import { calendarMonth, periodsStartingIn, type Period } from './periods.js';
import * as repository from './repository.js';
import { aggregateUsage, eventValues, type MeterAggregate, type UsageWindow } from './usage-aggregates.js';

const canonicalJson = configure({ deterministic: true }) as (value: unknown) => string;

export interface BillingRunSummary {
  id: string;
  period: string;
  catalogVersion: number;
  invoices: { created: number; updated: number; unchanged: number; finalized: number };
  /** Memos drafted for late usage under the `memo` policy (one per corrected invoice). */
  memos: { created: number; updated: number; unchanged: number };
  /** Subscription periods that start in the month but have not ended yet: billed by a later run. */
  pending: { subscription: string; periodEnd: string }[];
  /** Amounts of the invoices created or updated, per currency (exact decimal strings). */
  totals: Record<string, string>;
  /** Finalized invoices voided and drafted again with their late usage (`reissue` policy). */
  reissued: { voided: string; replacement: string }[];
}

export interface BillingRunDependencies {
  db: Database;
  catalog: CatalogService;
  clock: Clock;
  /** How long a draft waits before it finalizes on its own. */
  graceMs: number;
}

interface Planned {
  subscriptionKey: string;
  period: Period;
  covered: Period;
  first: boolean;
  next: { period: Period; covered: Period } | undefined;
}

function plan(catalog: Catalog, month: Period, now: Date): { billable: Planned[]; pending: BillingRunSummary['pending'] } {
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
      billable.push({ subscriptionKey: subscription.key, period, covered, first: covered.start.getTime() === start.getTime(), next });
    }
  }
  return { billable, pending };
}

async function percentageValues(db: Queryable, lookup: CatalogLookup, planned: Pick<Planned, 'subscriptionKey' | 'covered'>): Promise<Map<string, string[]>> {
  const charges = lookup.plan(lookup.subscription(planned.subscriptionKey)?.plan)?.charges ?? [];
  const values = new Map<string, string[]>();
  const window: UsageWindow = { subscriptionKey: planned.subscriptionKey, start: planned.covered.start, end: planned.covered.end };
  for (const charge of charges) {
    if (charge.model === 'percentage' && charge.meter && !values.has(charge.meter)) values.set(charge.meter, await eventValues(db, window, charge.meter));
  }
  return values;
}

/**
 * Closes a calendar month: drafts (or redrafts) the invoice of every subscription period whose covered
 * part starts in it and has ended, in one transaction under the month's lock — a second run at the same
 * time is refused, and a failure writes nothing. Running it again changes nothing, or only the drafts
 * whose usage changed; finalized invoices are never touched.
 */
export async function runBilling(deps: BillingRunDependencies, periodText: unknown, actor: string): Promise<BillingRunSummary> {
  const month = typeof periodText === 'string' ? calendarMonth(periodText) : undefined;
  if (!month) throw new ValidationError('invalid billing run', [{ path: '/period', message: 'must be a calendar month such as "2026-10"' }]);
  const period = periodText as string;
  const startedAt = deps.clock.now();
  if (month.end > startedAt) {
    throw new ValidationError('invalid billing run', [{ path: '/period', message: `${period} has not ended yet (it ends ${month.end.toISOString()}); bill it after that` }]);
  }
  const current = await deps.catalog.current();
  if (!current) throw new PreconditionFailedError('no catalog has been applied yet: there is nothing to bill');
  const { catalog, version } = current;

  return deps.db.transaction(async (tx) => {
    if (!(await repository.tryLockPeriod(tx, period))) throw new ConflictError(`a billing run for ${period} is already running; wait for it to finish`);
    const { billable, pending } = plan(catalog, month, startedAt);
    const windows = billable.map((planned) => ({ subscriptionKey: planned.subscriptionKey, start: planned.covered.start, end: planned.covered.end }));
    const aggregates = new Map<string, Map<string, MeterAggregate[]>>();
    for (const aggregate of await aggregateUsage(tx, windows)) {
      const key = `${aggregate.subscriptionKey}\n${aggregate.periodStart}`;
      const byMeter = aggregates.get(key) ?? new Map<string, MeterAggregate[]>();
      byMeter.set(aggregate.meterKey, [...(byMeter.get(aggregate.meterKey) ?? []), aggregate]);
      aggregates.set(key, byMeter);
    }
    const id = `run_${randomUUID()}`;
    const summary: BillingRunSummary = {
      id,
      period,
      catalogVersion: version,
      invoices: { created: 0, updated: 0, unchanged: 0, finalized: 0 },
      memos: { created: 0, updated: 0, unchanged: 0 },
      pending,
      totals: {},
      reissued: [],
    };
    await repository.insertRun(tx, { id, period, startedAt, finishedAt: startedAt, actor, summary: {} });
    const finalizeAfter = new Date(startedAt.getTime() + deps.graceMs);
    const lookup = catalogLookup(catalog);
    const billedKeys = new Set(billable.map((planned) => planned.subscriptionKey));
    const billed = catalog.subscriptions.filter((subscription) => billedKeys.has(subscription.key));
    const late = planLateUsage(billed, await lateAdjustments(tx, lookup, billed));
    // An invoice an ERP already holds is never voided: its correction becomes a memo.
    const posted = await postedInvoices(tx, late.reissues.map((reissue) => reissue.invoiceId));
    late.memos.push(...late.reissues.filter((reissue) => posted.has(reissue.invoiceId)));
    const reissues = late.reissues.filter((reissue) => !posted.has(reissue.invoiceId));
    const adjustments = late.rollForward;
    const drafts: { draft: InvoiceDraft; correctsInvoiceId?: string; replacesInvoiceId?: string }[] = [];
    for (const reissue of reissues) {
      await voidForReissue(tx, reissue.invoiceId, startedAt);
      const customer = lookup.customer(reissue.subscription.customer);
      if (!customer) continue;
      const window = { subscriptionKey: reissue.subscription.key, start: reissue.covered.start, end: reissue.covered.end };
      const byMeter = new Map<string, MeterAggregate[]>();
      for (const aggregate of await aggregateUsage(tx, [window])) byMeter.set(aggregate.meterKey, [...(byMeter.get(aggregate.meterKey) ?? []), aggregate]);
      const draft = draftInvoice({
        catalog,
        catalogVersion: version,
        subscription: reissue.subscription,
        customer,
        period: reissue.period,
        covered: reissue.covered,
        next: periodsStartingIn(reissue.subscription, reissue.period.end, new Date(reissue.period.end.getTime() + 1))[0],
        first: reissue.covered.start.getTime() === new Date(reissue.subscription.start).getTime(),
        aggregates: byMeter,
        eventValues: await percentageValues(tx, lookup, { subscriptionKey: reissue.subscription.key, covered: reissue.covered }),
        adjustments: [],
      });
      drafts.push({ draft, replacesInvoiceId: reissue.invoiceId });
    }
    for (const planned of billable) {
      const subscription = lookup.subscription(planned.subscriptionKey);
      const customer = lookup.customer(subscription?.customer);
      if (!subscription || !customer) continue;
      const draft = draftInvoice({
        catalog,
        catalogVersion: version,
        subscription,
        customer,
        period: planned.period,
        covered: planned.covered,
        next: planned.next,
        first: planned.first,
        aggregates: aggregates.get(`${planned.subscriptionKey}\n${planned.covered.start.toISOString()}`) ?? new Map(),
        eventValues: await percentageValues(tx, lookup, planned),
        // Late usage goes on the subscription's first invoice of the run.
        adjustments: adjustments.get(planned.subscriptionKey) ?? [],
      });
      adjustments.delete(planned.subscriptionKey);
      drafts.push({ draft });
    }
    for (const memo of late.memos) {
      const customer = lookup.customer(memo.subscription.customer);
      if (!customer) continue;
      const header = { catalog, catalogVersion: version, subscription: memo.subscription, customer, period: memo.period, covered: memo.covered };
      drafts.push({ draft: completeDraft(header, memo.lines), correctsInvoiceId: memo.invoiceId });
    }
    for (const { draft, correctsInvoiceId, replacesInvoiceId } of drafts) {
      const { catalogVersion: _version, ...content } = draft;
      const contentHash = createHash('sha256').update(canonicalJson(content)).digest('hex');
      const existing = correctsInvoiceId
        ? await repository.findDraftMemo(tx, correctsInvoiceId)
        : await repository.findInvoiceFor(tx, draft.subscriptionKey, draft.periodStart);
      const prefix = correctsInvoiceId ? 'memo' : 'inv';
      const write = { id: existing?.id ?? `${prefix}_${randomUUID()}`, draft, contentHash, runId: id, now: startedAt, finalizeAfter, correctsInvoiceId, replacesInvoiceId };
      const counts = correctsInvoiceId ? summary.memos : summary.invoices;
      if (!existing) {
        await repository.insertInvoice(tx, write);
        counts.created += 1;
        if (replacesInvoiceId) summary.reissued.push({ voided: replacesInvoiceId, replacement: write.id });
      } else if (existing.status !== 'draft') {
        summary.invoices.finalized += 1;
        continue;
      } else if (existing.contentHash === contentHash) {
        counts.unchanged += 1;
        continue;
      } else {
        await repository.replaceDraft(tx, write);
        counts.updated += 1;
      }
      summary.totals[draft.currency] = new Exact(summary.totals[draft.currency] ?? '0').plus(draft.total).toFixed();
    }
    await repository.completeRun(tx, id, deps.clock.now(), { ...summary });
    await recordAudit(tx, startedAt, [{ actor, action: 'billing.run', target: `period:${period}`, detail: { id, invoices: summary.invoices, totals: summary.totals } }]);
    return summary;
  });
}
