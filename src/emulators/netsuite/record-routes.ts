import type { IncomingMessage } from 'node:http';
import type { NetSuiteChart } from './emulator-options.js';
import { invalidContent, NetSuiteError, recordNotFound } from './netsuite-error.js';
import { readJsonBody } from './read-json-body.js';
import { EXTERNAL_ID, isObject } from './record-fields.js';
import { toApiRecord } from './api-record.js';
import { checkApplications } from './apply-sublist.js';
import type { RecordStore } from './record-store.js';
import { RECORD_TYPES, type RecordType } from './transaction.js';
import { validateTransaction } from './validate-transaction.js';

// `record/v1/<type>[/<id> | /eid:<externalId>]` for journal entries, invoices and credit memos:
// create answers 204 with the new record's Location and no body; PUT by external id is the upsert
// (create or replace, 204 and Location); GET answers the record, its sublists as links unless the query
// asks for their lines with `expandSubResources=true`, as NetSuite does. `Prefer: transient` is accepted and
// changes nothing, as in NetSuite. Writes are marked `committed` so the dispatcher can drop the
// connection after the commit (the commit-then-drop fault).

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The request changed the store: what a dropped answer leaves behind. */
  committed?: boolean;
}

export interface RecordContext {
  store: RecordStore;
  chart: NetSuiteChart;
  now: () => number;
  maxBodyBytes: number;
  /** `http://host:port`, what Location and links start with. */
  origin: string;
}

const methodNotAllowed = (method: string) =>
  new NetSuiteError(405, 'METHOD_NOT_ALLOWED', `The HTTP method ${method} is not supported for this resource.`);

function recordType(name: string): RecordType {
  const type = RECORD_TYPES.find((known) => known === name);
  if (type === undefined)
    throw new NetSuiteError(400, 'INVALID_RCRD_TYPE', `Record type '${name}' does not exist or is not supported here.`);
  return type;
}

function externalIdOf(key: string): string | undefined {
  if (!key.startsWith('eid:')) return undefined;
  const externalId = key.slice(4);
  if (!EXTERNAL_ID.test(externalId))
    throw new NetSuiteError(400, 'INVALID_ID', 'The external ID may hold only letters, digits, _ and -.');
  return externalId;
}

const today = (now: number) => new Date(now).toISOString().slice(0, 10);

/** Whether the request's query asks for sublist lines: `expandSubResources=true`. */
function expandsSubResources(request: IncomingMessage): boolean {
  const query = new URLSearchParams((request.url ?? '').split('?')[1] ?? '');
  return query.get('expandSubResources')?.toLowerCase() === 'true';
}

async function write(
  request: IncomingMessage,
  context: RecordContext,
  type: RecordType,
  externalId?: string,
): Promise<Reply> {
  const { store, chart, now, maxBodyBytes, origin } = context;
  const body = await readJsonBody(request, maxBodyBytes);
  // Upsert's external id is the URL's; one in the body must agree with it.
  if (externalId !== undefined && isObject(body) && body.externalId !== undefined && body.externalId !== externalId)
    throw invalidContent('The external ID in the body differs from the one in the URL.', 'externalId');
  const input = validateTransaction(type, body, chart, today(now()));
  // Applications are checked before anything is stored: a refused memo changes no invoice.
  const previous = externalId === undefined ? undefined : store.getByExternalId(type, externalId);
  const applications = type === 'creditMemo' ? checkApplications(store, input, previous) : [];
  const record =
    externalId === undefined
      ? store.create(type, input, now(), applications)
      : store.upsert(type, externalId, input, now(), applications);
  return {
    status: 204,
    headers: { location: `${origin}/services/rest/record/v1/${type}/${record.id}` },
    committed: true,
  };
}

/** Answers `record/v1/...`; `segments` are the path's parts after `record/v1/`. */
export async function recordRoute(
  request: IncomingMessage,
  segments: string[],
  context: RecordContext,
): Promise<Reply> {
  const method = request.method ?? 'GET';
  const [typeName = '', key, ...rest] = segments;
  const type = recordType(typeName);
  if (rest.length > 0)
    throw new NetSuiteError(404, 'NONEXISTENT_ID', 'This sub-resource is not supported by the emulator.');
  if (key === undefined || key === '') {
    if (method !== 'POST') throw methodNotAllowed(method);
    return write(request, context, type);
  }
  const externalId = externalIdOf(key);
  if (method === 'PUT') {
    if (externalId === undefined) throw methodNotAllowed('PUT by internal id (use PUT .../eid:<externalId>)');
    return write(request, context, type, externalId);
  }
  if (method !== 'GET') throw methodNotAllowed(method);
  if (externalId === undefined && !/^\d{1,18}$/.test(key))
    throw new NetSuiteError(400, 'INVALID_ID', `The record id ${key} is invalid.`);
  const record =
    externalId === undefined ? context.store.get(type, key) : context.store.getByExternalId(type, externalId);
  if (record === undefined) throw recordNotFound(type, key);
  return { status: 200, body: toApiRecord(record, context.origin, context.store, expandsSubResources(request)) };
}
