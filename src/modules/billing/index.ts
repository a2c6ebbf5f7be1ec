export { createBilling, type Billing, type BillingDependencies } from './billing.js';
export type { BillingRunSummary } from './billing-run.js';
export {
  CREDIT_STATUSES,
  finalizedCreditUse,
  type CreditBalance,
  type CreditEntry,
  type CreditFilter,
  type CreditStatus,
} from './credit-balances.js';
export { parseCreditQuery, type CreditParams } from './credit-filter.js';
export { INVOICE_FINALIZED_TOPIC, type FinalizeDueResult } from './finalize.js';
export type { Invoice, InvoiceFilter, InvoiceLine, LineEvent } from './invoice-queries.js';
export { calendarMonth, periodsStartingIn, type Period } from './periods.js';
export type { InvoiceStatus } from './repository.js';
export {
  INVOICE_STATUSES,
  parseInvoiceQuery,
  parseLineEventQuery,
  type InvoiceParams,
  type LineEventParams,
} from './invoice-filter.js';
