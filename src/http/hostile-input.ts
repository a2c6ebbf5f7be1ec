import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FieldError } from '../platform/errors.js';
import { findHostileJson, MAX_JSON_DEPTH } from '../platform/hostile-json.js';
import { walkJson } from '../platform/json-walk.js';
import { refusedInput, wasInspected } from './json-body-parser.js';

// The one check of everything a request carries besides its headers (Node refuses NUL and other
// control characters in those itself): path parameters, query parameters and the parsed body, by the
// same rules as every stored document (platform/hostile-json.ts). It runs before validation and every
// handler, so no route can reach the database with a value PostgreSQL cannot hold. Bodies that are
// not parsed here are checked where they are parsed: events per event (ingestion), catalog files
// after their YAML or JSON is read (catalog module), and JSON bodies by the JSON body parser.
// Validation then runs between the two hooks below.

function problemsIn(request: FastifyRequest): FieldError[] {
  const errors = [
    ...findHostileJson(request.params ?? {}, { base: '/params' }),
    ...findHostileJson(request.query ?? {}, { base: '/query' }),
  ];
  const body = request.body;
  if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body) && !wasInspected(body))
    errors.push(...findHostileJson(body));
  return errors;
}

// Ajv's type coercion reads "Infinity" and "1e999" as numbers that pass `integer` and even `maximum`
// (a parameter then reaches SQL as Infinity), so what coercion made of the parameters is checked too.
function coercedProblems(request: FastifyRequest): FieldError[] {
  const finite = { number: (value: number) => (Number.isFinite(value) ? undefined : 'must be a finite number') };
  return [
    ...walkJson(request.params ?? {}, finite, { maxDepth: MAX_JSON_DEPTH, base: '/params' }),
    ...walkJson(request.query ?? {}, finite, { maxDepth: MAX_JSON_DEPTH, base: '/query' }),
  ];
}

export function registerHostileInputCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const errors = problemsIn(request);
    if (errors.length > 0) throw refusedInput('the request', errors);
  });
  app.addHook('preHandler', async (request) => {
    const errors = coercedProblems(request);
    if (errors.length > 0) throw refusedInput('the request', errors);
  });
}
