import { badRequest } from './oracle-error.js';

// The REST framework's `expand` query parameter on journalBatches, journalHeaders and journalLines: the
// children named are included in the item's payload instead of being reached through their own requests.
// As Oracle documents it: `all`, or child names separated by commas; a nested child written
// `Child.NestedChild`, which expands its parent too (`journalHeaders.journalLines` is
// `journalHeaders,journalHeaders.journalLines`). An expanded child is an array of items in framework
// versions 1 and 2, and from version 3 a collection (`items`, `count`, `hasMore`, `limit`, `offset`,
// `links`). Ours (Oracle does not say): `all` expands the resource's own children, one level; an expanded
// child holds its first EXPANDED_LIMIT rows, `hasMore` telling of the rest; anything else — an unknown or
// misspelt child, an empty name, control characters, lone surrogates, more than MAX_EXPAND_CHARS — is the
// framework's 400.

/** The children each resource has here (Oracle's have more: errors, action logs, flexfields). */
const CHILDREN = {
  journalBatches: ['journalHeaders'],
  journalHeaders: ['journalLines'],
  journalLines: [],
} as const;

export type ExpandableResource = keyof typeof CHILDREN;

/** What to expand under an item: child name -> what to expand under each of its items. */
export type Expansion = ReadonlyMap<string, Expansion>;
type Building = Map<string, Building>;

/** The most rows an expanded child carries; the collection it stands for says whether there are more. */
export const EXPANDED_LIMIT = 25;
/** Longer values are refused: every expansion these resources have is far shorter. */
export const MAX_EXPAND_CHARS = 1024;

const NOTHING: Expansion = new Map();
const HOSTILE =
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const refuse = (value: string, why: string) =>
  badRequest(`The expand parameter "${value.slice(0, 200)}" isn't valid: ${why}.`);

const childrenOf = (resource: ExpandableResource): readonly string[] => CHILDREN[resource];

/** The resource a child of `resource` is: here every child is named as its resource. */
const resourceOf = (child: string) => child as ExpandableResource;

/** Reads `expand` for `resource` (absent or empty: nothing); a 400 for a value the framework refuses. */
export function readExpand(value: string | null, resource: ExpandableResource): Expansion {
  if (value === null || value === '') return NOTHING;
  if (value.length > MAX_EXPAND_CHARS) throw refuse(value, `it is longer than ${MAX_EXPAND_CHARS} characters`);
  if (HOSTILE.test(value)) throw refuse(value, 'it holds control characters or unpaired surrogates');
  const root: Building = new Map();
  for (const entry of value.split(',')) {
    if (entry === 'all') {
      for (const child of childrenOf(resource)) if (!root.has(child)) root.set(child, new Map());
      continue;
    }
    let level = root;
    let parent = resource;
    for (const name of entry.split('.')) {
      if (name === '') throw refuse(value, 'a child name is empty');
      if (!childrenOf(parent).includes(name))
        throw refuse(
          value,
          `${name.slice(0, 80)} isn't a child of ${parent}` +
            (childrenOf(parent).length === 0 ? ', which has none here' : ` (${childrenOf(parent).join(', ')})`),
        );
      if (!level.has(name)) level.set(name, new Map());
      level = level.get(name)!;
      parent = resourceOf(name);
    }
  }
  return root;
}

/**
 * An expanded child in the request's framework version: its first EXPANDED_LIMIT items, as an array (1 and
 * 2) or as a collection whose `hasMore` says whether it holds them all (3 on). `item(index)` is built only
 * for the rows carried.
 */
export function expandedChild(
  total: number,
  item: (index: number) => unknown,
  self: string,
  name: string,
  frameworkVersion: number,
): unknown {
  const items = Array.from({ length: Math.min(total, EXPANDED_LIMIT) }, (_, index) => item(index));
  if (frameworkVersion < 3) return items;
  return {
    items,
    count: items.length,
    hasMore: items.length < total,
    limit: EXPANDED_LIMIT,
    offset: 0,
    links: [{ rel: 'self', href: self, name, kind: 'collection' }],
  };
}
