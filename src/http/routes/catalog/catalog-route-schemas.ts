import { CATALOG_KINDS } from '../../../modules/catalog/index.js';
import { CATALOG_MEDIA_TYPES } from './catalog-file-body.js';
import { CATALOG_URL_KINDS } from './to-api-catalog.js';

const anyObject = { type: 'object', additionalProperties: true } as const;

const kindDiffSchema = {
  type: 'object',
  required: ['added', 'removed', 'changed'],
  properties: {
    added: { type: 'array', items: { type: 'string' } },
    removed: { type: 'array', items: { type: 'string' } },
    changed: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'changes'],
        properties: {
          key: { type: 'string' },
          changes: {
            type: 'array',
            description:
              '`path` is a JSON Pointer inside the object; `old` is absent for an added field, `new` for a removed one.',
            items: { type: 'object', required: ['path'], properties: { path: { type: 'string' }, old: {}, new: {} } },
          },
        },
      },
    },
  },
} as const;

const catalogDiffSchema = {
  type: 'object',
  description: 'What changed, per kind, object by object (everything is added for version 1).',
  required: [...CATALOG_KINDS],
  // Every kind, or a new one would be dropped from responses by the serializer.
  properties: Object.fromEntries(CATALOG_KINDS.map((kind) => [kind, kindDiffSchema])),
} as const;

const versionProperties = {
  version: { type: 'integer' },
  appliedAt: { type: 'string', format: 'date-time' },
  appliedBy: { type: 'string' },
  checksum: { type: 'string', description: "SHA-256 (hex) of the catalog's canonical JSON." },
} as const;

export const currentCatalogSchema = {
  type: 'object',
  required: ['version', 'appliedAt', 'appliedBy', 'checksum', 'catalog'],
  properties: { ...versionProperties, catalog: { ...anyObject, description: 'The validated catalog document.' } },
} as const;

export const catalogVersionSchema = {
  type: 'object',
  required: [...currentCatalogSchema.required, 'diff'],
  properties: { ...currentCatalogSchema.properties, diff: catalogDiffSchema },
} as const;

export const appliedCatalogSchema = {
  type: 'object',
  required: ['created', 'version', 'appliedAt', 'appliedBy', 'checksum', 'diff'],
  properties: {
    created: {
      type: 'boolean',
      description: 'false when the file changed nothing and the current version is answered.',
    },
    ...versionProperties,
    diff: catalogDiffSchema,
  },
} as const;

export const catalogDiffResultSchema = {
  type: 'object',
  required: ['baseVersion', 'changed', 'diff', 'refusals'],
  properties: {
    baseVersion: {
      type: ['integer', 'null'],
      description: 'The version compared against; null before the first apply.',
    },
    changed: { type: 'boolean', description: 'false when applying the file would create no new version.' },
    diff: catalogDiffSchema,
    refusals: {
      type: 'array',
      description:
        'Why an apply would be refused although the file is valid (meter definitions changed without a later effectiveFrom).',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

// The body reaches validation as the file's text, whatever its media type: the catalog module parses it.
const catalogFileText = {
  type: 'string',
  description: 'The catalog file (docs/catalog.md), UTF-8; JSON is read as strict JSON.',
} as const;

export const catalogFileBodySchema = {
  content: Object.fromEntries(CATALOG_MEDIA_TYPES.map((mediaType) => [mediaType, { schema: catalogFileText }])),
} as const;

export const catalogKindParams = {
  type: 'object',
  required: ['kind'],
  properties: {
    kind: { type: 'string', description: `${CATALOG_URL_KINDS.join(', ')}; any other is a 404.`, maxLength: 64 },
  },
} as const;

export const catalogObjectParams = {
  type: 'object',
  required: ['kind', 'key'],
  properties: {
    ...catalogKindParams.properties,
    key: {
      type: 'string',
      minLength: 1,
      maxLength: 256,
      description: "The object's key (a legal entity's code, a tax rate's region).",
    },
  },
} as const;

export const catalogObjectListSchema = {
  type: 'object',
  required: ['version', 'kind', 'items'],
  properties: { version: { type: 'integer' }, kind: { type: 'string' }, items: { type: 'array', items: anyObject } },
} as const;

export const catalogObjectSchema = {
  type: 'object',
  required: ['version', 'kind', 'key', 'object'],
  properties: { version: { type: 'integer' }, kind: { type: 'string' }, key: { type: 'string' }, object: anyObject },
} as const;
