import type { IncomingMessage } from 'node:http';
import { BcError, badRequest } from './bc-error.js';
import type { CompanyStore, EntitySetName } from './company-store.js';
import {
  createDimensionSetLine,
  deleteDimensionSetLine,
  findDimensionSetLine,
  listDimensionSetLines,
  updateDimensionSetLine,
  type DimensionParentType,
} from './dimension-set-lines.js';
import { DIMENSION_SET_LINE, GL_ENTRY, JOURNAL, JOURNAL_LINE, type EntitySpec } from './entity-specs.js';
import { isGuid, readBody, renderEntity, type StoredEntity, type Values } from './entity-values.js';
import {
  createJournal,
  createJournalLine,
  deleteJournal,
  deleteJournalLine,
  listJournals,
  postJournal,
  updateJournal,
  updateJournalLine,
} from './journals.js';
import { filtersOn, parseQuery, queryPage } from './odata-query.js';
import { readJsonBody } from './read-json-body.js';
import {
  createSalesDocument,
  createSalesLine,
  deleteSalesDocument,
  deleteSalesLine,
  postSalesDocument,
  refuseIfPosted,
  SALES_KINDS,
  updateSalesDocument,
  updateSalesLine,
  type SalesKindSpec,
} from './sales-documents.js';

// The company's API v2.0 resources under `/v2.0/<tenant>/<environment>/api/v2.0/companies(<id>)/`:
// entity sets, single entities by `(<id>)`, their line parts, and bound actions
// (`.../journals(<id>)/Microsoft.NAV.post`). A route answers a Reply; a write that changed the store says
// so (`committed`), which is what the commit-then-drop fault acts on.

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The request changed the company's data (a create, an update, a delete, a posting). */
  committed?: boolean;
}

export interface RouteContext {
  store: CompanyStore;
  /** `<origin>/v2.0/<tenant>/<environment>/api/v2.0`, for `@odata.context`, Location and next links. */
  apiBase: string;
  pageSize: number;
  maxBodyBytes: number;
}

interface Resource {
  spec: EntitySpec;
  set: EntitySetName;
  list(store: CompanyStore, parent: StoredEntity | undefined, anyTemplate: boolean): StoredEntity[];
  /** One entity of a part by its key, where the key is not the entity's own id (a dimension's id). */
  find?(store: CompanyStore, parent: StoredEntity, key: string): StoredEntity | undefined;
  create?(store: CompanyStore, values: Values, parent: StoredEntity | undefined): StoredEntity;
  update?(
    store: CompanyStore,
    entity: StoredEntity,
    values: Values,
    ifMatch: string | undefined,
    parent?: StoredEntity,
  ): void;
  remove?(store: CompanyStore, entity: StoredEntity, ifMatch: string | undefined, parent?: StoredEntity): void;
  /** The bound actions the emulator carries out; the page's others answer "not implemented". */
  actions?: Record<string, (store: CompanyStore, entity: StoredEntity) => void>;
  parts?: Record<string, Resource>;
}

/**
 * The `dimensionSetLines` part of a parent of `parentType`; `writable` checks a write may change the
 * parent (a posted document's may not), and is absent where the part is read-only (G/L entries).
 */
function dimensionSetLines(
  parentType: DimensionParentType,
  writable?: (store: CompanyStore, parent: StoredEntity) => void,
): Resource {
  const part: Resource = {
    spec: DIMENSION_SET_LINE,
    set: 'dimensionSetLines',
    list: (store, parent) => listDimensionSetLines(store, parent!),
    find: (store, parent, key) => findDimensionSetLine(store, parent, key),
  };
  if (writable === undefined) return part;
  return {
    ...part,
    create: (store, values, parent) => {
      writable(store, parent!);
      return createDimensionSetLine(store, parent!, parentType, values);
    },
    update: (store, line, values, ifMatch, parent) => {
      writable(store, parent!);
      updateDimensionSetLine(store, parent!, line, values, ifMatch);
    },
    remove: (store, line, ifMatch, parent) => {
      writable(store, parent!);
      deleteDimensionSetLine(store, parent!, line, ifMatch);
    },
  };
}

const JOURNAL_LINES: Resource = {
  spec: JOURNAL_LINE,
  set: 'journalLines',
  list: (store, parent) => store.list('journalLines', parent?.id),
  create: (store, values, parent) => createJournalLine(store, parent!, values),
  update: (store, line, values, ifMatch, parent) => updateJournalLine(store, parent!, line, values, ifMatch),
  remove: (store, line, ifMatch) => deleteJournalLine(store, line, ifMatch),
  parts: { dimensionSetLines: dimensionSetLines('Journal Line', () => undefined) },
};

