import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultSettings } from './emulator-options.js';
import type { EmulatorStats } from './emulator-stats.js';
import { describeFaults, FaultSettingsError, parseFaultSettings } from './fault-settings.js';
import {
  HandEditError,
  readCopyRequest,
  readMoveRequest,
  type HandEditTarget,
  type MoveRequest,
} from './hand-edits.js';
import type { StoredDocument } from './journal-store.js';

// The emulator's own control surface, off SAP's paths and without SAP's authentication (it listens on
// 127.0.0.1 for tests and local runs):
//   GET  /__emulator/faults      the fault and limit settings   PUT  /__emulator/faults   change some of them
//   GET  /__emulator/documents   every document posted          GET  /__emulator/stats    requests by outcome
//   POST /__emulator/reset       forget documents and counts, restore the start settings
//   POST /__emulator/documents/copy  post a second entry under a reference, as a person would (hand-edits.ts)
//   POST /__emulator/documents/move  move an amount of an entry to another G/L account, keeping its total

export interface AdminApi {
  faults(): FaultSettings;
  setFaults(settings: Partial<FaultSettings>): void;
  documents(): readonly StoredDocument[];
  stats(): EmulatorStats;
  reset(): void;
  now(): number;
  copyByHand(request: HandEditTarget): StoredDocument;
  moveByHand(request: MoveRequest): StoredDocument;
}

const ADMIN_BODY_BYTES = 64 * 1024;

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > ADMIN_BODY_BYTES) throw new FaultSettingsError([`the body is larger than ${ADMIN_BODY_BYTES} bytes`]);
    chunks.push(bytes);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new FaultSettingsError(['the body is not JSON']);
  }
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
    if (path === '/__emulator/documents' && method === 'GET')
      return sendJson(response, 200, { items: api.documents() });
    if (path === '/__emulator/stats' && method === 'GET') return sendJson(response, 200, api.stats());
    if (path === '/__emulator/documents/copy' && method === 'POST')
      return sendJson(response, 201, api.copyByHand(readCopyRequest(await readJson(request))));
    if (path === '/__emulator/documents/move' && method === 'POST')
      return sendJson(response, 200, api.moveByHand(readMoveRequest(await readJson(request))));
    if (path === '/__emulator/reset' && method === 'POST') {
      api.reset();
      response.writeHead(204).end();
      return;
    }
    sendJson(response, 404, { error: `no admin endpoint ${method} ${path}` });
  } catch (error) {
    if (error instanceof FaultSettingsError || error instanceof HandEditError)
      return sendJson(response, error instanceof HandEditError ? error.status : 400, {
        error: error.message,
        problems: error.problems,
      });
    sendJson(response, 500, { error: String(error) });
  }
}
