import { stringify } from 'csv-stringify/sync';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { COLUMN_COUNT, POSITIONS } from '../../src/emulators/oracle-fusion/gl-interface-file.js';
import type { OracleFusionEmulator } from '../../src/emulators/oracle-fusion/index.js';
import { GL_DOCUMENT_ACCOUNT, JOURNAL_IMPORT_JOB, REST_ROOT } from '../../src/emulators/oracle-fusion/rest-routes.js';

// The Oracle Fusion emulator over HTTP as any client meets it, for the emulator's own tests: GL interface
// rows built from the emulator's positions (not the connector's), an FBDI upload, the job's status and
// log, and plain REST reads with the headers a test gives.

export const LEDGER = '300000046975971';

type Row = Partial<Record<keyof typeof POSITIONS | `SEGMENT${number}`, string>>;

/** One GlInterface.csv row, every column empty but those given. */
export function line(values: Row): string[] {
  const row = new Array<string>(COLUMN_COUNT).fill('');
  for (const [name, value] of Object.entries(values)) {
    const segment = /^SEGMENT(\d+)$/.exec(name);
    const position = segment ? POSITIONS.SEGMENT1 + Number(segment[1]) - 1 : POSITIONS[name as keyof typeof POSITIONS];
    row[position - 1] = value ?? '';
  }
  return row;
}

export const base = (group = '77'): Row => ({
  STATUS: 'NEW',
  LEDGER_ID: LEDGER,
  ACCOUNTING_DATE: '2026/10/31',
  USER_JE_SOURCE_NAME: 'Meterbridge',
  USER_JE_CATEGORY_NAME: 'Usage',
  CURRENCY_CODE: 'USD',
  DATE_CREATED: '2026/10/31',
  ACTUAL_FLAG: 'A',
  SEGMENT1: '101',
  SEGMENT3: '000',
  REFERENCE1: 'Batch A',
  REFERENCE4: 'Journal A',
  GROUP_ID: group,
});

export const balanced = (account = '4000', group = '77'): string[][] => [
  line({ ...base(group), SEGMENT2: '1200', ENTERED_DR: '100.25' }),
  line({ ...base(group), SEGMENT2: account, ENTERED_CR: '100.25', REFERENCE10: 'usage, "quoted"' }),
];

export const zip = (csv: string, name = 'GlInterface.csv') =>
  Buffer.from(zipSync({ [name]: strToU8(csv) })).toString('base64');
export const csv = (rows: string[][]) => stringify(rows);

/** Requests to the emulator `current()` answers (a test's emulator, started before the first request). */
export function oracleEmulatorClient(current: () => OracleFusionEmulator) {
  const auth = () =>
    `Basic ${Buffer.from(`${current().credentials.username}:${current().credentials.password}`).toString('base64')}`;

  async function call(path: string, json?: unknown, authorization = auth(), headers: Record<string, string> = {}) {
    const response = await fetch(`${current().url}${REST_ROOT}${path}`, {
      method: json === undefined ? 'GET' : 'POST',
      headers: {
        authorization,
        ...headers,
        ...(json === undefined ? {} : { 'content-type': 'application/vnd.oracle.adf.resourceitem+json' }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    return { status: response.status, body, type: response.headers.get('content-type'), headers: response.headers };
  }

  const upload = (content: string, parameters = `#NULL,Meterbridge,${LEDGER},77,N,N,N`) =>
    call('erpintegrations', {
      OperationName: 'importBulkData',
      DocumentContent: content,
      ContentType: 'zip',
      FileName: 'test.zip',
      DocumentAccount: GL_DOCUMENT_ACCOUNT,
      JobName: JOURNAL_IMPORT_JOB,
      ParameterList: parameters,
    });

  async function status(requestId: string): Promise<string> {
    const answer = await call(`erpintegrations?finder=ESSJobStatusRF;requestId=${requestId}`);
    return ((answer.body.items as Array<Record<string, unknown>>)[0]?.RequestStatus as string) ?? 'none';
  }

  async function ended(requestId: string): Promise<string> {
    for (;;) {
      const now = await status(requestId);
      if (!['WAIT', 'RUNNING'].includes(now)) return now;
      await sleep(10);
    }
  }

  async function log(requestId: string): Promise<string> {
    const answer = await call('erpintegrations', {
      OperationName: 'downloadESSJobExecutionDetails',
      ReqstId: requestId,
      FileType: 'log',
    });
    const files = unzipSync(Buffer.from(answer.body.DocumentContent as string, 'base64'));
    return strFromU8(files[`${requestId}.log`]!);
  }

  async function imported(content: string, parameters?: string) {
    const answer = await upload(content, parameters);
    expect(answer.status).toBe(201);
    const requestId = answer.body.ReqstId as string;
    return { requestId, end: await ended(requestId), log: await log(requestId) };
  }

  return { auth, call, upload, status, ended, log, imported };
}
