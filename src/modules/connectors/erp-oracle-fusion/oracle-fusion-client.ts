import { strFromU8, unzipSync } from 'fflate';
import { oracleFailure, oracleTransportFailure, unexpectedAnswer, type RequestKind } from './oracle-fusion-errors.js';
import type { ImportFile } from './oracle-fusion-mapping.js';
import type { OracleFusionSecret, OracleFusionSettings } from './oracle-fusion-settings.js';

// HTTP to the pod's REST resources with Node's fetch, basic authentication, under
// `<baseUrl>/fscmRestApi/resources/11.13.18.05/`: erpintegrations (the upload, the job status, the job's
// log) and journalBatches (the look-up). Every answer is read as text and checked before it is believed.
// Redirects are not followed: a redirect is the pod's sign-in page, which a person must sort out.

/** Journal Import, as the ESS job importBulkData submits after loading the file. */
export const JOURNAL_IMPORT_JOB = '/oracle/apps/ess/financials/generalLedger/programs/common,JournalImportLauncher';
/** The UCM account FBDI files for the general ledger go to. */
export const GL_DOCUMENT_ACCOUNT = 'fin$/generalLedger$/import$';
/** The most of a job's log kept on a failure: whole up to this, then cut with a note. */
export const MAX_LOG_CHARS = 256 * 1024;
/** One request's own bound, within what is left of the delivery's time. */
const REQUEST_TIMEOUT_MS = 60_000;

const CONTENT_TYPE = 'application/vnd.oracle.adf.resourceitem+json';

export interface ClientDependencies {
  settings: OracleFusionSettings;
  secret: OracleFusionSecret;
  now: () => Date;
}

interface Answer {
  status: number;
  text: string;
}

/** What the status finder says of a job: its RequestStatus (undefined when the answer has none), and the text. */
export interface JobStatus {
  status: string | undefined;
  text: string;
}

export interface JournalBatch {
  id: string;
  name: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const idText = (value: unknown): string | undefined => {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  return typeof text === 'string' && /^\d{1,20}$/.test(text) ? text : undefined;
};

/** The text files of a zip, joined (each under its name when there are several); undefined when not a zip. */
export function zipText(base64: string): string | undefined {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(Buffer.from(base64, 'base64'));
  } catch {
    return undefined;
  }
  const names = Object.keys(files).sort();
  const text = names
    .map((name) => (names.length === 1 ? '' : `--- ${name} ---\n`) + strFromU8(files[name] ?? new Uint8Array()))
    .join('\n');
  return text.length <= MAX_LOG_CHARS
    ? text
    : `${text.slice(0, MAX_LOG_CHARS)}\n[cut: the log is ${text.length} characters]`;
}

export function createOracleFusionClient({ settings, secret, now }: ClientDependencies) {
  const authorization = `Basic ${Buffer.from(`${secret.username}:${secret.password}`).toString('base64')}`;

  async function send(
    kind: RequestKind,
    method: 'GET' | 'POST',
    path: string,
    json: unknown,
    signal: AbortSignal,
  ): Promise<Answer> {
    const what = `${method} ${path.split('?')[0]}`;
    const timed = AbortSignal.any([signal, AbortSignal.timeout(Math.min(settings.timeoutMs, REQUEST_TIMEOUT_MS))]);
    let answer: Answer & { headers: Headers };
    try {
      const response = await fetch(`${settings.restUrl}${path}`, {
        method,
        headers: {
          authorization,
          accept: 'application/json',
          ...(json === undefined ? {} : { 'content-type': CONTENT_TYPE }),
        },
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: timed,
        redirect: 'manual',
      });
      answer = { status: response.status, text: await response.text(), headers: response.headers };
    } catch (error) {
      throw oracleTransportFailure(kind, error, what);
    }
    if (answer.status < 200 || answer.status >= 300)
      throw oracleFailure(kind, what, answer.status, answer.text, answer.headers, now());
    return answer;
  }

  return {
    /** Uploads the file and submits Journal Import for its group; answers the ESS request id. */
    async submitImport(file: ImportFile, parameters: string, signal: AbortSignal): Promise<string> {
      const body = {
        OperationName: 'importBulkData',
        DocumentContent: file.zipBase64,
        ContentType: 'zip',
        FileName: file.fileName,
        DocumentAccount: GL_DOCUMENT_ACCOUNT,
        JobName: JOURNAL_IMPORT_JOB,
        ParameterList: parameters,
      };
      const answer = await send('upload', 'POST', 'erpintegrations', body, signal);
      const parsed = parseJson(answer.text);
      const id = isObject(parsed) ? idText(parsed.ReqstId) : undefined;
      if (id === undefined || id === '-1')
        throw unexpectedAnswer('upload', 'POST erpintegrations (importBulkData)', answer.status, answer.text);
      return id;
    },

    /** The job's RequestStatus through the ESSJobStatusRF finder (undefined when the answer holds none). */
    async jobStatus(requestId: string, signal: AbortSignal): Promise<JobStatus> {
      const path = `erpintegrations?finder=ESSJobStatusRF;requestId=${requestId}&onlyData=true`;
      const answer = await send('read', 'GET', path, undefined, signal);
      const parsed = parseJson(answer.text);
      const items = isObject(parsed) && Array.isArray(parsed.items) ? parsed.items : undefined;
      const first = items?.find(isObject);
      const status = typeof first?.RequestStatus === 'string' ? first.RequestStatus.trim().toUpperCase() : undefined;
      return { status: status || undefined, text: answer.text };
    },

    /** The job's log, as downloadESSJobExecutionDetails gives it (a zip of text files); undefined when unreadable. */
    async jobLog(requestId: string, signal: AbortSignal): Promise<string | undefined> {
      const body = { OperationName: 'downloadESSJobExecutionDetails', ReqstId: requestId, FileType: 'log' };
      const answer = await send('read', 'POST', 'erpintegrations', body, signal);
      const parsed = parseJson(answer.text);
      const content = isObject(parsed) && typeof parsed.DocumentContent === 'string' ? parsed.DocumentContent : '';
      return content === '' ? undefined : zipText(content);
    },

    /** The journal batches named exactly `name` (more than one only if something imported it twice). */
    async findBatches(name: string, signal: AbortSignal): Promise<JournalBatch[]> {
      const query = encodeURIComponent(`BatchName='${name}'`);
      const answer = await send('read', 'GET', `journalBatches?q=${query}&onlyData=true&limit=25`, undefined, signal);
      const parsed = parseJson(answer.text);
      if (!isObject(parsed) || !Array.isArray(parsed.items))
        throw unexpectedAnswer('read', 'GET journalBatches', answer.status, answer.text);
      return parsed.items.filter(isObject).flatMap((item) => {
        const id = idText(item.JeBatchId);
        return id !== undefined && item.BatchName === name ? [{ id, name }] : [];
      });
    },
  };
}

export type OracleFusionClient = ReturnType<typeof createOracleFusionClient>;
