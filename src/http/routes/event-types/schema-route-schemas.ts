export const schemaParams = {
  type: 'object',
  required: ['type', 'version'],
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 256 },
    version: { type: 'integer', minimum: 1, maximum: 999999999 },
  },
} as const;

export const schemaSummarySchema = {
  type: 'object',
  required: ['eventType', 'version', 'compatibility', 'createdAt'],
  properties: {
    eventType: { type: 'string' },
    version: { type: 'integer' },
    compatibility: { type: 'string', enum: ['backward', 'none'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const schemaVersionSchema = {
  ...schemaSummarySchema,
  required: [...schemaSummarySchema.required, 'schema'],
  properties: { ...schemaSummarySchema.properties, schema: { type: 'object', additionalProperties: true } },
} as const;
