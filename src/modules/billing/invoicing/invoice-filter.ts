import { ValidationError, type FieldError } from '../../../platform/errors.js';
import { checkFilterTexts, filterTimes, oneOf, pageSize, queryPath } from '../../../platform/paging.js';
import type { InvoiceStatus, InvoiceFilter } from '../billing.js';

// Invoice list filters and line-event paging as callers give them (HTTP query strings, CLI options):
// every bad value reported together, each at its caller's own path.

export const INVOICE_STATUSES: readonly InvoiceStatus[] = ['draft', 'finalized', 'void'];
/** Event seqs and line numbers are bigints / integers in the store: digits, no sign, within a bigint. */
const SEQ = /^\d{1,18}$/;
const LINE_NO = /^[1-9]\d{0,8}$/;

/** The list parameters every caller (HTTP query, CLI options) shares, as strings, named as in the query. */
export type InvoiceParams = Partial<
  Record<'customer' | 'status' | 'legal_entity' | 'from' | 'to' | 'after' | 'limit', string>
>;
export type LineEventParams = Partial<Record<'after' | 'limit', string>>;

/**
 * Reads an invoice list filter, reporting every bad parameter at `pathOf(name)`: status is a closed
 * list, from/to are RFC 3339 (period start in [from, to)), after is an invoice id (paging).
 */
export function parseInvoiceQuery(
  params: InvoiceParams,
  pathOf: (name: string) => string = queryPath,
): { filter: InvoiceFilter; limit: number } {
  const errors: FieldError[] = [];
  const filter: InvoiceFilter = {};
  const { customer, status, legal_entity: legalEntity, from, to, after, limit } = params;
  checkFilterTexts(
    [
      ['customer', customer],
      ['legal_entity', legalEntity],
      ['after', after],
    ],
    pathOf,
    errors,
  );
  filter.customer = customer;
  filter.legalEntity = legalEntity;
  filter.afterId = after;
  if (status !== undefined) filter.status = oneOf(status, INVOICE_STATUSES, pathOf('status'), errors);
  Object.assign(filter, filterTimes({ from, to }, pathOf, errors));
  const size = pageSize(limit, pathOf('limit'), errors);
  if (errors.length > 0) throw new ValidationError('invalid invoice filter', errors);
  return { filter, limit: size };
}

/**
 * Which events of which line: a 1-based line number (reported at `linePath`), paged after an event seq
 * (default: from the start). Every bad value is reported together.
 */
export function parseLineEventQuery(
  line: string,
  params: LineEventParams,
  linePath: string,
  pathOf: (name: string) => string = queryPath,
): { lineNo: number; after: string; limit: number } {
  const errors: FieldError[] = [];
  if (!LINE_NO.test(line)) errors.push({ path: linePath, message: 'must be a line number (a positive integer)' });
  if (params.after !== undefined && !SEQ.test(params.after))
    errors.push({ path: pathOf('after'), message: 'must be an event seq (digits: the `next` of the previous page)' });
  const size = pageSize(params.limit, pathOf('limit'), errors);
  if (errors.length > 0) throw new ValidationError('invalid line event query', errors);
  return { lineNo: Number(line), after: params.after ?? '0', limit: size };
}
