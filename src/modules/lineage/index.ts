// The lineage module's one public door.
export { createLineage, type LineageService, type LineageDependencies } from './service.js';
export { parseLineageQuery, LINEAGE_PARAMETERS, DEFAULT_EVENT_PAGE, type LineageParams } from './lineage-query.js';
export { MAX_INVOICES_PER_POSTING } from './document-lineage.js';
export {
  LineageNotFoundError,
  type Lineage,
  type LineageRequest,
  type EventLineage,
  type LineLineage,
  type DocumentLineage,
  type DocumentPosting,
  type CarriedInvoice,
  type CarriedLine,
  type UsageNode,
  type BillingLine,
  type EventNode,
  type EventPage,
  type InvoiceSummary,
  type LineSummary,
  type PostingLine,
  type PostingSummary,
} from './lineage.js';
