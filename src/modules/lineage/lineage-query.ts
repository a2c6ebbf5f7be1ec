import { ValidationError, type FieldError } from '../../platform/errors.js';
import { pageSize, queryPath } from '../../platform/paging.js';
import type { LineageRequest } from './lineage.js';

// The lineage query as callers give it (an HTTP query string, CLI options): exactly one lookup (an
// event, a target's document, or an invoice line), every problem reported together, each at its
// caller's own path. Nothing here trusts a parameter to be one string: a repeated one is an array.

export const LINEAGE_PARAMETERS = ['event', 'source', 'id', 'document', 'invoice', 'line', 'limit'] as const;
type Name = (typeof LINEAGE_PARAMETERS)[number];
export type LineageParams = Partial<Record<Name, string>>;

/** The events page of each usage line (default): small, since a document can carry many lines. */
export const DEFAULT_EVENT_PAGE = 10;
/** Longest source taken: CloudEvents' source as ingestion stores it. */
const MAX_SOURCE = 1024;
/** Longest event id (ingestion's MAX_ID_LENGTH) and invoice id. */
const MAX_ID = 256;
/** A target's document id: the target's own id or an external id; longer is no id a target gave. */
const MAX_DOCUMENT_ID = 500;
/** A target key, as the catalog declares it. */
const TARGET_KEY = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/;
const LINE_NO = /^[1-9]\d{0,8}$/;
/** How much of an unknown parameter's name a message repeats. */
const NAME_SHOWN = 100;

const LOOKUPS = 'give one of: event (<source>/<id>), source and id, document (<target>/<id>), or invoice and line';

/**
 * Reads a lineage query, reporting every problem at `pathOf(name)`: unknown and repeated parameters,
 * no lookup or more than one, and each value's own problems.
 */
export function parseLineageQuery(
  raw: Record<string, unknown>,
  pathOf: (name: string) => string = queryPath,
): LineageRequest {
  const errors: FieldError[] = [];
  const params = singleValues(raw, pathOf, errors);
  const given = (name: Name) => params[name] !== undefined;
  const lookups = [
    given('event') && 'event',
    (given('source') || given('id')) && 'source',
    given('document') && 'document',
    (given('invoice') || given('line')) && 'invoice',
  ].filter((lookup): lookup is 'event' | 'source' | 'document' | 'invoice' => lookup !== false);
  const eventLimit = params.limit === undefined ? DEFAULT_EVENT_PAGE : pageSize(params.limit, pathOf('limit'), errors);
  if (lookups.length === 0) errors.push({ path: pathOf('event'), message: `nothing to look up: ${LOOKUPS}` });
  for (const extra of lookups.slice(1))
    errors.push({ path: pathOf(extra), message: `cannot be combined with ${lookups[0]}: ${LOOKUPS}` });
  // Each lookup given is read, so that its own problems are reported beside the conflict.
  const [request] = lookups.map((lookup) => readLookup(lookup, params, pathOf, errors, eventLimit));
  if (errors.length > 0 || !request) throw new ValidationError('invalid lineage query', errors);
  return request;
}

