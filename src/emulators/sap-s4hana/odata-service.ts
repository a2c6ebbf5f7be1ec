import { XMLBuilder } from 'fast-xml-parser';
import type { SapChart } from './emulator-options.js';
import {
  BY_NAME,
  ENTITY_SET,
  ENTITY_TYPE,
  keyPredicate,
  metadataXml,
  PROPERTIES,
  SERVICE,
  type Property,
  type Row,
} from './item-cube-model.js';
import type { JournalStore } from './journal-store.js';
import { FilterError, matches, parseFilter, type Filter } from './odata-filter.js';
import { nextLink, pageOf, SkipTokenError, skipTokenOf } from './odata-paging.js';

export { ENTITY_SET, SERVICE } from './item-cube-model.js';

// API_OPLACCTGDOCITEMCUBE_SRV, OData v2, as far as a client reading postings back needs it: the service
// document, `$metadata` (item-cube-model.ts, with the entity type's properties), and the entity set
// A_OperationalAcctgDocItemCube, one row per item of every posted document, with $filter (see
// odata-filter.ts), $select, $top, $skip, $orderby, $inlinecount, $format and $skiptoken (server-driven
// paging when the emulator has a page size, odata-paging.ts). As SAP Gateway does, it answers Atom XML by
// default (an AtomPub service document; a feed of entries whose m:properties hold the
// values, `m:count` for $inlinecount) and JSON (`{"d": {"results": [...]}}`, decimals as text, dates as
// /Date(ms)/) for `$format=json` or an Accept naming application/json; errors are SAP's OData error
// document in the answer's format.

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Query options the emulator takes; other system query options are refused, custom ones ignored. */
const OPTIONS = new Set(['$filter', '$select', '$top', '$skip', '$orderby', '$inlinecount', '$format', '$skiptoken']);
const MAX_ROWS = 100_000;

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: true, format: true });

/** What the answer is written as: `$format` if given (json, atom or xml), else the Accept header's choice. */
export type Format = 'json' | 'atom';

const ATOM = 'http://www.w3.org/2005/Atom';
const METADATA_NS = 'http://schemas.microsoft.com/ado/2007/08/dataservices/metadata';
const DATA_NS = 'http://schemas.microsoft.com/ado/2007/08/dataservices';

function xml(status: number, contentType: string, document: Record<string, unknown>): Reply {
  return {
    status,
    headers: { 'content-type': `${contentType}; charset=utf-8`, dataserviceversion: '2.0' },
    body: builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' }, ...document }),
  };
}

function json(status: number, value: unknown): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', dataserviceversion: '2.0' },
    body: JSON.stringify(value),
  };
}

const APPLICATION = {
  component_id: 'FI-GL-IS',
  service_namespace: '/SAP/',
  service_id: SERVICE,
  service_version: '0001',
};
const TRANSACTION_ID = '00000000000000000000000000000000';

/** SAP's OData error document, as JSON or (`atom`) as its XML form. */
export function odataError(status: number, code: string, message: string, format: Format = 'json'): Reply {
  if (format === 'atom')
    return xml(status, 'application/xml', {
      error: {
        '@_xmlns': METADATA_NS,
        code,
        message: { '@_xml:lang': 'en', '#text': message },
        innererror: { application: APPLICATION, transactionid: TRANSACTION_ID, errordetails: '' },
      },
    });
  return json(status, {
    error: {
      code,
      message: { lang: 'en', value: message },
      innererror: { application: APPLICATION, transactionid: TRANSACTION_ID, errordetails: [] },
    },
  });
}

function jsonValue(property: Property, row: Row, chart: SapChart): string {
  const text = property.value(row, chart);
  return property.type === 'Edm.DateTime' ? `/Date(${Date.parse(`${text}T00:00:00Z`)})/` : text;
}

/** The answer's format, or undefined for a `$format` SAP Gateway does not write. */
function formatOf(query: URLSearchParams, accept: string | undefined): Format | undefined {
  const format = query.get('$format');
  if (format !== null) return format === 'json' ? 'json' : format === 'atom' || format === 'xml' ? 'atom' : undefined;
  return /application\/json/i.test(accept ?? '') ? 'json' : 'atom';
}

