import { isParamObject, type ParamObject } from './form-params.js';
import { readInteger, readString } from './param-readers.js';
import { invalidParam, invalidRequest, noSuch } from './stripe-error.js';

// Stripe's cursor pagination: newest first, `limit` 1..100 (default 10), `starting_after` (older than
// that object) or `ending_before` (newer than it), and `created` as a number or a range hash
// (`created[gte]=...`). Answers `{object: "list", data, has_more, url}`.

export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'created'] as const;

export interface ListPage<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/** The `created` filter as a predicate on Unix seconds. */
export function readCreated(params: ParamObject): (created: number) => boolean {
  const value = params.created;
  if (value === undefined) return () => true;
  if (typeof value === 'string') {
    const exact = readInteger(params, 'created');
    return (created) => created === exact;
  }
  if (!isParamObject(value)) throw invalidParam('created', 'Invalid created: a number or a hash of gt, gte, lt, lte.');
  const bounds: Partial<Record<'gt' | 'gte' | 'lt' | 'lte', number>> = {};
  for (const key of Object.keys(value)) {
    if (key !== 'gt' && key !== 'gte' && key !== 'lt' && key !== 'lte')
      throw invalidRequest(`Received unknown parameter: created[${key}]`, {
        code: 'parameter_unknown',
        param: `created[${key}]`,
      });
    bounds[key] = readInteger(value, key, { path: `created[${key}]` });
  }
  return (created) =>
    (bounds.gt === undefined || created > bounds.gt) &&
    (bounds.gte === undefined || created >= bounds.gte) &&
    (bounds.lt === undefined || created < bounds.lt) &&
    (bounds.lte === undefined || created <= bounds.lte);
}

/** One page of `newestFirst` (already filtered), rendered by `render`. */
export function listPage<R extends { id: string }, T>(
  newestFirst: R[],
  params: ParamObject,
  kind: string,
  url: string,
  render: (record: R) => T,
): ListPage<T> {
  const limit = readInteger(params, 'limit', { min: 1, max: 100 }) ?? 10;
  const after = readString(params, 'starting_after');
  const before = readString(params, 'ending_before');
  if (after && before)
    throw invalidRequest('You may only specify one of these parameters: ending_before, starting_after.');
  let window = newestFirst;
  if (after) {
    const at = newestFirst.findIndex((record) => record.id === after);
    if (at === -1) throw noSuch(kind, after, 'starting_after', 400);
    window = newestFirst.slice(at + 1);
    return { object: 'list', data: window.slice(0, limit).map(render), has_more: window.length > limit, url };
  }
  if (before) {
    const at = newestFirst.findIndex((record) => record.id === before);
    if (at === -1) throw noSuch(kind, before, 'ending_before', 400);
    window = newestFirst.slice(Math.max(0, at - limit), at);
    return { object: 'list', data: window.map(render), has_more: at - limit > 0, url };
  }
  return { object: 'list', data: window.slice(0, limit).map(render), has_more: window.length > limit, url };
}
