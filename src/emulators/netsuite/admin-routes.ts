import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultSettings } from './emulator-options.js';
import type { EmulatorStats } from './emulator-stats.js';
import { describeFaults, FaultSettingsError, parseFaultSettings } from './fault-settings.js';
import { invalidContent, NetSuiteError, sendJson } from './netsuite-error.js';
import { readJsonBody } from './read-json-body.js';

// The emulator's own control surface, off NetSuite's /services/rest tree and without NetSuite's
// authentication (it listens on 127.0.0.1 for tests and local runs):
//   GET  /__emulator/faults    the fault and limit settings     PUT  /__emulator/faults   change some of them
//   GET  /__emulator/records   every record held                GET  /__emulator/stats    requests by outcome
//   POST /__emulator/reset     forget records and counts, restore the start settings
//   POST /__emulator/tokens/revoke   forget every bearer token issued (clients then get 401)
//   POST /__emulator/payments  {"invoice": "<internal id>", "amount": 10.5}: pay an invoice, in part or whole
//   POST /__emulator/records/copy  {"externalId": "..."}: a second record under it, made by hand
//   POST /__emulator/records/move  {"externalId": "..."}: its first line booked elsewhere by hand

export interface AdminApi {
  faults(): FaultSettings;
  setFaults(settings: Partial<FaultSettings>): void;
  records(): unknown[];
  stats(): EmulatorStats;
  reset(): void;
  revokeTokens(): number;
  pay(invoiceId: string, amount: string): void;
  copyByHand(externalId: string): string;
  moveByHand(externalId: string): void;
  now(): number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** `{"invoice": "101", "amount": 10.5}` (the amount a number or decimal text); a bad body is a 400. */
function readPayment(value: unknown): { invoice: string; amount: string } {
  const invoice = isRecord(value) ? value.invoice : undefined;
  const amount = isRecord(value) ? value.amount : undefined;
  const text = typeof amount === 'number' ? String(amount) : amount;
  if (
    typeof invoice !== 'string' ||
    !/^\d{1,18}$/.test(invoice) ||
    typeof text !== 'string' ||
    !/^\d{1,12}(\.\d{1,2})?$/.test(text)
  )
    throw invalidContent('A payment is {"invoice": "<internal id>", "amount": <above zero, to the cent>}.');
  return { invoice, amount: text };
}

/** `{"externalId": "..."}` and nothing else; the id itself is checked where it is used. */
function readExternalId(value: unknown): string {
  if (!isRecord(value) || typeof value.externalId !== 'string')
    throw invalidContent('The body must be {"externalId": "<external id>"}.', 'externalId');
  for (const key of Object.keys(value))
    if (key !== 'externalId') throw invalidContent(`Invalid field name ${key}.`, key);
  return value.externalId;
}

const ADMIN_BODY_BYTES = 64 * 1024;

export async function handleAdmin(request: IncomingMessage, response: ServerResponse, path: string, api: AdminApi) {
  const method = request.method ?? 'GET';
  try {
    if (path === '/__emulator/faults' && method === 'GET')
      return sendJson(response, 200, describeFaults(api.faults(), api.now()));
    if (path === '/__emulator/faults' && method === 'PUT') {
      api.setFaults(parseFaultSettings(await readJsonBody(request, ADMIN_BODY_BYTES), api.now()));
      return sendJson(response, 200, describeFaults(api.faults(), api.now()));
    }
    if (path === '/__emulator/records' && method === 'GET') return sendJson(response, 200, { items: api.records() });
    if (path === '/__emulator/stats' && method === 'GET') return sendJson(response, 200, api.stats());
    if (path === '/__emulator/reset' && method === 'POST') {
      api.reset();
      response.writeHead(204).end();
      return;
    }
    if (path === '/__emulator/tokens/revoke' && method === 'POST')
      return sendJson(response, 200, { revoked: api.revokeTokens() });
    if (path === '/__emulator/payments' && method === 'POST') {
      const { invoice, amount } = readPayment(await readJsonBody(request, ADMIN_BODY_BYTES));
      api.pay(invoice, amount);
      response.writeHead(204).end();
      return;
    }
    if (path === '/__emulator/records/copy' && method === 'POST') {
      const id = api.copyByHand(readExternalId(await readJsonBody(request, ADMIN_BODY_BYTES)));
      return sendJson(response, 201, { id });
    }
    if (path === '/__emulator/records/move' && method === 'POST') {
      api.moveByHand(readExternalId(await readJsonBody(request, ADMIN_BODY_BYTES)));
      response.writeHead(204).end();
      return;
    }
    sendJson(response, 404, { error: `no admin endpoint ${method} ${path}` });
  } catch (error) {
    if (error instanceof FaultSettingsError)
      return sendJson(response, 400, { error: error.message, problems: error.problems });
    if (error instanceof NetSuiteError) return sendJson(response, error.status, error.body());
    sendJson(response, 500, { error: String(error) });
  }
}
