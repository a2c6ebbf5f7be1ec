import { Decimal } from 'decimal.js';
import { strFromU8, unzipSync } from 'fflate';
import type { ReadPace } from '../connector.js';
import { oracleFailure, oracleTransportFailure, unexpectedAnswer, type RequestKind } from './oracle-fusion-errors.js';
import type { ImportFile } from './oracle-fusion-mapping.js';
import type { OracleFusionSecret, OracleFusionSettings } from './oracle-fusion-settings.js';

// HTTP to the pod's REST resources with Node's fetch, basic authentication, under
// `<baseUrl>/fscmRestApi/resources/11.13.18.05/`: erpintegrations (the upload, the job status, the job's
// log) and journalBatches (the look-up, its journals and lines expanded into it for a read-back). Every
// answer is read as text and checked before it is believed.
// Redirects are not followed: a redirect is the pod's sign-in page, which a person must sort out. A client
// made for one of reconciliation's reads awaits the read's pace before each request (each page, each part).

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
  /** Reconciliation's pace, awaited before each request. */
  pace?: ReadPace;
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
  /** RunningTotalDr: the batch's entered debits, exact decimal text, when the answer has it. */
  total?: string;
  /** UserJeSourceName, when the answer has it. */
  source?: string;
  /**
   * The batch's journals with their lines as a look-up asking `expand` carried them (`journalHeaders`,
   * Oracle's shape unchecked): what `journalLines` reads first. Absent when the look-up did not ask.
   */
  journals?: unknown;
}

/** One journal line as journalLines answers it: its combination, and its entered debit and credit. */
export interface HeldJournalLine {
  combination: string;
  debit: string;
  credit: string;
}

/** The most items one page asks for: the REST framework's largest `limit`. */
export const PAGE_LIMIT = 500;
/** The framework version whose `q` joins comparisons with `and` (version 1 takes `;` only). */
const QUERY_FRAMEWORK_VERSION = '2';
/**
 * The framework version from which an expanded child is a collection whose `hasMore` says whether it holds
 * every row (versions 1 and 2 give a bare array, which cannot say); its `q` is version 2's.
 */
const EXPAND_FRAMEWORK_VERSION = '3';
/** A batch's journals and each journal's lines, in the batch's payload: one request for a whole journal. */
const EXPAND_JOURNAL_LINES = 'journalHeaders.journalLines';

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * An amount of Oracle's JSON (a number, or text) as exact decimal text; undefined when it is none. A JSON
 * number holds every amount of at most 15 significant digits exactly, and its shortest text is that amount.
 */
export function decimalText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Decimal(value).toFixed();
  if (typeof value === 'string' && /^-?\d{1,20}(\.\d{1,20})?$/.test(value.trim()))
    return new Decimal(value.trim()).toFixed();
  return undefined;
}

/** The last segment of an item's `self` link: the key Oracle says a client must read, never build. */
function selfKey(item: Record<string, unknown>): string | undefined {
  const links = Array.isArray(item.links) ? item.links.filter(isObject) : [];
  const href = links.find((link) => link.rel === 'self')?.href;
  if (typeof href !== 'string' || !URL.canParse(href)) return undefined;
  const key = new URL(href).pathname.split('/').filter(Boolean).at(-1);
  return key !== undefined && /^[A-Za-z0-9_.~-]{1,512}$/.test(key) ? key : undefined;
}

function batchOf(item: Record<string, unknown>): JournalBatch | undefined {
  const id = idText(item.JeBatchId);
  if (id === undefined || typeof item.BatchName !== 'string') return undefined;
  const total = decimalText(item.RunningTotalDr);
  const source = typeof item.UserJeSourceName === 'string' ? item.UserJeSourceName : undefined;
  return { id, name: item.BatchName, ...(total === undefined ? {} : { total }), ...(source ? { source } : {}) };
}

/**
 * The items of an expanded child when the payload says it holds them all: a collection (framework version
 * 3 on) with `hasMore` false. Anything else — more rows than carried, a bare array (versions 1 and 2 cannot
 * say whether it was cut), no child at all — is undefined: the collection is read page by page instead.
 */
