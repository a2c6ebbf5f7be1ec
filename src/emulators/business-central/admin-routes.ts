import type { IncomingMessage, ServerResponse } from 'node:http';
import { Decimal } from 'decimal.js';
import { BcError, sendBcError, sendJson } from './bc-error.js';
import { readDocumentNumber } from './by-hand.js';
import type { FaultSettings } from './emulator-options.js';
import type { EmulatorStats } from './emulator-stats.js';
import { describeFaults, FaultSettingsError, parseFaultSettings } from './fault-settings.js';
import { readJsonBody } from './read-json-body.js';

// The emulator's own control surface, outside Business Central's paths and without its authentication
// (it listens on 127.0.0.1, for tests and local runs):
//   GET  /__emulator/faults     the fault and limit settings    PUT  /__emulator/faults   change some of them
//   GET  /__emulator/entities   every entity held, by set       GET  /__emulator/chart    accounts, customers, items
//   GET  /__emulator/ledger     G/L entries with their transaction numbers, amounts as exact text
//   GET  /__emulator/stats      requests by outcome              POST /__emulator/reset    forget data and counts
//   POST /__emulator/tokens/revoke   forget every token issued (clients then get 401)
//   POST /__emulator/payments   {"invoiceId": "<id>", "amount": 10.5}: a customer pays a posted invoice
//   POST /__emulator/by-hand/copy   {"documentNumber": "J-1"}: a person posts that posting once more
//   POST /__emulator/by-hand/move   {"documentNumber": "J-1"}: a person moves an amount to another account or item

export interface AdminApi {
  faults(): FaultSettings;
  setFaults(settings: Partial<FaultSettings>): void;
  entities(): Record<string, unknown[]>;
  ledger(): unknown[];
  describeChart(): unknown;
  stats(): EmulatorStats;
  reset(): void;
  revokeTokens(): number;
  pay(invoiceId: string, amount: string): void;
  copyByHand(documentNumber: string): void;
  moveByHand(documentNumber: string): void;
  now(): number;
}

const ADMIN_BODY_BYTES = 64 * 1024;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function readPayment(value: unknown): { invoiceId: string; amount: string } {
  const invoiceId = isRecord(value) ? value.invoiceId : undefined;
  const amount = isRecord(value) ? value.amount : undefined;
  const text = typeof amount === 'number' ? new Decimal(amount).toFixed() : amount;
  if (typeof invoiceId !== 'string' || typeof text !== 'string' || !/^\d{1,12}(\.\d{1,2})?$/.test(text))
    throw new BcError(
      400,
      'BadRequest',
      'A payment is {"invoiceId": "<the posted invoice id>", "amount": <above zero, to the cent>}.',
    );
  return { invoiceId, amount: text };
}

export async function handleAdmin(request: IncomingMessage, response: ServerResponse, path: string, api: AdminApi) {
  const method = request.method ?? 'GET';
  try {
    if (path === '/__emulator/faults' && method === 'GET')
      return sendJson(response, 200, describeFaults(api.faults(), api.now()));
    if (path === '/__emulator/faults' && method === 'PUT') {
      api.setFaults(parseFaultSettings(await readJsonBody(request, ADMIN_BODY_BYTES), api.now()));
      return sendJson(response, 200, describeFaults(api.faults(), api.now()));
    }
    if (path === '/__emulator/entities' && method === 'GET') return sendJson(response, 200, api.entities());
    if (path === '/__emulator/ledger' && method === 'GET') return sendJson(response, 200, { items: api.ledger() });
    if (path === '/__emulator/chart' && method === 'GET') return sendJson(response, 200, api.describeChart());
    if (path === '/__emulator/stats' && method === 'GET') return sendJson(response, 200, api.stats());
    if (path === '/__emulator/reset' && method === 'POST') {
      api.reset();
      return void response.writeHead(204).end();
    }
    if (path === '/__emulator/tokens/revoke' && method === 'POST')
      return sendJson(response, 200, { revoked: api.revokeTokens() });
    if (path === '/__emulator/payments' && method === 'POST') {
      const { invoiceId, amount } = readPayment(await readJsonBody(request, ADMIN_BODY_BYTES));
      api.pay(invoiceId, amount);
      return void response.writeHead(204).end();
    }
    const byHand = /^\/__emulator\/by-hand\/(copy|move)$/.exec(path);
    if (byHand !== null && method === 'POST') {
      const documentNumber = readDocumentNumber(await readJsonBody(request, ADMIN_BODY_BYTES));
      if (byHand[1] === 'copy') api.copyByHand(documentNumber);
      else api.moveByHand(documentNumber);
      return void response.writeHead(204).end();
    }
    sendJson(response, 404, { error: `no admin endpoint ${method} ${path}` });
  } catch (error) {
    if (error instanceof FaultSettingsError)
      return sendJson(response, 400, { error: error.message, problems: error.problems });
    if (error instanceof BcError) return sendBcError(response, error);
    sendJson(response, 500, { error: String(error) });
  }
}
