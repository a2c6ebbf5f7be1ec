// The billing module's one public door.
export { createBilling, type Billing, type BillingDependencies } from './service.js';
export { invoicingAttainment, type InvoicingAttainment } from './invoicing/completeness-queries.js';
export {
  CREDIT_STATUSES,
  INVOICE_FINALIZED_TOPIC,
  INVOICE_VOIDED_TOPIC,
  type BillingRunSummary,
  type CreditBalance,
  type CreditEntry,
  type CreditFilter,
  type CreditStatus,
  type FinalizeDueResult,
  type Invoice,
  type DocumentListener,
  type InvoiceFilter,
  type InvoiceLine,
  type InvoiceStatus,
  type LineEvent,
  type Period,
} from './billing.js';
export { finalizedCreditUse } from './credits/credit-repository.js';
export { parseCreditQuery, type CreditParams } from './credits/credit-filter.js';
export { calendarMonth, periodContaining, periodsStartingIn } from './invoicing/periods.js';
export {
  INVOICE_STATUSES,
  parseInvoiceQuery,
  parseLineEventQuery,
  type InvoiceParams,
  type LineEventParams,
} from './invoicing/invoice-filter.js';
export { markInvoicesPosted } from './invoicing/invoice-repository.js';
export { findLineEvents } from './invoicing/line-lineage.js';
export {
  meteredLinesOf,
  tallyInvoiced,
  type InvoicedTally,
  type InvoiceTallyScope,
} from './invoicing/invoice-tally.js';
export { findLinesBillingUsage, type BilledUsage, type LineKey } from './invoicing/usage-lines.js';