function salesLines(kind: SalesKindSpec): Resource {
  const documentOf = (store: CompanyStore, line: StoredEntity) => store.get(kind.set, line.parentId ?? '')!;
  return {
    spec: kind.lineSpec,
    set: kind.lineSet,
    list: (store, parent) => store.list(kind.lineSet, parent?.id),
    create: (store, values, parent) => createSalesLine(store, kind, parent!, values),
    update: (store, line, values, ifMatch, parent) => updateSalesLine(store, kind, parent!, line, values, ifMatch),
    remove: (store, line, ifMatch, parent) => deleteSalesLine(store, kind, parent!, line, ifMatch),
    parts: {
      dimensionSetLines: dimensionSetLines(kind.lineDimensionParent, (store, line) =>
        refuseIfPosted(kind, documentOf(store, line)),
      ),
    },
  };
}

function salesDocuments(kind: SalesKindSpec): Resource {
  return {
    spec: kind.spec,
    set: kind.set,
    list: (store) => store.list(kind.set),
    create: (store, values) => createSalesDocument(store, kind, values),
    update: (store, document, values, ifMatch) => updateSalesDocument(store, kind, document, values, ifMatch),
    remove: (store, document, ifMatch) => deleteSalesDocument(store, kind, document, ifMatch),
    actions: { post: (store, document) => postSalesDocument(store, kind, document) },
    parts: {
      [kind.lineSet]: salesLines(kind),
      dimensionSetLines: dimensionSetLines(kind.dimensionParent, (_store, document) => refuseIfPosted(kind, document)),
    },
  };
}

const RESOURCES: Readonly<Record<string, Resource>> = {
  journals: {
    spec: JOURNAL,
    set: 'journals',
    list: (store, _parent, anyTemplate) => listJournals(store, anyTemplate),
    create: (store, values) => createJournal(store, values),
    update: (store, journal, values, ifMatch) => updateJournal(store, journal, values, ifMatch),
    remove: (store, journal, ifMatch) => deleteJournal(store, journal, ifMatch),
    actions: { post: (store, journal) => postJournal(store, journal) },
    parts: { journalLines: JOURNAL_LINES },
  },
  generalLedgerEntries: {
    spec: GL_ENTRY,
    set: 'generalLedgerEntries',
    list: (store) => store.list('generalLedgerEntries'),
    parts: { dimensionSetLines: dimensionSetLines('General Ledger Entry') },
  },
  salesInvoices: salesDocuments(SALES_KINDS.invoice),
  salesCreditMemos: salesDocuments(SALES_KINDS.creditMemo),
};

/** The parts `$expand` names, rendered inside each entity; a part the emulator does not serve is 501. */
function expander(store: CompanyStore, resource: Resource, names: readonly string[]) {
  const parts = names.map((name) => {
    const part = resource.parts?.[name];
    if (part === undefined)
      throw new BcError(501, 'BadRequest_MethodNotImplemented', `The part '${name}' is not served by the emulator.`);
    return [name, part] as const;
  });
  return (entity: StoredEntity): Record<string, unknown> =>
    Object.fromEntries(
      parts.map(([name, part]) => [
        name,
        part.list(store, entity, false).map((child) => renderEntity(part.spec, child)),
      ]),
    );
}

interface Segment {
  name: string;
  key?: string;
}

/** `journals(1f0e...)` as its name and key; a key that is no GUID is OData's syntax error. */
function parseSegment(text: string): Segment {
  const match = /^([A-Za-z][A-Za-z0-9.]*)(?:\(([^()]*)\))?$/.exec(text);
  if (match === null)
    throw new BcError(404, 'BadRequest_ResourceNotFound', `Resource not found for the segment '${text}'.`);
  const [, name, key] = match;
  if (key !== undefined && !isGuid(key))
    throw new BcError(400, 'BadRequest_NotFound', `'|' or ',' expected at position 3 in (${key}).`);
  return key === undefined ? { name: name! } : { name: name!, key: key.toLowerCase() };
}

const methodNotAllowed = (method: string, set: string) =>
  new BcError(
    405,
    'BadRequest_MethodNotAllowed',
    `'${method}' requests for '${set}' of EdmType 'Entity' are not allowed within Microsoft Dynamics NAV OData web services.`,
  );

const notFoundEntity = (spec: EntitySpec, id: string) =>
  new BcError(404, 'BadRequest_NotFound', `The ${spec.entityName} with id ${id} does not exist.`);

const ifMatchOf = (request: IncomingMessage) => {
  const header = request.headers['if-match'];
  return Array.isArray(header) ? header.join(',') : header;
};

