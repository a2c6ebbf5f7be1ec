import { Decimal } from 'decimal.js';
import { isDeepStrictEqual } from 'node:util';
import type { Queryable } from '../../platform/database/database.js';
import { deriveEvent, type DeriveOptions, type MeterableEvent } from './derive.js';
import type { MeteringIndex } from './metering-index.js';
import * as repository from './rederive-repository.js';
import { insertExceptions, insertUsage } from './repository.js';
import type { ExceptionDraft, UsageDraft } from './usage.js';

/** A change re-derivation would make to an invoiced record, which it never makes (late-usage policy decides). */
export interface InvoicedChange {
  eventSeq: string;
  meterKey: string;
  invoiceId: string;
  change: 'update' | 'remove';
  /** The value on the invoice and the value derivation now gives (null when removed or valueless). */
  invoicedValue: string | null;
  derivedValue: string | null;
}

export interface RederiveSummary {
  events: number;
  usage: { created: number; updated: number; removed: number; unchanged: number };
  exceptions: { opened: number; updated: number; resolved: number };
  /** At most MAX_LISTED_INVOICED_CHANGES are listed; `invoicedChanges` counts them all. */
  invoiced: InvoicedChange[];
  invoicedChanges: number;
}

const MAX_LISTED_INVOICED_CHANGES = 1000;

export function emptySummary(): RederiveSummary {
  return {
    events: 0,
    usage: { created: 0, updated: 0, removed: 0, unchanged: 0 },
    exceptions: { opened: 0, updated: 0, resolved: 0 },
    invoiced: [],
    invoicedChanges: 0,
  };
}

export function addSummaries(total: RederiveSummary, page: RederiveSummary): void {
  total.events += page.events;
  for (const key of ['created', 'updated', 'removed', 'unchanged'] as const) total.usage[key] += page.usage[key];
  for (const key of ['opened', 'updated', 'resolved'] as const) total.exceptions[key] += page.exceptions[key];
  total.invoicedChanges += page.invoicedChanges;
  total.invoiced.push(...page.invoiced.slice(0, MAX_LISTED_INVOICED_CHANGES - total.invoiced.length));
}

export interface RederiveOptions {
  /** Which (event, meter) pairs may change, given the customer before and after. */
  inScope(meterKey: string, customers: readonly (string | null | undefined)[], eventSeq: string): boolean;
  /** How exceptions this turns into usage are marked resolved: `replayed` or `reprocessed`. */
  resolution: string;
  actor: string;
  now: Date;
  derive: DeriveOptions;
}

function sameValue(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return new Decimal(a).eq(new Decimal(b));
}

function sameRecord(stored: repository.StoredUsage, derived: UsageDraft): boolean {
  return (
    stored.customerKey === derived.customerKey &&
    stored.subscriptionKey === derived.subscriptionKey &&
    stored.legalEntity === derived.legalEntity &&
    stored.currency === derived.currency &&
    sameValue(stored.value, derived.value) &&
    stored.distinctKey === derived.distinctKey &&
    stored.meterEffectiveFrom === (derived.meterEffectiveFrom && new Date(derived.meterEffectiveFrom).toISOString()) &&
    isDeepStrictEqual(stored.dimensions, derived.dimensions)
  );
}

const keyOf = (eventSeq: string, meterKey: string) => `${eventSeq}\n${meterKey}`;

/**
 * Derives `events` again under `index` and brings their stored usage and exceptions in line, within
 * `tx`: new records are inserted, changed ones rewritten, ones no meter (or no attribution) supports
 * any more removed; exceptions open, update or resolve to match. Invoiced records and ignored
 * exceptions are never touched — what would change on an invoice is reported instead. An unchanged
 * record is left exactly as it is, so deriving twice changes nothing the second time.
 */
