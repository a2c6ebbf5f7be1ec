// The settings of an `oracle-fusion` target, as the catalog checks them (JSON Schema, draft 2020-12) and
// the connector reads them (oracle-fusion-settings.ts). The credentials secret is never here: the target
// names it in `credentials`, and it holds JSON `{"username", "password"}` (basic authentication of an
// integration user).

/** Oracle's field lengths the target's values must fit (GL_INTERFACE's columns). */
export const ORACLE_LENGTHS = {
  /** SEGMENT1..30: a value of one segment of the chart of accounts. */
  segment: 25,
  /** The chart's segments: SEGMENT1..SEGMENT30. */
  segments: 30,
  /** USER_JE_SOURCE_NAME and USER_JE_CATEGORY_NAME. */
  sourceName: 25,
  /** REFERENCE1 (batch name) and REFERENCE4 (journal name). */
  name: 100,
  /** REFERENCE2, REFERENCE5, REFERENCE10 and REFERENCE21..30: descriptions, truncated to this. */
  description: 240,
} as const;

/** Defaults of the settings a target may leave out. */
export const ORACLE_DEFAULTS = {
  /** How long one delivery (the upload and the import job it starts) may take: 10 minutes. */
  timeoutMs: 600_000,
  /** Between two reads of the import job's status. */
  pollIntervalMs: 10_000,
} as const;

/** Where each segment of the chart of accounts takes its value from. */
const SEGMENT = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['source'],
      properties: { source: { const: 'account' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['source', 'dimension'],
      properties: {
        source: { const: 'dimension' },
        dimension: {
          type: 'string',
          pattern: '^[A-Za-z][A-Za-z0-9_]{0,39}$',
          description: 'the name of a dimension the lines carry, such as "department"',
        },
        default: { type: 'string', minLength: 1, maxLength: ORACLE_LENGTHS.segment },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['source', 'value'],
      properties: {
        source: { const: 'constant' },
        value: { type: 'string', minLength: 1, maxLength: ORACLE_LENGTHS.segment },
      },
    },
  ],
};

const ORACLE_ID = {
  type: 'string',
  pattern: '^[0-9]{1,18}$',
  description: 'an Oracle id: 1 to 18 digits, such as "300000046975971"',
};
const NAME = {
  type: 'string',
  minLength: 1,
  maxLength: ORACLE_LENGTHS.sourceName,
  pattern: '^[^,"\\r\\n]+$',
  description: 'a name of up to 25 characters without commas, quotes or line breaks',
};

export const ORACLE_FUSION_SETTINGS = {
  type: 'object',
  additionalProperties: false,
  required: ['baseUrl', 'ledgerId', 'source', 'category', 'segments'],
  properties: {
    baseUrl: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://[^\\s/?#]+/?$',
      description:
        "the pod's URL without a path, an http:// or https:// URL such as https://abcd-test.fa.us2.oraclecloud.com",
    },
    ledgerId: ORACLE_ID,
    dataAccessSetId: ORACLE_ID,
    source: NAME,
    category: NAME,
    segments: {
      type: 'array',
      minItems: 1,
      maxItems: ORACLE_LENGTHS.segments,
      items: SEGMENT,
      // The natural account: exactly one segment takes the line's account.
      contains: { type: 'object', required: ['source'], properties: { source: { const: 'account' } } },
      minContains: 1,
      maxContains: 1,
      description: 'SEGMENT1 to SEGMENTn in order, exactly one of them {"source": "account"}',
    },
    postErrorsToSuspense: { type: 'boolean' },
    pollIntervalMs: {
      type: 'integer',
      minimum: 10,
      maximum: 600_000,
      description: 'milliseconds from 10 to 600000 between two reads of the import job',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 1000,
      maximum: 3_600_000,
      description: 'milliseconds from 1000 to 3600000 a delivery (upload and import job) may take',
    },
  },
};
