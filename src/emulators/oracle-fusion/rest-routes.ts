import { strToU8, zipSync } from 'fflate';
import { badRequest, COLLECTION_CONTENT_TYPE, ITEM_CONTENT_TYPE, OracleError } from './oracle-error.js';
import { batchFilter, batchOrder } from './batch-query.js';
import {
  headerItem,
  journalIndex,
  journalKey,
  lineIndex,
  lineItem,
  lineKey,
  readChildPath,
} from './journal-children.js';
import { expandedChild, readExpand, type Expansion } from './expand.js';
import { batchTotals, type Job, type PodStore, type StoredBatch } from './pod-store.js';

// The REST resources the FBDI journal import uses, under /fscmRestApi/resources/11.13.18.05/:
//   POST erpintegrations  importBulkData (upload and submit Journal Import), downloadESSJobExecutionDetails
//   GET  erpintegrations?finder=ESSJobStatusRF;requestId=<id>   a job's RequestStatus
//   GET  journalBatches[?q=<comparisons>][&orderBy=&limit=&offset=], journalBatches/<JeBatchId>
//   GET  journalBatches/<JeBatchId>/child/journalHeaders[/<key>/child/journalLines]   (journal-children.ts)
// journalBatches and journalHeaders take `expand` (expand.ts): their children in the item's payload.

export const REST_ROOT = '/fscmRestApi/resources/11.13.18.05/';
export const JOURNAL_IMPORT_JOB = '/oracle/apps/ess/financials/generalLedger/programs/common,JournalImportLauncher';
export const GL_DOCUMENT_ACCOUNT = 'fin$/generalLedger$/import$';

export interface Reply {
  status: number;
  body: unknown;
  contentType?: string;
  /** The request changed the pod (an upload submitted a job): the commit-then-drop fault applies. */
  committed?: boolean;
}

export interface RestContext {
  store: PodStore;
  now: () => number;
  jobMs: () => number;
  origin: string;
  /** The REST-Framework-Version the request asked for (1 by default): how `q` is read. */
  frameworkVersion: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const link = (origin: string, path: string) => [
  { rel: 'self', href: `${origin}${REST_ROOT}${path}`, name: path.split(/[/?]/)[0], kind: 'item' },
];

/** The erpintegrations item as Oracle echoes it: every attribute, null where the request set none. */
function integrationItem(fields: Record<string, unknown>, origin: string): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const name of [
    'OperationName',
    'DocumentId',
    'DocumentContent',
    'FileName',
    'ContentType',
    'FileType',
    'DocumentAccount',
    'Comments',
    'ProcessName',
    'LoadRequestId',
    'JobPackageName',
    'JobDefName',
    'ReqstId',
    'RequestStatus',
    'JobName',
    'ParameterList',
    'NotificationCode',
    'CallbackURL',
    'JobOptions',
    'StatusCode',
    'ESSParameters',
  ])
    item[name] = fields[name] ?? null;
  return { ...item, links: link(origin, 'erpintegrations') };
}

function requireText(body: Record<string, unknown>, name: string): string {
  const value = text(body[name]);
  if (value === undefined || value.trim() === '')
    throw badRequest(`The attribute ${name} is required for the operation ${String(body.OperationName)}.`);
  return value;
}

function importBulkData(body: Record<string, unknown>, context: RestContext): Reply {
  const documentContent = requireText(body, 'DocumentContent');
  const jobName = requireText(body, 'JobName');
  const parameterList = requireText(body, 'ParameterList');
  if (body.ContentType !== undefined && String(body.ContentType).toLowerCase() !== 'zip')
    throw badRequest(`The content type ${String(body.ContentType)} isn't supported; FBDI files are zip.`);
  if (body.DocumentAccount !== GL_DOCUMENT_ACCOUNT)
    throw badRequest(
      `The document account ${String(body.DocumentAccount)} isn't the general ledger's import account ${GL_DOCUMENT_ACCOUNT}.`,
    );
  if (jobName !== JOURNAL_IMPORT_JOB) throw badRequest(`The job ${jobName} isn't supported by the emulator.`);
  const job = context.store.submit(
    { documentContent, fileName: text(body.FileName) ?? '', parameterList },
    context.now(),
    context.jobMs(),
  );
  return {
    status: 201,
    contentType: ITEM_CONTENT_TYPE,
    committed: true,
    body: integrationItem({ ...body, ReqstId: job.requestId }, context.origin),
  };
}

