import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../../http-dependencies.js';
import { registerGetCredit } from './get-credit.js';
import { registerGetInvoice } from './get-invoice.js';
import { registerListCredits } from './list-credits.js';
import { registerListInvoices } from './list-invoices.js';
import { registerListLineEvents } from './list-line-events.js';
import { registerPostBillingRun } from './post-billing-run.js';
import { registerPostInvoiceFinalize } from './post-invoice-finalize.js';
import { registerPostInvoicesFinalizeDue } from './post-invoices-finalize-due.js';

/** Billing runs and invoices: drafting a month, reading, tracing lines to events, finalizing; prepaid credit balances. */
export function registerBillingRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  registerPostBillingRun(app, deps);
  registerListInvoices(app, deps);
  registerGetInvoice(app, deps);
  registerListLineEvents(app, deps);
  registerPostInvoiceFinalize(app, deps);
  registerPostInvoicesFinalizeDue(app, deps);
  registerListCredits(app, deps);
  registerGetCredit(app, deps);
}