/** The format a refusal is written in: the answer's, and XML for a `$format` SAP does not write. */
export const refusalFormat = (query: URLSearchParams, accept: string | undefined): Format =>
  formatOf(query, accept) ?? 'atom';

const unknownFormat = (query: URLSearchParams) =>
  odataError(406, '/IWFND/CM_MGW/004', `Content type for format '${query.get('$format') ?? ''}' not supported`, 'atom');

function serviceDocumentXml(base: string): Record<string, unknown> {
  return {
    'app:service': {
      '@_xml:lang': 'en',
      '@_xml:base': `${base}/`,
      '@_xmlns:app': 'http://www.w3.org/2007/app',
      '@_xmlns:atom': ATOM,
      '@_xmlns:sap': 'http://www.sap.com/Protocols/SAPData',
      'app:workspace': {
        'atom:title': { '@_type': 'text', '#text': 'Data' },
        'app:collection': {
          '@_sap:creatable': 'false',
          '@_sap:updatable': 'false',
          '@_sap:deletable': 'false',
          '@_sap:content-version': '1',
          '@_href': ENTITY_SET,
          'atom:title': { '@_type': 'text', '#text': ENTITY_SET },
        },
      },
    },
  };
}

/** An Atom value: a DateTime as `2026-10-31T00:00:00`, anything else its text. */
function atomValue(property: Property, row: Row, chart: SapChart): string {
  const text = property.value(row, chart);
  return property.type === 'Edm.DateTime' ? `${text}T00:00:00` : text;
}

function feedXml(
  base: string,
  rows: readonly Row[],
  selected: readonly Property[],
  chart: SapChart,
  count: number | undefined,
  updated: string,
  next: string | undefined,
): Record<string, unknown> {
  const entries = rows.map((row) => {
    const key = `${ENTITY_SET}(${keyPredicate(row)})`;
    return {
      id: `${base}/${key}`,
      title: { '@_type': 'text', '#text': key },
      updated,
      category: {
        '@_term': `${SERVICE}.${ENTITY_TYPE}`,
        '@_scheme': 'http://schemas.microsoft.com/ado/2007/08/dataservices/scheme',
      },
      link: { '@_href': key, '@_rel': 'self', '@_title': ENTITY_TYPE },
      content: {
        '@_type': 'application/xml',
        'm:properties': Object.fromEntries(
          selected.map((property) => [`d:${property.name}`, atomValue(property, row, chart)]),
        ),
      },
    };
  });
  return {
    feed: {
      '@_xml:base': `${base}/`,
      '@_xmlns': ATOM,
      '@_xmlns:m': METADATA_NS,
      '@_xmlns:d': DATA_NS,
      id: `${base}/${ENTITY_SET}`,
      title: { '@_type': 'text', '#text': ENTITY_SET },
      updated,
      author: { name: '' },
      link: [
        { '@_href': ENTITY_SET, '@_rel': 'self', '@_title': ENTITY_SET },
        // Atom does not order a feed's elements; SAP writes the next link after the entries.
        ...(next === undefined ? [] : [{ '@_href': next, '@_rel': 'next' }]),
      ],
      ...(count === undefined ? {} : { 'm:count': String(count) }),
      entry: entries,
    },
  };
}

/**
 * GET under /sap/opu/odata/sap/API_OPLACCTGDOCITEMCUBE_SRV: the service document, $metadata, the entity
 * set. `maxPageRows`: the server's page size (none: every row at once).
 */