function downloadLog(body: Record<string, unknown>, context: RestContext): Reply {
  const requestId = requireText(body, 'ReqstId');
  const job = context.store.job(requestId);
  if (!job) throw new OracleError(404, '27024', `The request ${requestId} doesn't exist.`);
  const zip = zipSync({ [`${requestId}.log`]: strToU8(`${job.log.join('\n')}\n`) });
  return {
    status: 201,
    contentType: ITEM_CONTENT_TYPE,
    body: integrationItem(
      { ...body, DocumentContent: Buffer.from(zip).toString('base64'), ContentType: 'zip', FileType: 'log' },
      context.origin,
    ),
  };
}

function collection(items: unknown[], limit: number, offset: number, origin: string, path: string) {
  const page = items.slice(offset, offset + limit);
  return {
    items: page,
    count: page.length,
    hasMore: offset + page.length < items.length,
    limit,
    offset,
    links: link(origin, path),
  };
}

/** `limit` (1 to 500, default 25) and `offset` (from 0), written as plain digits; anything else is a 400. */
function readPage(url: URL): { limit: number; offset: number } {
  const limitText = url.searchParams.get('limit') ?? '25';
  const offsetText = url.searchParams.get('offset') ?? '0';
  const limit = /^\d{1,3}$/.test(limitText) ? Number(limitText) : NaN;
  const offset = /^\d{1,9}$/.test(offsetText) ? Number(offsetText) : NaN;
  if (!(limit >= 1 && limit <= 500) || !(offset >= 0))
    throw badRequest('limit must be a whole number from 1 to 500 and offset a whole number from 0 to 999999999.');
  return { limit, offset };
}

function jobStatus(url: URL, context: RestContext): Reply {
  const finder = url.searchParams.get('finder') ?? '';
  const match = /^ESSJobStatusRF;requestId=(\d{1,18})$/.exec(finder);
  if (!match) throw badRequest(`The finder ${finder || '(none)'} isn't supported; use ESSJobStatusRF;requestId=<id>.`);
  const job: Job | undefined = context.store.job(match[1]!);
  const items = job
    ? [
        integrationItem(
          {
            OperationName: 'getESSJobStatus',
            ReqstId: job.requestId,
            RequestStatus: context.store.status(job, context.now()),
          },
          context.origin,
        ),
      ]
    : [];
  return {
    status: 200,
    contentType: COLLECTION_CONTENT_TYPE,
    body: collection(items, 25, 0, context.origin, 'erpintegrations'),
  };
}

export function toApiBatch(batch: StoredBatch, origin: string): Record<string, unknown> {
  const totals = batchTotals(batch);
  return {
    JeBatchId: batch.id,
    BatchName: batch.name,
    BatchDescription: batch.description || null,
    UserJeSourceName: batch.source,
    ActualFlag: 'A',
    Status: 'U',
    StatusMeaning: 'Unposted',
    DefaultPeriodName: batch.journals[0]?.periodName ?? null,
    DefaultEffectiveDate: batch.journals[0]?.accountingDate ?? null,
    RunningTotalDr: Number(totals.debit),
    RunningTotalCr: Number(totals.credit),
    RequestId: Number(batch.requestId),
    GroupId: Number(batch.groupId),
    CreationDate: new Date(batch.createdAt).toISOString(),
    links: link(origin, `journalBatches/${batch.id}`),
  };
}

const hrefOf = (context: RestContext, path: string) => `${context.origin}${REST_ROOT}${path}`;

/** Line `at` of journal `index`, as journalLines answers it. */
function lineOf(batch: StoredBatch, index: number, at: number, context: RestContext): Record<string, unknown> {
  const key = lineKey(batch, index + 1, batch.journals[index]!.lines[at]!.number);
  const path = `journalBatches/${batch.id}/child/journalHeaders/${journalKey(batch, index + 1)}/child/journalLines`;
  return lineItem(batch, index, at, hrefOf(context, `${path}/${key}`));
}

/** Journal `index` of the batch, as journalHeaders answers it, with its lines when `expand` asks for them. */
function headerOf(batch: StoredBatch, index: number, expand: Expansion, context: RestContext) {
  const path = `journalBatches/${batch.id}/child/journalHeaders/${journalKey(batch, index + 1)}`;
  const item = headerItem(batch, index, hrefOf(context, path));
  if (expand.has('journalLines'))
    item.journalLines = expandedChild(
      batch.journals[index]!.lines.length,
      (at) => lineOf(batch, index, at, context),
      hrefOf(context, `${path}/child/journalLines`),
      'journalLines',
      context.frameworkVersion,
    );
  return item;
}

/** The batch as journalBatches answers it, with its journals (and their lines) when `expand` asks for them. */
function batchOf(batch: StoredBatch, expand: Expansion, context: RestContext): Record<string, unknown> {
  const item = toApiBatch(batch, context.origin);
  const headers = expand.get('journalHeaders');
  if (headers)
    item.journalHeaders = expandedChild(
      batch.journals.length,
      (index) => headerOf(batch, index, headers, context),
      hrefOf(context, `journalBatches/${batch.id}/child/journalHeaders`),
      'journalHeaders',
      context.frameworkVersion,
    );
  return item;
}

