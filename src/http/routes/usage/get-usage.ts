import type { FastifyInstance } from 'fastify';
import { AGGREGATIONS } from '../../../modules/catalog/index.js';
import { parseUsageQuery, queryUsage, USAGE_WINDOWS } from '../../../modules/metering/index.js';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { currentCatalogVersion } from '../catalog/current-catalog-version.js';

// Only shapes here: parseUsageQuery checks the values, so every bad one is reported together with
// the path /query/<name>; the schema itself refuses only parameters that do not exist.
const text = (description: string) => ({ type: 'string', description }) as const;

const usageQuerystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    meter: text('Key of a meter in the current catalog (required).'),
    customer: text("Only this customer's usage."),
    from: text('RFC 3339 date-time with a zone; the range is [from, to) (required).'),
    to: text('RFC 3339 date-time with a zone, later than from (required).'),
    window: text(`${USAGE_WINDOWS.join(', ')}; absent: one window over [from, to).`),
    tz: text('IANA time zone the windows align to (default UTC).'),
    group_by: text("Comma-separated: customer, subscription, legal_entity, currency, or the meter's groupBy paths."),
  },
} as const;

const instant = { type: 'string', format: 'date-time' } as const;

const usageResultSchema = {
  type: 'object',
  description: 'Usage per window and group; windows are clipped to [from, to). See docs/usage.md.',
  required: ['meter', 'aggregation', 'unit', 'customer', 'from', 'to', 'window', 'tz', 'groupBy', 'rows'],
  properties: {
    meter: { type: 'string' },
    aggregation: { type: 'string', enum: [...AGGREGATIONS] },
    unit: { type: 'string' },
    customer: { type: ['string', 'null'] },
    from: instant,
    to: instant,
    window: { type: ['string', 'null'], enum: [...USAGE_WINDOWS, null] },
    tz: { type: 'string' },
    groupBy: { type: 'array', items: { type: 'string' } },
    rows: {
      type: 'array',
      items: {
        type: 'object',
        required: ['windowStart', 'windowEnd', 'groups', 'value'],
        properties: {
          windowStart: instant,
          windowEnd: instant,
          groups: {
            type: 'object',
            additionalProperties: true,
            description: 'One value per groupBy name; a dimension keeps its JSON value, null when absent.',
          },
          value: { type: 'string', description: 'Exact decimal, never a float.' },
        },
      },
    },
  },
} as const;

export function registerGetUsage(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/v1/usage',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: "Query a meter's usage by window and group",
        tags: ['usage'],
        security: [{ bearer: [] }],
        querystring: usageQuerystring,
        response: {
          200: usageResultSchema,
          400: problemResponse('A parameter is missing, unknown or invalid; `errors` lists each one.'),
          404: problemResponse('No catalog has been applied yet.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => {
      const current = await currentCatalogVersion(deps.catalog);
      const { meter, query } = parseUsageQuery(request.query, current.catalog.meters);
      return queryUsage(deps.db, meter, query);
    },
  );
}
