import type { Queryable } from '../../../platform/database/database.js';
import { type FieldError } from '../../../platform/errors.js';
import type { Catalog } from '../../catalog/index.js';
import { aggregateInvoiced, markUsageBilled, quantityOf, type MeterWindow } from '../../metering/index.js';
import { Exact } from '../../../platform/money.js';
import { StaleUsageError } from '../billing.js';
import { findMeteredLines } from './finalize-repository.js';

/** The document being finalized, as far as marking its usage goes. */
export interface MarkedDocument {
  id: string;
  subscriptionKey: string;
  /** The subscription's customer: every record of the subscription has it, and usage is indexed by it. */
  customerKey: string;
  document: 'invoice' | 'memo';
  coveredStart: Date;
  coveredEnd: Date;
  runPeriod: string;
}

interface BilledWindow extends MeterWindow {
  /**
   * What every finalized document, this one included, bills of the window once this one is final: one
   * expectation per line (each charge of the meter has its own), or one of 0 for a charge without a line.
   */
  checks: { expected: Exact; line?: number }[];
}

const windowKey = (window: MeterWindow) =>
  `${window.meterKey}\n${window.start.toISOString()}\n${window.end.toISOString()}`;

/**
 * The meter windows a document bills and what each must come to: the line's quantity plus what other
 * finalized documents bill of its charge in the window (nothing, for a period's own invoice; the period's
 * invoice and earlier corrections, for an adjustment). Usage a document bills that another already bills
 * — a memo of an invoice voided and issued again since, say — then fails the check instead of billing
 * twice. An invoice also answers for every metered charge of its plan in its covered part, even one
 * without a line (its quantity was 0 when drafted).
 */
async function billedWindows(tx: Queryable, catalog: Catalog, document: MarkedDocument): Promise<BilledWindow[]> {
  const windows = new Map<string, BilledWindow>();
  for (const line of await findMeteredLines(tx, document.id, document.subscriptionKey)) {
    const window = { meterKey: line.meterKey, start: line.start, end: line.end };
    const known = windows.get(windowKey(window)) ?? { ...window, checks: [] };
    known.checks.push({ expected: new Exact(line.quantity).plus(line.billedBefore), line: line.lineNo });
    windows.set(windowKey(window), known);
  }
  if (document.document === 'invoice') {
    const subscription = catalog.subscriptions.find((candidate) => candidate.key === document.subscriptionKey);
    const plan = catalog.plans.find((candidate) => candidate.key === subscription?.plan);
    for (const charge of plan?.charges ?? []) {
      if (charge.meter === undefined) continue;
      const window = { meterKey: charge.meter, start: document.coveredStart, end: document.coveredEnd };
      if (!windows.has(windowKey(window)))
        windows.set(windowKey(window), { ...window, checks: [{ expected: new Exact(0) }] });
    }
  }
  return [...windows.values()];
}

/**
 * Marks the usage records a finalizing document bills as billed by it — every record not yet on an
 * invoice in each window it bills — and proves that they come to exactly what its lines say. Usage metered
 * after the draft (events of the period that arrived during the grace period, say) would otherwise be
 * marked billed while no line bills it: lost revenue. Then StaleUsageError, and the caller's transaction
 * rolls back; the draft must be drawn again. A record metered after the marking statement stays unmarked,
 * and the next run bills it as late usage, so nothing committed meanwhile is lost either.
 */
export async function markBilledUsage(tx: Queryable, catalog: Catalog, document: MarkedDocument): Promise<void> {
  const windows = await billedWindows(tx, catalog, document);
  if (windows.length === 0) return;
  await markUsageBilled(tx, document, windows);
  const invoiced = await aggregateInvoiced(tx, document, windows);
  const problems: FieldError[] = [];
  windows.forEach((window, index) => {
    // The draft's own catalog version defines every meter its lines name.
    const meter = catalog.meters.find((candidate) => candidate.key === window.meterKey);
    if (!meter) return;
    const actual = new Exact(quantityOf(invoiced[index], meter.aggregation));
    const span = `${window.start.toISOString()} to ${window.end.toISOString()}`;
    for (const { expected, line } of window.checks) {
      if (actual.equals(expected)) continue;
      problems.push({
        path: line === undefined ? `meter ${meter.key}` : `line ${line}`,
        message: `drafted for ${expected.toFixed()} ${meter.unit} of ${meter.key} in ${span}, but the usage it bills now comes to ${actual.toFixed()} ${meter.unit}`,
      });
    }
  });
  if (problems.length > 0) throw new StaleUsageError(document.id, document.runPeriod, problems);
}