/** One page of `all`, each item built only when it is on the page. */
function pageOf<T>(all: readonly T[], url: URL, context: RestContext, path: string, item: (one: T) => unknown) {
  const { limit, offset } = readPage(url);
  const page = all.slice(offset, offset + limit).map(item);
  return {
    status: 200,
    contentType: COLLECTION_CONTENT_TYPE,
    body: {
      items: page,
      count: page.length,
      hasMore: offset + page.length < all.length,
      limit,
      offset,
      links: link(context.origin, path),
    },
  };
}

/** A batch's journals, or one journal's lines, paged as every collection is, each expanded as asked. */
function batchChild(batch: StoredBatch, rest: readonly string[], url: URL, context: RestContext): Reply {
  const child = readChildPath(rest);
  if (!child) throw new OracleError(404, '27024', `The resource ${url.pathname} isn't supported by the emulator.`);
  const base = `journalBatches/${batch.id}/child/journalHeaders`;
  const expandText = url.searchParams.get('expand');
  if (child.journal === undefined) {
    const expand = readExpand(expandText, 'journalHeaders');
    const journals = batch.journals.map((_, index) => index);
    return pageOf(journals, url, context, base, (index) => headerOf(batch, index, expand, context));
  }
  const index = journalIndex(batch, child.journal);
  if (!child.lines)
    return {
      status: 200,
      contentType: ITEM_CONTENT_TYPE,
      body: headerOf(batch, index, readExpand(expandText, 'journalHeaders'), context),
    };
  // journalLines has no children here: `all` expands nothing, a name is a 400.
  readExpand(expandText, 'journalLines');
  if (child.line !== undefined)
    return {
      status: 200,
      contentType: ITEM_CONTENT_TYPE,
      body: lineOf(batch, index, lineIndex(batch, index, child.line), context),
    };
  const lines = batch.journals[index]!.lines.map((_, at) => at);
  return pageOf(lines, url, context, `${base}/${child.journal}/child/journalLines`, (at) =>
    lineOf(batch, index, at, context),
  );
}

function journalBatches(path: string[], url: URL, context: RestContext): Reply {
  const batches = context.store.batches();
  if (path.length >= 1) {
    const [id, child, ...rest] = path;
    const batch = batches.find((candidate) => String(candidate.id) === id);
    if (!batch) throw new OracleError(404, '27024', `The journal batch ${String(id).slice(0, 40)} doesn't exist.`);
    if (child === undefined) {
      const expand = readExpand(url.searchParams.get('expand'), 'journalBatches');
      return { status: 200, contentType: ITEM_CONTENT_TYPE, body: batchOf(batch, expand, context) };
    }
    if (child === 'child') return batchChild(batch, rest, url, context);
    throw new OracleError(404, '27024', `The resource ${url.pathname} isn't supported by the emulator.`);
  }
  const expand = readExpand(url.searchParams.get('expand'), 'journalBatches');
  const filter = batchFilter(url.searchParams.get('q'), context.frameworkVersion);
  const order = batchOrder(url.searchParams.get('orderBy'));
  const selected = batches.filter(filter).sort(order);
  return pageOf(selected, url, context, 'journalBatches', (batch) => batchOf(batch, expand, context));
}

/** A request under REST_ROOT; `readBody` reads the JSON body only for the routes that take one. */
export async function restRoute(
  method: string,
  url: URL,
  readBody: () => Promise<unknown>,
  context: RestContext,
): Promise<Reply> {
  context.store.settleDue(context.now());
  const [resource, ...rest] = url.pathname.slice(REST_ROOT.length).split('/').filter(Boolean);
  if (resource === 'erpintegrations' && rest.length === 0) {
    if (method === 'GET') return jobStatus(url, context);
    if (method !== 'POST') throw new OracleError(405, '27025', 'Use GET or POST on erpintegrations.');
    const body = await readBody();
    if (!isObject(body)) throw badRequest('The request body must be a JSON object.');
    if (body.OperationName === 'importBulkData') return importBulkData(body, context);
    if (body.OperationName === 'downloadESSJobExecutionDetails') return downloadLog(body, context);
    throw badRequest(`The operation ${String(body.OperationName)} isn't supported by the emulator.`);
  }
  if (resource === 'journalBatches') {
    if (method !== 'GET') throw new OracleError(405, '27025', 'Journal batches can only be read through REST.');
    return journalBatches(rest, url, context);
  }
  throw new OracleError(404, '27024', `The resource ${url.pathname} isn't supported by the emulator.`);
}
