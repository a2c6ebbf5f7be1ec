import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/platform/package-root.js';
import { Ajv, type ValidateFunction } from 'ajv';
// ajv-formats is CommonJS: under NodeNext its plugin is the `default` property of the imported object.
import ajvFormats from 'ajv-formats';

// Stripe's own OpenAPI 3.0 description (the vendored subset, API version 2024-04-10) as Ajv validators,
// so a test can hold the emulator's answers, and what clients send it, to Stripe's contract. OpenAPI's
// `nullable: true` becomes a "null" type (and a null enum member); `unix-time` and `decimal` become
// formats. Objects that list their properties are closed (no property the description does not name),
// so an invented field fails as surely as a missing one. The description is in vendor-apis/stripe.

export const VENDOR_APIS = join(packageRoot(), 'vendor-apis');
const SPEC_FILE = join(VENDOR_APIS, 'stripe', 'spec3-2024-04-10.subset.json');
const FIXTURES_FILE = join(VENDOR_APIS, 'stripe', 'fixtures3-2024-04-26.json');

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** OpenAPI 3.0 schema -> JSON Schema (draft-07 as Ajv reads it). */
function convert(schema: unknown, close: boolean): unknown {
  if (Array.isArray(schema)) return schema.map((item) => convert(item, close));
  if (!isObject(schema)) return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key.startsWith('x-')) continue;
    out[key] =
      key === 'properties' && isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([name, child]) => [name, convert(child, close)]))
        : convert(value, close);
  }
  if (close && isObject(out.properties) && out.additionalProperties === undefined) out.additionalProperties = false;
  if (schema.nullable === true) {
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
    if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'] };
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

export interface StripeContract {
  spec: Json;
  /** The answer schema of a status (or `default`) of an operation of the description, by operationId. */
  response(operationId: string, status?: string): ValidateFunction;
  /** A component schema (`invoiceitem`, `customer`, `billing.meter_event`, ...). */
  component(name: string): ValidateFunction;
  /** A list of a component, as Stripe's list answers are. */
  list(name: string, urlPrefix: string): ValidateFunction;
  /** The form body schema of an operation (values coerced from text, as Stripe parses them). */
  requestBody(operationId: string): ValidateFunction;
  /** The schema of one query parameter of an operation (coerced from text). */
  queryParameter(operationId: string, name: string): ValidateFunction | undefined;
  /** Stripe's canonical example objects, by object name. */
  fixtures: Record<string, Json>;
  /** Every operationId the description holds. */
  operations(): string[];
  /** Readable errors of the last validation. */
  explain(validate: ValidateFunction): string;
}

function operation(spec: Json, operationId: string): Json {
  for (const methods of Object.values(spec.paths as Json))
    for (const op of Object.values(methods as Json)) if (isObject(op) && op.operationId === operationId) return op;
  throw new Error(`no operation ${operationId} in the Stripe description`);
}

/** Stripe's contract, from its vendored description. */
export function loadStripeContract(): StripeContract {
  const raw = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as Json;
  const fixtures = (JSON.parse(readFileSync(FIXTURES_FILE, 'utf8')) as { resources: Record<string, Json> }).resources;
  const build = (close: boolean, coerce: boolean) => {
    const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: coerce ? 'array' : false });
    ajvFormats.default(ajv);
    ajv.addFormat('unix-time', { type: 'number', validate: (value: number) => Number.isInteger(value) });
    ajv.addFormat('decimal', /^-?\d+(\.\d+)?$/);
    ajv.addSchema({ components: convert(raw.components, close) }, 'stripe');
    return ajv;
  };
  const answers = build(true, false);
  const requests = build(false, true);
  const cache = new Map<string, ValidateFunction>();
  const compile = (ajv: Ajv, key: string, schema: () => unknown) => {
    let validate = cache.get(key);
    if (validate === undefined) {
      validate = ajv.compile(rebase(schema()) as Json);
      cache.set(key, validate);
    }
    return validate;
  };
  return {
    spec: raw,
    fixtures,
    response(operationId, status = '200') {
      return compile(answers, `response ${operationId} ${status}`, () => {
        const responses = operation(raw, operationId).responses as Json;
        const content = ((responses[status] as Json).content as Json)['application/json'] as Json;
        return convert(content.schema, true);
      });
    },
    component(name) {
      return compile(answers, `component ${name}`, () => ({ $ref: `#/components/schemas/${name}` }));
    },
    list(name, urlPrefix) {
      return compile(answers, `list ${name}`, () => ({
        type: 'object',
        additionalProperties: false,
        required: ['object', 'data', 'has_more', 'url'],
        properties: {
          object: { enum: ['list'] },
          data: { type: 'array', items: { $ref: `#/components/schemas/${name}` } },
          has_more: { type: 'boolean' },
          url: { type: 'string', pattern: `^${urlPrefix}` },
        },
      }));
    },
    requestBody(operationId) {
      return compile(requests, `request ${operationId}`, () => {
        const body = operation(raw, operationId).requestBody as Json;
        return convert(((body.content as Json)['application/x-www-form-urlencoded'] as Json).schema, false);
      });
    },
    queryParameter(operationId, name) {
      const parameters = (operation(raw, operationId).parameters ?? []) as Json[];
      const parameter = parameters.find((candidate) => candidate.in === 'query' && candidate.name === name);
      if (parameter === undefined) return undefined;
      return compile(requests, `query ${operationId} ${name}`, () => convert(parameter.schema, false));
    },
    operations() {
      return Object.values(raw.paths as Json).flatMap((methods) =>
        Object.values(methods as Json).flatMap((op) =>
          isObject(op) && typeof op.operationId === 'string' ? [op.operationId] : [],
        ),
      );
    },
    explain(validate) {
      return (validate.errors ?? [])
        .slice(0, 8)
        .map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`)
        .join('\n');
    },
  };
}

/** Points `#/components/...` at the registered description. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (!isObject(schema)) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `stripe${value}` : rebase(value),
    ]),
  );
}
