import type { FastifyInstance } from 'fastify';
import type { Compatibility } from '../../../modules/schemas/index.js';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { schemaParams, schemaVersionSchema } from './schema-route-schemas.js';

export function registerPutSchema(app: FastifyInstance, deps: HttpDependencies): void {
  app.put<{ Params: { type: string; version: number }; Querystring: { compatibility?: Compatibility }; Body: unknown }>(
    '/v1/event-types/:type/schemas/:version',
    {
      onRequest: requirePermission(deps.access, 'admin'),
      schema: {
        summary: "Register a JSON Schema for an event type's data",
        description:
          'Versions are immutable: re-sending the same schema is a no-op (200), a different one is a 409. A new version must be backward compatible with the previous one unless ?compatibility=none; the 409 lists each breaking change.',
        tags: ['schemas'],
        security: [{ bearer: [] }],
        params: schemaParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { compatibility: { type: 'string', enum: ['backward', 'none'] } },
        },
        body: { type: 'object', description: 'A JSON Schema (2020-12, or draft-07 when $schema says so) for data.' },
        response: {
          200: { ...schemaVersionSchema, description: 'Already registered, identical.' },
          201: { ...schemaVersionSchema, description: 'Registered.' },
          400: problemResponse('Invalid schema, each error with its path.'),
          409: problemResponse('Version exists with other content, or breaking changes.'),
          ...authProblemResponses,
        },
      },
    },
    async (request, reply) => {
      const { created, schema } = await deps.schemas.register({
        eventType: request.params.type,
        version: request.params.version,
        schema: request.body,
        compatibility: request.query.compatibility ?? 'backward',
      });
      return reply.status(created ? 201 : 200).send(schema);
    },
  );
}