function readLookup(
  lookup: 'event' | 'source' | 'document' | 'invoice',
  params: LineageParams,
  pathOf: (name: string) => string,
  errors: FieldError[],
  eventLimit: number,
): LineageRequest | undefined {
  switch (lookup) {
    case 'event': {
      const value = params.event as string;
      // A CloudEvents source is often a URI with slashes of its own; event ids seldom have one.
      const cut = value.lastIndexOf('/');
      if (cut <= 0 || cut === value.length - 1) {
        errors.push({
          path: pathOf('event'),
          message: 'must be <source>/<id>, split at the last "/" (or give source and id separately)',
        });
        return undefined;
      }
      return eventRequest(value.slice(0, cut), value.slice(cut + 1), ['event', 'event'], pathOf, errors, eventLimit);
    }
    case 'source': {
      const { source, id } = params;
      if (source === undefined) errors.push({ path: pathOf('source'), message: 'is required with id' });
      if (id === undefined) errors.push({ path: pathOf('id'), message: 'is required with source' });
      if (source === undefined || id === undefined) return undefined;
      return eventRequest(source, id, ['source', 'id'], pathOf, errors, eventLimit);
    }
    case 'document': {
      const value = params.document as string;
      // Target keys have no "/"; a target's own ids may (a file target's path and line).
      const cut = value.indexOf('/');
      const target = cut < 0 ? value : value.slice(0, cut);
      const id = cut < 0 ? '' : value.slice(cut + 1);
      const before = errors.length;
      if (!TARGET_KEY.test(target))
        errors.push({
          path: pathOf('document'),
          message: 'must start with a target key (as in the catalog), then "/"',
        });
      if (id.length === 0 || id.length > MAX_DOCUMENT_ID)
        errors.push({
          path: pathOf('document'),
          message: `must end with the document's id after "/" (1-${MAX_DOCUMENT_ID} characters): the target's own id or the external id`,
        });
      return errors.length > before ? undefined : { lookup: 'document', target, id, eventLimit, given: ['document'] };
    }
    case 'invoice': {
      const { invoice, line } = params;
      const before = errors.length;
      if (invoice === undefined) errors.push({ path: pathOf('invoice'), message: 'is required with line' });
      else if (invoice.length === 0 || invoice.length > MAX_ID)
        errors.push({ path: pathOf('invoice'), message: `must be an invoice id (1-${MAX_ID} characters)` });
      if (line === undefined) errors.push({ path: pathOf('line'), message: 'is required with invoice' });
      else if (!LINE_NO.test(line))
        errors.push({ path: pathOf('line'), message: 'must be a line number (a positive integer)' });
      return errors.length > before || invoice === undefined || line === undefined
        ? undefined
        : { lookup: 'line', invoiceId: invoice, lineNo: Number(line), eventLimit, given: ['invoice', 'line'] };
    }
  }
}

function eventRequest(
  source: string,
  id: string,
  [sourceName, idName]: readonly [string, string],
  pathOf: (name: string) => string,
  errors: FieldError[],
  eventLimit: number,
): LineageRequest | undefined {
  const [sourcePath, idPath] = [pathOf(sourceName), pathOf(idName)];
  const before = errors.length;
  if (source.length === 0 || source.length > MAX_SOURCE)
    errors.push({ path: sourcePath, message: `the source must be 1-${MAX_SOURCE} characters` });
  if (id.length === 0 || id.length > MAX_ID)
    errors.push({ path: idPath, message: `the event id must be 1-${MAX_ID} characters` });
  const given = sourceName === idName ? [sourceName] : [sourceName, idName];
  return errors.length > before ? undefined : { lookup: 'event', source, id, eventLimit, given };
}

const isLineageParameter = (name: string): name is Name => (LINEAGE_PARAMETERS as readonly string[]).includes(name);

/** The parameters given once each, as strings; unknown, repeated and non-text ones reported. */
function singleValues(
  raw: Record<string, unknown>,
  pathOf: (name: string) => string,
  errors: FieldError[],
): LineageParams {
  const params: LineageParams = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!isLineageParameter(name)) {
      errors.push({
        path: pathOf(pointerToken(name)),
        message: `is not a lineage parameter (${LINEAGE_PARAMETERS.join(', ')})`,
      });
      continue;
    }
    if (Array.isArray(value)) {
      errors.push({ path: pathOf(name), message: `is given ${value.length} times: give it once` });
      continue;
    }
    if (typeof value !== 'string') {
      errors.push({ path: pathOf(name), message: 'must be text' });
      continue;
    }
    params[name] = value;
  }
  return params;
}

/** An unknown name as a JSON Pointer token, cut short (by code point, so no surrogate is split). */
const pointerToken = (name: string) =>
  Array.from(name).slice(0, NAME_SHOWN).join('').replaceAll('~', '~0').replaceAll('/', '~1');
