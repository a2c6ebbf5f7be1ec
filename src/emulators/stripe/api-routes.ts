import { createInvoice, listInvoiceLines, listInvoices, retrieveCustomer, retrieveInvoice } from './invoice-routes.js';
import { createInvoiceItem, deleteInvoiceItem, listInvoiceItems, retrieveInvoiceItem } from './invoice-item-routes.js';
import { createMeterEvent, listEventSummaries, listMeters, retrieveMeter } from './meter-event-routes.js';
import { createSession, streamEvents } from './meter-event-stream.js';
import type { ApiCall, Reply, RouteContext } from './route-context.js';

// Every operation the emulator serves, by method and path pattern (`*` is one id). The operation names
// are the OpenAPI description's `operationId`s where it has them, so a contract test can find the
// schema each answer must match. `write` marks what the write faults (lock timeout, stored error,
// commit-then-drop) apply to.

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: string;
  operation: string;
  write: boolean;
  /** v2: a JSON body, the v2 error shape; `stream` is authenticated by a session token. */
  v2?: 'session' | 'stream';
  handle(call: ApiCall, context: RouteContext): Reply;
}

export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    pattern: 'v1/customers/*',
    operation: 'GetCustomersCustomer',
    write: false,
    handle: retrieveCustomer,
  },
  { method: 'POST', pattern: 'v1/invoiceitems', operation: 'PostInvoiceitems', write: true, handle: createInvoiceItem },
  { method: 'GET', pattern: 'v1/invoiceitems', operation: 'GetInvoiceitems', write: false, handle: listInvoiceItems },
  {
    method: 'GET',
    pattern: 'v1/invoiceitems/*',
    operation: 'GetInvoiceitemsInvoiceitem',
    write: false,
    handle: retrieveInvoiceItem,
  },
  {
    method: 'DELETE',
    pattern: 'v1/invoiceitems/*',
    operation: 'DeleteInvoiceitemsInvoiceitem',
    write: true,
    handle: deleteInvoiceItem,
  },
  { method: 'POST', pattern: 'v1/invoices', operation: 'PostInvoices', write: true, handle: createInvoice },
  { method: 'GET', pattern: 'v1/invoices', operation: 'GetInvoices', write: false, handle: listInvoices },
  { method: 'GET', pattern: 'v1/invoices/*', operation: 'GetInvoicesInvoice', write: false, handle: retrieveInvoice },
  {
    method: 'GET',
    pattern: 'v1/invoices/*/lines',
    operation: 'GetInvoicesInvoiceLines',
    write: false,
    handle: listInvoiceLines,
  },
  {
    method: 'POST',
    pattern: 'v1/billing/meter_events',
    operation: 'PostBillingMeterEvents',
    write: true,
    handle: createMeterEvent,
  },
  { method: 'GET', pattern: 'v1/billing/meters', operation: 'GetBillingMeters', write: false, handle: listMeters },
  {
    method: 'GET',
    pattern: 'v1/billing/meters/*',
    operation: 'GetBillingMetersId',
    write: false,
    handle: retrieveMeter,
  },
  {
    method: 'GET',
    pattern: 'v1/billing/meters/*/event_summaries',
    operation: 'GetBillingMetersIdEventSummaries',
    write: false,
    handle: listEventSummaries,
  },
  {
    method: 'POST',
    pattern: 'v2/billing/meter_event_session',
    operation: 'PostV2BillingMeterEventSession',
    write: true,
    v2: 'session',
    handle: createSession,
  },
  {
    method: 'POST',
    pattern: 'v2/billing/meter_event_stream',
    operation: 'PostV2BillingMeterEventStream',
    write: true,
    v2: 'stream',
    handle: streamEvents,
  },
];

/** The route of `method` and the path's segments (after the leading `/`); `ids` are the segments after the version. */
export function findRoute(method: string, segments: string[]): { route: Route; ids: string[] } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const parts = route.pattern.split('/');
    if (parts.length !== segments.length) continue;
    if (parts.every((part, index) => (part === '*' ? segments[index] !== '' : part === segments[index])))
      return { route, ids: segments.slice(1) };
  }
  return undefined;
}
