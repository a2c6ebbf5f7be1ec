import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultSettings, StripeCustomerSeed } from './emulator-options.js';
import type { EmulatorStats, LoggedRequest } from './emulator-stats.js';
import { describeFaults, FaultSettingsError, parseFaultSettings } from './fault-settings.js';
import { sendJson } from './stripe-error.js';

// The emulator's own control surface, off Stripe's /v1 and /v2 trees and without a key (it listens on
// 127.0.0.1 for tests and local runs):
//   GET  /__emulator/faults     the fault and limit settings       PUT  /__emulator/faults   change some
//   GET  /__emulator/objects    customers, invoice items, invoices, meters and meter events (with errors)
//   GET  /__emulator/requests   the last 1,000 requests, parameters and idempotency keys included
//   GET  /__emulator/stats      requests by outcome                 POST /__emulator/reset     forget all
//   POST /__emulator/customers  {"id"?, "name"?, "email"?, "currency"?}: add a customer
//   GET  /__emulator/clock      the emulator's time                 POST /__emulator/clock  {"advanceMs": N}
//   POST /__emulator/meter-event-sessions/expire   every v2 session token expires now
//   POST /__emulator/invoiceitems/{id}/copy    a copy of the item made by hand (new id, same metadata)
//   POST /__emulator/invoiceitems/{id}/amount  {"amount": N}: the item's amount edited by hand (minor units)

export interface AdminApi {
  faults(): FaultSettings;
  setFaults(settings: Partial<FaultSettings>): void;
  objects(): Record<string, unknown>;
  requests(): LoggedRequest[];
  stats(): EmulatorStats;
  reset(): void;
  addCustomer(seed: Partial<StripeCustomerSeed>): Record<string, unknown>;
  advanceClock(ms: number): void;
  expireSessions(): number;
  now(): number;
  /** The copy, as the API answers it; undefined when there is no such item. */
  copyInvoiceItem(id: string): Record<string, unknown> | undefined;
  /** The edited item, as the API answers it; undefined when there is no such item. */
  setInvoiceItemAmount(id: string, amount: number): Record<string, unknown> | undefined;
}

const ADMIN_BODY_BYTES = 64 * 1024;
/** The largest amount an edit takes, either sign: the API's own limit on an item's amount. */
const MAX_EDIT_AMOUNT = 999_999_999_999;
const ITEM_PATH = /^\/__emulator\/invoiceitems\/(ii_[A-Za-z0-9]{1,60})\/(copy|amount)$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

class AdminError extends Error {}

async function readJson(request: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of request) {
    text += String(chunk);
    if (text.length > ADMIN_BODY_BYTES) throw new AdminError('the body is too large');
  }
  try {
    return text === '' ? {} : JSON.parse(text);
  } catch {
    throw new AdminError('the body is not JSON');
  }
}

function readCustomer(value: unknown): Partial<StripeCustomerSeed> {
  if (!isRecord(value)) throw new AdminError('a customer is {"id"?, "name"?, "email"?, "currency"?}');
  const seed: Partial<StripeCustomerSeed> = {};
  for (const [key, field] of Object.entries(value)) {
    if (!['id', 'name', 'email', 'currency'].includes(key)) throw new AdminError(`unknown customer field "${key}"`);
    if (typeof field !== 'string' || field === '' || field.length > 200)
      throw new AdminError(`customer ${key} must be text of 1 to 200 characters`);
    seed[key as keyof StripeCustomerSeed] = field;
  }
  if (seed.id !== undefined && !/^cus_[A-Za-z0-9]{1,60}$/.test(seed.id))
    throw new AdminError('a customer id is cus_ and letters or digits');
  if (seed.currency !== undefined && !/^[a-zA-Z]{3}$/.test(seed.currency))
    throw new AdminError('a currency is three letters');
  return seed;
}

function readAmountEdit(value: unknown): number {
  const usage = 'an amount edit is {"amount": <whole minor units, at most 999999999999 either sign>}';
  if (!isRecord(value) || Object.keys(value).some((key) => key !== 'amount')) throw new AdminError(usage);
  const { amount } = value;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || Math.abs(amount) > MAX_EDIT_AMOUNT)
    throw new AdminError(usage);
  return amount;
}

/** The by-hand edits of one invoice item; undefined when the path is none of them. */
async function handleItemEdit(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  api: AdminApi,
): Promise<boolean> {
  const match = ITEM_PATH.exec(path);
  if (match === null || request.method !== 'POST') return false;
  const [, id, edit] = match as unknown as [string, string, 'copy' | 'amount'];
  const item =
    edit === 'copy' ? api.copyInvoiceItem(id) : api.setInvoiceItemAmount(id, readAmountEdit(await readJson(request)));
  if (item === undefined) sendJson(response, 404, { error: `no invoice item ${id}` });
  else sendJson(response, 200, item);
  return true;
}

export async function handleAdmin(request: IncomingMessage, response: ServerResponse, path: string, api: AdminApi) {
  const method = request.method ?? 'GET';
  try {
    if (path === '/__emulator/faults' && method === 'GET')
      return sendJson(response, 200, describeFaults(api.faults(), api.now()));
    if (path === '/__emulator/faults' && method === 'PUT') {
      api.setFaults(parseFaultSettings(await readJson(request), api.now()));
      return sendJson(response, 200, describeFaults(api.faults(), api.now()));
    }
    if (path === '/__emulator/objects' && method === 'GET') return sendJson(response, 200, api.objects());
    if (path === '/__emulator/requests' && method === 'GET') return sendJson(response, 200, { items: api.requests() });
    if (path === '/__emulator/stats' && method === 'GET') return sendJson(response, 200, api.stats());
    if (path === '/__emulator/reset' && method === 'POST') {
      api.reset();
      return void response.writeHead(204).end();
    }
    if (path === '/__emulator/customers' && method === 'POST')
      return sendJson(response, 200, api.addCustomer(readCustomer(await readJson(request))));
    if (path === '/__emulator/clock' && method === 'GET')
      return sendJson(response, 200, { nowMs: api.now(), now: new Date(api.now()).toISOString() });
    if (path === '/__emulator/clock' && method === 'POST') {
      const body = await readJson(request);
      const advanceMs = isRecord(body) ? body.advanceMs : undefined;
      if (
        typeof advanceMs !== 'number' ||
        !Number.isInteger(advanceMs) ||
        advanceMs < 0 ||
        advanceMs > 400 * 86_400_000
      )
        throw new AdminError('the clock is moved by {"advanceMs": <a whole number of ms from 0 to 400 days>}');
      api.advanceClock(advanceMs);
      return sendJson(response, 200, { nowMs: api.now(), now: new Date(api.now()).toISOString() });
    }
    if (path === '/__emulator/meter-event-sessions/expire' && method === 'POST')
      return sendJson(response, 200, { expired: api.expireSessions() });
    if (await handleItemEdit(request, response, path, api)) return;
    sendJson(response, 404, { error: `no admin endpoint ${method} ${path}` });
  } catch (error) {
    if (error instanceof FaultSettingsError)
      return sendJson(response, 400, { error: error.message, problems: error.problems });
    if (error instanceof AdminError) return sendJson(response, 400, { error: error.message });
    sendJson(response, 500, { error: String(error) });
  }
}
