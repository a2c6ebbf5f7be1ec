import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorStats } from '../netsuite/emulator-stats.js';
import { describeFaults } from '../netsuite/fault-settings.js';
import { FaultSettingsError, parseRuntimeSettings, type OracleRuntimeSettings } from './fault-settings.js';
import { OracleError, sendJson } from './oracle-error.js';
import type { Job, StoredBatch, StoredInterfaceRow } from './pod-store.js';
import { readJsonBody } from './read-body.js';
import { toApiBatch } from './rest-routes.js';

// The emulator's own control surface, off Oracle's REST tree and without its authentication (it listens
// on 127.0.0.1 for tests and local runs):
//   GET  /__emulator/faults      fault settings and jobMs        PUT  /__emulator/faults   change some of them
//   GET  /__emulator/batches     every batch, with its journals and lines
//   GET  /__emulator/jobs        every job: status, parameters, log
//   GET  /__emulator/interface   rows loaded and not imported (rejected with their code, or another group's)
//   POST /__emulator/jobs/<id>/status   {"status": "PAUSED"} or {"status": null}: what the finder reports
//   GET  /__emulator/stats       requests by outcome             POST /__emulator/reset   forget everything
//   POST /__emulator/batches/<id>/copy   a second batch of the same name, as made by hand
//   POST /__emulator/batches/<id>/move   {"journal"?, "line", "combination"}: a line booked elsewhere by hand

/** One line booked to another combination by hand (journal 1 unless said). */
export interface LineMove {
  journal?: number;
  line: number;
  combination: string;
}

export interface AdminApi {
  settings(): OracleRuntimeSettings;
  setFaults(settings: Partial<OracleRuntimeSettings>): void;
  batches(): readonly StoredBatch[];
  copyBatch(batchId: number): StoredBatch | undefined;
  moveLine(batchId: number, line: LineMove): boolean;
  jobs(): readonly Job[];
  interfaceRows(): readonly StoredInterfaceRow[];
  forceJobStatus(requestId: string, status: string | undefined): boolean;
  stats(): EmulatorStats;
  reset(): void;
  now(): number;
}

const ADMIN_BODY_BYTES = 64 * 1024;

const describe = (settings: OracleRuntimeSettings, now: number) => ({
  ...describeFaults(settings, now),
  jobMs: settings.jobMs,
});

function batchWithLines(batch: StoredBatch, origin: string) {
  return { ...toApiBatch(batch, origin), journals: batch.journals };
}

const COMBINATION = /^[\x21-\x7e]{1,240}$/;
const whole = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 10_000;

/** The body of a move, or why it is not one. */
function readMove(body: unknown): LineMove | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'the body is a JSON object';
  const { journal, line, combination, ...unknown } = body as Record<string, unknown>;
  const problems = [
    ...Object.keys(unknown).map((name) => `${name.slice(0, 40)} is not a field of a move`),
    ...(journal === undefined || whole(journal) ? [] : ['journal is a whole number from 1']),
    ...(whole(line) ? [] : ['line is a whole number from 1']),
    ...(typeof combination === 'string' && COMBINATION.test(combination)
      ? []
      : ['combination is 1 to 240 printable ASCII characters']),
  ];
  if (problems.length > 0) return problems.join('; ');
  return {
    ...(journal === undefined ? {} : { journal: journal as number }),
    line: line as number,
    combination: combination as string,
  };
}

function jobView(job: Job) {
  const { documentContent: _content, ...view } = job;
  return view;
}

export async function handleAdmin(request: IncomingMessage, response: ServerResponse, path: string, api: AdminApi) {
  const method = request.method ?? 'GET';
  const origin = `http://${request.headers.host ?? 'localhost'}`;
  try {
    if (path === '/__emulator/faults' && method === 'GET')
      return sendJson(response, 200, describe(api.settings(), api.now()));
    if (path === '/__emulator/faults' && method === 'PUT') {
      api.setFaults(parseRuntimeSettings(await readJsonBody(request, ADMIN_BODY_BYTES), api.now()));
      return sendJson(response, 200, describe(api.settings(), api.now()));
    }
    if (path === '/__emulator/batches' && method === 'GET')
      return sendJson(response, 200, { items: api.batches().map((batch) => batchWithLines(batch, origin)) });
    if (path === '/__emulator/jobs' && method === 'GET')
      return sendJson(response, 200, { items: api.jobs().map(jobView) });
    if (path === '/__emulator/interface' && method === 'GET')
      return sendJson(response, 200, { items: api.interfaceRows() });
    if (path === '/__emulator/stats' && method === 'GET') return sendJson(response, 200, api.stats());
    if (path === '/__emulator/reset' && method === 'POST') {
      api.reset();
      response.writeHead(204).end();
      return;
    }
    const byHand = /^\/__emulator\/batches\/(\d{1,18})\/(copy|move)$/.exec(path);
    if (byHand && method === 'POST') {
      const batchId = Number(byHand[1]);
      if (byHand[2] === 'copy') {
        const copy = api.copyBatch(batchId);
        return copy
          ? sendJson(response, 201, batchWithLines(copy, origin))
          : sendJson(response, 404, { error: `no batch ${byHand[1]}` });
      }
      const move = readMove(await readJsonBody(request, ADMIN_BODY_BYTES));
      if (typeof move === 'string') return sendJson(response, 400, { error: move });
      if (!api.moveLine(batchId, move))
        return sendJson(response, 404, {
          error: `no line ${move.line} of journal ${move.journal ?? 1} in batch ${byHand[1]}`,
        });
      response.writeHead(204).end();
      return;
    }
    const forced = /^\/__emulator\/jobs\/(\d{1,18})\/status$/.exec(path);
    if (forced && method === 'POST') {
      const body = await readJsonBody(request, ADMIN_BODY_BYTES);
      const status = body !== null && typeof body === 'object' ? (body as { status?: unknown }).status : undefined;
      if (status !== null && (typeof status !== 'string' || !/^[A-Z_]{1,40}$/.test(status)))
        return sendJson(response, 400, {
          error: 'the body is {"status": "<CAPITALS_AND_UNDERSCORES>"} or {"status": null}',
        });
      if (!api.forceJobStatus(forced[1]!, status ?? undefined))
        return sendJson(response, 404, { error: `no job ${forced[1]}` });
      response.writeHead(204).end();
      return;
    }
    sendJson(response, 404, { error: `no admin endpoint ${method} ${path}` });
  } catch (error) {
    if (error instanceof FaultSettingsError)
      return sendJson(response, 400, { error: error.message, problems: error.problems });
    if (error instanceof OracleError) return sendJson(response, error.status, error.body());
    sendJson(response, 500, { error: String(error) });
  }
}
