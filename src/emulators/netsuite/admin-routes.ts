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

export interface AdminApi {
  faults(): FaultSettings;
  setFaults(settings: Partial<FaultSettings>): void;
  records(): unknown[];
  stats(): EmulatorStats;
  reset(): void;
  revokeTokens(): number;
  pay(invoiceId: string, amount: string): void;
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
    sendJson(response, 404, { error: `no admin endpoint ${method} ${path}` });
  } catch (error) {
    if (error instanceof FaultSettingsError)
      return sendJson(response, 400, { error: error.message, problems: error.problems });
    if (error instanceof NetSuiteError) return sendJson(response, error.status, error.body());
    sendJson(response, 500, { error: String(error) });
  }
}