export async function rederive(
  tx: Queryable,
  index: MeteringIndex,
  events: readonly MeterableEvent[],
  options: RederiveOptions,
): Promise<RederiveSummary> {
  const summary = emptySummary();
  summary.events = events.length;
  if (events.length === 0) return summary;
  const seqs = events.map((event) => event.seq);
  const storedUsage = new Map((await repository.loadUsageOf(tx, seqs)).map((r) => [keyOf(r.eventSeq, r.meterKey), r]));
  const storedExceptions = new Map(
    (await repository.loadExceptionsOf(tx, seqs)).map((e) => [keyOf(e.eventSeq, e.meterKey), e]),
  );
  const derivedUsage = new Map<string, UsageDraft>();
  const derivedExceptions = new Map<string, ExceptionDraft>();
  for (const event of events) {
    const derivation = deriveEvent(index, event, options.derive);
    for (const record of derivation.usage) derivedUsage.set(keyOf(record.eventSeq, record.meterKey), record);
    for (const exception of derivation.exceptions)
      derivedExceptions.set(keyOf(exception.eventSeq, exception.meterKey), exception);
  }

  const toInsert: UsageDraft[] = [];
  const toOpen: ExceptionDraft[] = [];
  const toResolve: string[] = [];
  const keys = [
    ...new Set([
      ...storedUsage.keys(),
      ...storedExceptions.keys(),
      ...derivedUsage.keys(),
      ...derivedExceptions.keys(),
    ]),
  ].sort();
  for (const key of keys) {
    const [eventSeq, meterKey] = key.split('\n') as [string, string];
    const stored = storedUsage.get(key);
    const exception = storedExceptions.get(key);
    const record = derivedUsage.get(key);
    const problem = derivedExceptions.get(key);
    const customers = [stored?.customerKey, exception?.customerKey, record?.customerKey, problem?.customerKey];
    // A person decided about an ignored exception; only they can take it back.
    if (!options.inScope(meterKey, customers, eventSeq) || exception?.status === 'ignored') continue;

    if (stored?.invoiceId) {
      if (!record || !sameRecord(stored, record)) {
        summary.invoicedChanges += 1;
        if (summary.invoiced.length < MAX_LISTED_INVOICED_CHANGES) {
          summary.invoiced.push({
            eventSeq,
            meterKey,
            invoiceId: stored.invoiceId,
            change: record ? 'update' : 'remove',
            invoicedValue: stored.value,
            derivedValue: record?.value ?? null,
          });
        }
      } else summary.usage.unchanged += 1;
      continue;
    }
    if (record) {
      if (!stored) {
        toInsert.push(record);
        summary.usage.created += 1;
      } else if (sameRecord(stored, record)) summary.usage.unchanged += 1;
      else {
        await repository.updateUsage(tx, record, options.now);
        summary.usage.updated += 1;
      }
      if (exception?.status === 'open') toResolve.push(exception.id);
      continue;
    }
    if (stored) {
      await repository.deleteUsage(tx, eventSeq, meterKey);
      summary.usage.removed += 1;
    }
    if (problem) {
      if (!exception) {
        toOpen.push(problem);
        summary.exceptions.opened += 1;
      } else if (
        exception.status !== 'open' ||
        exception.reason !== problem.reason ||
        exception.detail !== problem.detail
      ) {
        await repository.reopenException(tx, exception.id, problem, options.now);
        summary.exceptions[exception.status === 'open' ? 'updated' : 'opened'] += 1;
      }
    } else if (exception?.status === 'open') {
      // No meter reads the event any more: nothing is left to fix.
      summary.exceptions.resolved += (
        await repository.closeExceptions(tx, [exception.id], 'resolved', 'not_metered', options.actor, options.now)
      ).length;
    }
  }
  await insertUsage(tx, toInsert, options.now);
  await insertExceptions(tx, toOpen, options.now);
  summary.exceptions.resolved += (
    await repository.closeExceptions(tx, toResolve, 'resolved', options.resolution, options.actor, options.now)
  ).length;
  return summary;
}