function wholeChild(value: unknown): Record<string, unknown>[] | undefined {
  if (!isObject(value) || !Array.isArray(value.items) || value.hasMore !== false) return undefined;
  return value.items.filter(isObject);
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

export function createOracleFusionClient({ settings, secret, now, pace }: ClientDependencies) {
  const authorization = `Basic ${Buffer.from(`${secret.username}:${secret.password}`).toString('base64')}`;

  async function send(
    kind: RequestKind,
    method: 'GET' | 'POST',
    path: string,
    json: unknown,
    signal: AbortSignal,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const what = `${method} ${path.split('?')[0]}`;
    const timed = AbortSignal.any([signal, AbortSignal.timeout(Math.min(settings.timeoutMs, REQUEST_TIMEOUT_MS))]);
    let answer: Answer & { headers: Headers };
    await pace?.();
    try {
      const response = await fetch(`${settings.restUrl}${path}`, {
        method,
        headers: {
          authorization,
          accept: 'application/json',
          ...headers,
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

  /**
   * Every item of a collection, page after page (`limit`, `offset`, until `hasMore` is false). A page that
   * says there is more but holds nothing ends the reading: asking again would ask for the same page.
   */
  async function readCollection(
    path: string,
    signal: AbortSignal,
    headers: Record<string, string> = {},
  ): Promise<Record<string, unknown>[]> {
    const what = `GET ${path.split('?')[0]}`;
    const items: Record<string, unknown>[] = [];
    for (let offset = 0; ;) {
      const joiner = path.includes('?') ? '&' : '?';
      const answer = await send(
        'read',
        'GET',
        `${path}${joiner}limit=${PAGE_LIMIT}&offset=${offset}`,
        undefined,
        signal,
        headers,
      );
      const parsed = parseJson(answer.text);
      if (!isObject(parsed) || !Array.isArray(parsed.items))
        throw unexpectedAnswer('read', what, answer.status, answer.text);
      const page = parsed.items.filter(isObject);
      items.push(...page);
      if (parsed.hasMore !== true || parsed.items.length === 0) return items;
      offset += parsed.items.length;
    }
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

    /**
     * The journal batches named exactly `name` (more than one only if something imported it twice). With
     * `withJournals`, the same one request asks each batch's journals and their lines (`expand`) and keeps
     * them in `journals`; not onlyData, whose answer would drop the links a journal is reached by when its
     * lines must be read on their own.
     */
    async findBatches(name: string, signal: AbortSignal, withJournals = false): Promise<JournalBatch[]> {
      const query = encodeURIComponent(`BatchName='${name}'`);
      const answer = withJournals
        ? await send(
            'read',
            'GET',
            `journalBatches?q=${query}&expand=${EXPAND_JOURNAL_LINES}&limit=25`,
            undefined,
            signal,
            {
              'REST-Framework-Version': EXPAND_FRAMEWORK_VERSION,
            },
          )
        : await send('read', 'GET', `journalBatches?q=${query}&onlyData=true&limit=25`, undefined, signal);
      const parsed = parseJson(answer.text);
      if (!isObject(parsed) || !Array.isArray(parsed.items))
        throw unexpectedAnswer('read', 'GET journalBatches', answer.status, answer.text);
      return parsed.items.filter(isObject).flatMap((item) => {
        const batch = batchOf(item);
        if (batch?.name !== name) return [];
        return [withJournals ? { ...batch, journals: item.journalHeaders } : batch];
      });
    },

    /**
     * Every actual journal batch whose default effective date is in [from, to] (YYYY-MM-DD, checked by the
     * caller), in JeBatchId order, read page by page.
     */
    async listBatches(from: string, to: string, signal: AbortSignal): Promise<JournalBatch[]> {
      const query = encodeURIComponent(
        `ActualFlag='A' and DefaultEffectiveDate>='${from}' and DefaultEffectiveDate<='${to}'`,
      );
      const items = await readCollection(`journalBatches?q=${query}&orderBy=JeBatchId:asc&onlyData=true`, signal, {
        'REST-Framework-Version': QUERY_FRAMEWORK_VERSION,
      });
      return items.flatMap((item) => batchOf(item) ?? []);
    },

    /**
     * Every line of every journal of the batch: from the journals a look-up carried (`batch.journals`)
     * where the payload says it holds them all; otherwise the journals page by page (each page with its
     * journals' lines expanded), and a journal's lines page by page where its expanded lines were cut.
     * `expand` false: nothing is asked expanded (a pod that refused it), journals and lines page by page.
     */
    async journalLines(
      batch: Pick<JournalBatch, 'id' | 'journals'>,
      signal: AbortSignal,
      expand = true,
    ): Promise<HeldJournalLine[]> {
      const headersPath = `journalBatches/${batch.id}/child/journalHeaders`;
      // Not onlyData: a journal whose lines are read on their own is reached through its self link's key.
      const headers =
        wholeChild(batch.journals) ??
        (expand
          ? await readCollection(`${headersPath}?expand=journalLines`, signal, {
              'REST-Framework-Version': EXPAND_FRAMEWORK_VERSION,
            })
          : await readCollection(headersPath, signal));
      const lines: HeldJournalLine[] = [];
      for (const header of headers) {
        let items = wholeChild(header.journalLines);
        if (items === undefined) {
          const key = selfKey(header);
          if (key === undefined)
            throw unexpectedAnswer('read', `GET ${headersPath}`, 200, JSON.stringify(header).slice(0, 2000));
          items = await readCollection(`${headersPath}/${key}/child/journalLines?onlyData=true`, signal);
        }
        for (const item of items) {
          const debit = item.EnteredDr == null ? '0' : decimalText(item.EnteredDr);
          const credit = item.EnteredCr == null ? '0' : decimalText(item.EnteredCr);
          if (typeof item.AccountCombination !== 'string' || debit === undefined || credit === undefined)
            throw unexpectedAnswer(
              'read',
              `GET ${headersPath}/.../journalLines`,
              200,
              JSON.stringify(item).slice(0, 2000),
            );
          lines.push({ combination: item.AccountCombination, debit, credit });
        }
      }
      return lines;
    },
  };
}

export type OracleFusionClient = ReturnType<typeof createOracleFusionClient>;