export function handleOData(
  subpath: string,
  url: URL,
  accept: string | undefined,
  store: JournalStore,
  chart: SapChart,
  now: () => number = Date.now,
  maxPageRows?: number,
): Reply {
  const query = url.searchParams;
  const base = `${url.origin}/sap/opu/odata/sap/${SERVICE}`;
  const format = formatOf(query, accept);
  if (subpath === '$metadata')
    return {
      status: 200,
      headers: { 'content-type': 'application/xml', dataserviceversion: '2.0' },
      body: metadataXml(),
    };
  if (format === undefined) return unknownFormat(query);
  const refuse = (status: number, code: string, message: string) => odataError(status, code, message, format);
  if (subpath === '' || subpath === '/')
    return format === 'json'
      ? json(200, { d: { EntitySets: [ENTITY_SET] } })
      : xml(200, 'application/atomsvc+xml', serviceDocumentXml(base));
  if (subpath !== ENTITY_SET) return refuse(404, '/IWFND/CM_MGW/020', `Resource not found for segment '${subpath}'`);
  for (const name of query.keys())
    if (name.startsWith('$') && !OPTIONS.has(name))
      return refuse(400, '/IWBEP/CM_MGW_RT/022', `System query option '${name}' is not supported by the emulator`);

  let filter: Filter | undefined;
  try {
    const source = query.get('$filter');
    filter =
      source === null
        ? undefined
        : parseFilter(source, (name) => {
            const type = BY_NAME.get(name)?.type;
            return type === undefined ? undefined : type === 'Edm.DateTime' ? 'datetime' : 'text';
          });
  } catch (error) {
    if (error instanceof FilterError)
      return refuse(400, '/IWBEP/CM_MGW_RT/022', `Invalid filter expression: ${error.message}`);
    throw error;
  }
  const select = query.get('$select');
  const all = select === null || select.trim() === '' || select.trim() === '*';
  const selected: Property[] = all ? [...PROPERTIES] : [];
  if (!all) {
    for (const name of (select ?? '').split(',').map((part) => part.trim())) {
      const property = BY_NAME.get(name);
      if (!property) return refuse(400, '/IWBEP/CM_MGW_RT/021', `Property ${name} not found in type ${ENTITY_TYPE}`);
      selected.push(property);
    }
  }
  const count = (name: string): number | undefined => {
    const text = query.get(name);
    return text === null ? undefined : /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  };
  const top = count('$top');
  const skip = count('$skip') ?? 0;
  if (Number.isNaN(top) || Number.isNaN(skip))
    return refuse(400, '/IWBEP/CM_MGW_RT/022', '$top and $skip must be whole numbers of at least zero');
  let answered: number;
  try {
    answered = skipTokenOf(query);
  } catch (error) {
    if (error instanceof SkipTokenError) return refuse(400, '/IWBEP/CM_MGW_RT/022', error.message);
    throw error;
  }
  const inlinecount = query.get('$inlinecount');
  if (inlinecount !== null && inlinecount !== 'allpages' && inlinecount !== 'none')
    return refuse(400, '/IWBEP/CM_MGW_RT/022', `$inlinecount must be allpages or none, not ${inlinecount}`);

  const rows: Row[] = store.all().flatMap((document) => document.items.map((item) => ({ document, item })));
  const text = (row: Row) => (name: string) => BY_NAME.get(name)?.value(row, chart) ?? '';
  let found = filter === undefined ? rows : rows.filter((row) => matches(filter, text(row)));
  const orderby = query.get('$orderby');
  if (orderby !== null) {
    const keys = orderby.split(',').map((part) => part.trim().split(/\s+/));
    for (const [name, direction] of keys)
      if (!name || !BY_NAME.has(name) || (direction !== undefined && direction !== 'asc' && direction !== 'desc'))
        return refuse(400, '/IWBEP/CM_MGW_RT/022', `Invalid $orderby: ${orderby}`);
    found = [...found].sort((a, b) => {
      for (const [name = '', direction] of keys) {
        const order = text(a)(name).localeCompare(text(b)(name));
        if (order !== 0) return direction === 'desc' ? -order : order;
      }
      return 0;
    });
  }
  const window = found.slice(skip, top === undefined ? skip + MAX_ROWS : skip + Math.min(top, MAX_ROWS));
  const page = pageOf(window, answered, maxPageRows);
  const next = page.next === undefined ? undefined : nextLink(url, page.next);
  if (format === 'atom') {
    const count = inlinecount === 'allpages' ? found.length : undefined;
    const updated = new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return xml(200, 'application/atom+xml;type=feed', feedXml(base, page.rows, selected, chart, count, updated, next));
  }
  const results = page.rows.map((row) => {
    const uri = `${base}/${ENTITY_SET}(${keyPredicate(row)})`;
    return {
      __metadata: { id: uri, uri, type: `${SERVICE}.${ENTITY_TYPE}` },
      ...Object.fromEntries(selected.map((property) => [property.name, jsonValue(property, row, chart)])),
    };
  });
  return json(200, {
    d: {
      ...(inlinecount === 'allpages' ? { __count: String(found.length) } : {}),
      results,
      ...(next === undefined ? {} : { __next: next }),
    },
  });
}
