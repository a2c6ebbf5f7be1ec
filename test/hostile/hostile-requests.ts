import fc from 'fast-check';
import { cloudEvent } from '../harness/events.js';
import type { ApiOperation } from '../harness/openapi-operations.js';
import {
  contentTypes,
  deepJsonText,
  headerText,
  hostileJsonText,
  hostileUrlToken,
  hostileYaml,
  invalidUtf8,
  jsonTextFor,
  malformedUrlToken,
  mutated,
  UNDECODABLE_URL_TOKENS,
} from './hostile-values.js';

/** Who a hostile request claims to be. */
export type Credential = { kind: 'admin' } | { kind: 'none' } | { kind: 'header'; authorization: string };

export interface HostileRequest {
  method: string;
  /** Path and query, percent-encoded as sent. */
  url: string;
  contentType: string | null;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  credential: Credential;
}

const GRADUATED_CHARGE = {
  key: 'api',
  meter: 'api_calls',
  model: 'graduated',
  prices: {
    USD: {
      tiers: [
        { upTo: '5', unitPrice: '7' },
        { upTo: null, unitPrice: '6' },
      ],
    },
  },
};

/** Valid bodies of the routes we know, for mutation; any other route is fuzzed from its documented schema alone. */
export function seedBodies(catalog: unknown): Record<string, unknown[]> {
  const lagoEvent = {
    transaction_id: 'tx-seed',
    external_subscription_id: 'sub-1',
    code: 'api.request',
    properties: { tokens: 1, tiers: ['a'] },
  };
  return {
    'POST /v1/events': [[cloudEvent({ id: 'seed-1' }), cloudEvent({ id: 'seed-2' })]],
    'POST /compat/openmeter/api/v1/events': [cloudEvent({ id: 'seed-om' })],
    'POST /compat/lago/api/v1/events': [{ event: lagoEvent }],
    'POST /compat/lago/api/v1/events/batch': [{ events: [lagoEvent, { ...lagoEvent, transaction_id: 'tx-seed-2' }] }],
    'POST /v1/catalog': [catalog],
    'POST /v1/catalog/diff': [catalog],
    'POST /v1/rating/preview': [
      { charge: GRADUATED_CHARGE, currency: 'USD', quantity: '12' },
      { plan: 'growth', chargeKey: 'api', currency: 'USD', quantity: '2', alreadyBilled: '1' },
    ],
    'PUT /v1/event-types/{type}/schemas/{version}': [
      {
        type: 'object',
        properties: { tokens: { type: 'number', maximum: 10 }, tags: { type: 'array', items: { enum: ['a', null] } } },
      },
    ],
    'POST /v1/billing-runs': [{ period: '2026-10' }],
    'POST /v1/replays': [{ from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' }],
    'POST /v1/exceptions/reprocess': [{ ids: ['1', '2'] }],
    'POST /v1/exceptions/ignore': [{ ids: ['1'], reason: 'test' }],
  };
}

// Bodies are kept small (this runs many times); one over the 1 MiB limit stands for every oversized body.
const OVERSIZED = `["${'x'.repeat(1024 * 1024 + 16)}"]`;

function bodyFor(operation: ApiOperation, seeds: readonly unknown[]): fc.Arbitrary<string | Uint8Array> {
  const schemas = Object.values(operation.bodies);
  const shaped = schemas.length > 0 ? fc.oneof(...schemas.map((schema) => jsonTextFor(schema))) : hostileJsonText;
  return fc.oneof(
    { weight: 4, arbitrary: shaped },
    {
      weight: seeds.length > 0 ? 6 : 0,
      arbitrary: seeds.length > 0 ? fc.oneof(...seeds.map(mutated)) : fc.constant('{}'),
    },
    { weight: 2, arbitrary: hostileJsonText },
    { weight: 1, arbitrary: deepJsonText },
    { weight: 1, arbitrary: invalidUtf8 },
    { weight: 1, arbitrary: hostileYaml },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', '{', '{"a":1}{"b":2}', '[1,]', '\n\n', '{"a":"\\u00"}', 'null', OVERSIZED),
    },
    // NDJSON: valid lines around a hostile one.
    {
      weight: 1,
      arbitrary: fc
        .tuple(hostileJsonText, shaped)
        .map(([bad, good]) => `${JSON.stringify(cloudEvent())}\n${bad}\n${good}\n`),
    },
  );
}

function pathFor(template: string, token: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const names = [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  if (names.length === 0) return fc.constant(template);
  return fc
    .tuple(...names.map(() => token))
    .map((values) =>
      names.reduce(
        (path, name, index) => path.replace(`{${name}}`, values[index] === '' ? 'x' : (values[index] as string)),
        template,
      ),
    );
}

function queryFor(operation: ApiOperation): fc.Arbitrary<string> {
  const documented = operation.parameters
    .filter((parameter) => parameter.in === 'query')
    .map((parameter) => parameter.name);
  const name = fc.oneof(
    { weight: 4, arbitrary: documented.length > 0 ? fc.constantFrom(...documented) : hostileUrlToken },
    { weight: 1, arbitrary: hostileUrlToken },
  );
  return fc
    .array(fc.tuple(name, hostileUrlToken), { maxLength: 4 })
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}`));
}

const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.constantFrom(
    'x-forwarded-for',
    'x-request-id',
    'accept',
    'accept-charset',
    'content-encoding',
    'idempotency-key',
    'x-http-method-override',
    'cookie',
  ),
  headerText,
  { maxKeys: 3 },
);

const wrongCredential: fc.Arbitrary<Credential> = fc.oneof(
  fc.constant<Credential>({ kind: 'none' }),
  headerText.map((authorization): Credential => ({ kind: 'header', authorization })),
  fc.constantFrom<Credential>(
    { kind: 'header', authorization: 'Bearer mb_unknown_key' },
    { kind: 'header', authorization: 'Basic YWRtaW46YWRtaW4=' },
  ),
);

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function request(
  operation: ApiOperation,
  seeds: readonly unknown[],
  credential: fc.Arbitrary<Credential>,
  pathToken: fc.Arbitrary<string>,
  method: fc.Arbitrary<string>,
): fc.Arbitrary<HostileRequest> {
  const documentedTypes = Object.keys(operation.bodies);
  return fc
    .record({
      method,
      path: pathFor(operation.path, pathToken),
      query: queryFor(operation),
      contentType: contentTypes(documentedTypes),
      headers: extraHeaders,
      body: bodyFor(operation, seeds),
      credential,
    })
    .map(({ method: chosen, path, query, contentType, headers, body, credential: who }) => {
      const takesBody = chosen !== 'GET' && chosen !== 'HEAD';
      return {
        method: chosen,
        url: `${path}${query}`,
        contentType: takesBody ? contentType : null,
        headers,
        body: takesBody ? body : undefined,
        credential: who,
      };
    });
}

/** A request to `operation` with an admin key: hostile path and query parameters, headers and body; sometimes the wrong method. */
export function hostileRequest(operation: ApiOperation, seeds: readonly unknown[]): fc.Arbitrary<HostileRequest> {
  const method = fc.oneof(
    { weight: 9, arbitrary: fc.constant(operation.method) },
    { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) },
  );
  const pathToken = fc.oneof({ weight: 9, arbitrary: hostileUrlToken }, { weight: 1, arbitrary: malformedUrlToken });
  return request(operation, seeds, fc.constant<Credential>({ kind: 'admin' }), pathToken, method);
}

/**
 * The same hostility without a valid key. Path parameters always route: a path that is malformed or does
 * not decode to text is refused by the router (400), before there is a route to authenticate, and one
 * that changes segments (`.`, `..`, `%2F`) reaches another route or none. So the answer must be 401.
 */
export function unauthenticatedRequest(
  operation: ApiOperation,
  seeds: readonly unknown[],
): fc.Arbitrary<HostileRequest> {
  const unroutable = new Set<string>(['', ...UNDECODABLE_URL_TOKENS]);
  const dotSegment = /^(\.|%2e){1,2}$/i;
  const routable = hostileUrlToken.filter(
    (token) => !unroutable.has(token) && !dotSegment.test(token) && !token.includes('%2F'),
  );
  return request(operation, seeds, wrongCredential, routable, fc.constant(operation.method));
}
