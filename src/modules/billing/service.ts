import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { NotFoundError } from '../../platform/errors.js';
import { cachedCatalogVersions, type CatalogService } from '../catalog/index.js';
import { runBilling } from './invoicing/billing-run.js';
import { findCredit, listCreditBalances } from './credits/credit-balances.js';
import { finalizeCurrent, finalizeDue } from './invoicing/finalize.js';
import { findInvoice, listInvoices } from './invoicing/invoice-queries.js';
import { findLineEvents } from './invoicing/line-lineage.js';
import type {
  DocumentListener,
  Invoice,
  InvoiceFilter,
  LineEvent,
  BillingRunSummary,
  FinalizeDueResult,
  CreditBalance,
  CreditEntry,
  CreditFilter,
} from './billing.js';

export interface Billing {
  /** Closes a calendar month ("2026-10"): drafts its invoices; see runBilling. */
  run(period: unknown, actor: string): Promise<BillingRunSummary>;
  finalize(id: string, actor: string): Promise<Invoice>;
  /** Finalizes the drafts whose grace period has passed; says which it skipped and why. */
  finalizeDue(actor: string): Promise<FinalizeDueResult>;
  list(filter: InvoiceFilter, limit: number): Promise<Invoice[]>;
  get(id: string): Promise<Invoice>;
  /** The raw events behind a usage line, page by page (after a seq). */
  lineEvents(id: string, lineNo: number, afterSeq: string, limit: number): Promise<LineEvent[]>;
  /** Balances of the current catalog's prepaid credits. */
  credits(filter: CreditFilter, limit: number): Promise<CreditBalance[]>;
  /** One credit's balance with every document that used it. */
  credit(subscription: string, key: string): Promise<CreditBalance & { entries: CreditEntry[] }>;
}

export interface BillingDependencies {
  db: Database;
  catalog: CatalogService;
  clock: Clock;
  graceHours: number;
  /** Told of each finalized document in its transaction (the posting layer). */
  listener?: DocumentListener;
}

export function createBilling({ db, catalog, clock, graceHours, listener }: BillingDependencies): Billing {
  const get = async (id: string) => {
    const invoice = await findInvoice(db, id);
    if (!invoice) throw new NotFoundError(`there is no invoice ${id}`);
    return invoice;
  };
  const run = (period: unknown, actor: string) =>
    runBilling({ db, catalog, clock, graceMs: graceHours * 3_600_000, listener }, period, actor);
  const finalizing = { db, clock, catalog, draftedCatalog: cachedCatalogVersions(catalog), redraw: run, listener };
  return {
    run,
    finalize: (id, actor) => finalizeCurrent(finalizing, id, actor),
    finalizeDue: (actor) => finalizeDue(finalizing, actor),
    list: (filter, limit) => listInvoices(db, filter, limit),
    get,
    async credits(filter, limit) {
      const current = await catalog.current();
      return current ? listCreditBalances(db, current.catalog, filter, clock.now(), limit) : [];
    },
    async credit(subscription, key) {
      const current = await catalog.current();
      const found = current && (await findCredit(db, current.catalog, subscription, key, clock.now()));
      if (!found) throw new NotFoundError(`subscription ${subscription} has no credit ${key} in the current catalog`);
      return found;
    },
    async lineEvents(id, lineNo, afterSeq, limit) {
      const events = await findLineEvents(db, id, lineNo, afterSeq, limit);
      if (!events) {
        await get(id);
        throw new NotFoundError(`invoice ${id} has no line ${lineNo}`);
      }
      return events;
    },
  };
}