/** Routes the segments after `companies(<id>)/`. */
export async function routeCompany(
  request: IncomingMessage,
  segments: readonly string[],
  params: URLSearchParams,
  context: RouteContext,
): Promise<Reply> {
  const { store } = context;
  const method = request.method ?? 'GET';
  const companyPath = `companies(${store.company.id})`;
  const parsed = segments.map(parseSegment);
  const [first, second, third, fourth] = parsed;
  if (first === undefined) throw badRequest('An entity set must follow the company.', 'BadRequest_NotFound');
  const top = RESOURCES[first.name];
  if (top === undefined)
    throw new BcError(404, 'BadRequest_ResourceNotFound', `Resource not found for the segment '${first.name}'.`);

  let resource = top;
  let parent: StoredEntity | undefined;
  let entity: StoredEntity | undefined;
  let action: string | undefined;
  let path = `${companyPath}/${first.name}`;
  if (first.key !== undefined) {
    entity = store.get(top.set, first.key);
    if (entity === undefined) throw notFoundEntity(top.spec, first.key);
    path += `(${entity.id})`;
  }
  for (const segment of [second, third]) {
    if (segment === undefined) break;
    if (entity === undefined || action !== undefined)
      throw new BcError(404, 'BadRequest_ResourceNotFound', `Resource not found for the segment '${segment.name}'.`);
    if (segment.name.startsWith('Microsoft.NAV.')) {
      action = segment.name.slice('Microsoft.NAV.'.length);
      continue;
    }
    const part = resource.parts?.[segment.name];
    if (part === undefined) {
      if (resource.spec.parts.includes(segment.name))
        throw new BcError(
          501,
          'BadRequest_MethodNotImplemented',
          `The part '${segment.name}' is not served by the emulator.`,
        );
      throw new BcError(404, 'BadRequest_ResourceNotFound', `Resource not found for the segment '${segment.name}'.`);
    }
    parent = entity;
    resource = part;
    entity = undefined;
    path = `${path}/${segment.name}`;
    if (segment.key !== undefined) {
      entity = part.find ? part.find(store, parent, segment.key) : store.get(part.set, segment.key);
      if (entity === undefined || entity.parentId !== parent.id) throw notFoundEntity(part.spec, segment.key);
      path += `(${entity.id})`;
    }
  }
  if (fourth !== undefined)
    throw new BcError(404, 'BadRequest_ResourceNotFound', `Resource not found for the segment '${fourth.name}'.`);

  // BC's context names the entity set as reached (`companies(<id>)/journals(<id>)/journalLines`).
  const context$ = `${context.apiBase}/$metadata#${entity === undefined ? path : path.replace(/\([0-9a-f-]{36}\)$/, '')}`;
  if (action !== undefined) {
    if (method !== 'POST') throw methodNotAllowed(method, resource.spec.entitySet);
    const run = resource.actions?.[action];
    if (run === undefined) {
      if (resource.spec.actions.includes(action))
        throw new BcError(
          501,
          'BadRequest_MethodNotImplemented',
          `The action '${action}' is not carried out by the emulator.`,
        );
      throw new BcError(400, 'BadRequest_MethodNotImplemented', 'Entity does not support bound actions');
    }
    run(store, entity!);
    return { status: 204, committed: true };
  }

  const location = (created: StoredEntity) => `${context.apiBase}/${path}(${created.id})`;
  if (entity === undefined) {
    if (method === 'GET') {
      const query = parseQuery(params, resource.spec);
      const all = resource.list(store, parent, filtersOn(query.filter, 'templateDisplayName'));
      const page = queryPage(
        all,
        query,
        resource.spec,
        context.pageSize,
        (skip, topLeft) => {
          const next = new URLSearchParams(params);
          next.delete('$skip');
          next.set('$skiptoken', String(skip));
          if (topLeft === undefined) next.delete('$top');
          else next.set('$top', String(topLeft));
          return `${context.apiBase}/${path}?${next.toString()}`;
        },
        expander(store, resource, query.expand),
      );
      return {
        status: 200,
        body: {
          '@odata.context': context$,
          value: page.value,
          ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
        },
      };
    }
    if (method === 'POST' && resource.create !== undefined) {
      const values = readBody(resource.spec, await readJsonBody(request, context.maxBodyBytes));
      const created = resource.create(store, values, parent);
      return {
        status: 201,
        body: { '@odata.context': `${context$}/$entity`, ...renderEntity(resource.spec, created) },
        headers: { location: location(created) },
        committed: true,
      };
    }
    throw methodNotAllowed(method, resource.spec.entitySet);
  }
  if (method === 'GET') {
    const query = parseQuery(params, resource.spec);
    return {
      status: 200,
      body: {
        '@odata.context': `${context$}/$entity`,
        ...renderEntity(resource.spec, entity, query.select),
        ...expander(store, resource, query.expand)(entity),
      },
    };
  }
  if (method === 'PATCH' && resource.update !== undefined) {
    const values = readBody(resource.spec, await readJsonBody(request, context.maxBodyBytes));
    resource.update(store, entity, values, ifMatchOf(request), parent);
    return {
      status: 200,
      body: { '@odata.context': `${context$}/$entity`, ...renderEntity(resource.spec, entity) },
      committed: true,
    };
  }
  if (method === 'DELETE' && resource.remove !== undefined) {
    resource.remove(store, entity, ifMatchOf(request), parent);
    return { status: 204, committed: true };
  }
  throw methodNotAllowed(method, resource.spec.entitySet);
}
