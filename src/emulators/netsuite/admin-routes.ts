import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultSettings } from './emulator-options.js';
import type { EmulatorStats } from './emulator-stats.js';
import { describeFaults, FaultSettingsError, parseFaultSettings } from './fault-settings.js';
import { NetSuiteError, sendJson } from './netsuite-error.js';
import { readJsonBody } from './read-json-body.js';

// The emulator's own control surface, off NetSuite's /services/rest tree and without NetSuite's
// authentication (it listens on 127.0.0.1 for tests and local runs):
//   GET  /__emulator/faults    the fault and limit settings     PUT  /__emulator/faults   change some of them
//   GET  /__emulator/records   every record held                GET  /__emulator/stats    requests by outcome
//   POST /__emulator/reset     forget records and counts, restore the start settings

export interface AdminApi {
  faults(): FaultSettings;
  setFaults(settings: Partial<FaultSettings>): void;
  records(): unknown[];
  stats(): EmulatorStats;
  reset(): void;
  now(): number;
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
    sendJson(response, 404, { error: `no admin endpoint ${method} ${path}` });
  } catch (error) {
    if (error instanceof FaultSettingsError)
      return sendJson(response, 400, { error: error.message, problems: error.problems });
    if (error instanceof NetSuiteError) return sendJson(response, error.status, error.body());
    sendJson(response, 500, { error: String(error) });
  }
}
