import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FieldError } from '../platform/errors.js';
import { findHostileJson } from '../platform/hostile-json.js';
import { refusedInput, wasInspected } from './json-body-parser.js';

// The one check of everything a request carries besides its headers (Node refuses NUL and other
// control characters in those itself): path parameters, query parameters and the parsed body, by the
// same rules as every stored document (platform/hostile-json.ts). It runs before validation and every
// handler, so no route can reach the database with a value PostgreSQL cannot hold. Bodies that are
// not parsed here are checked where they are parsed: events per event (ingestion), catalog files
// after their YAML or JSON is read (catalog module), and JSON bodies by the JSON body parser.

function problemsIn(request: FastifyRequest): FieldError[] {
  const errors = [
    ...findHostileJson(request.params ?? {}, { base: '/params' }),
    ...findHostileJson(request.query ?? {}, { base: '/query' }),
  ];
  const body = request.body;
  if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body) && !wasInspected(body)) errors.push(...findHostileJson(body));
  return errors;
}

export function registerHostileInputCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const errors = problemsIn(request);
    if (errors.length > 0) throw refusedInput('the request', errors);
  });
}
