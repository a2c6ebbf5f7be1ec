import type { TestApp } from './test-app.js';

/** A JSON Schema as the published contract carries it; read loosely, like any document from outside. */
export type Schema = Record<string, unknown>;

export interface ApiParameter {
  in: 'path' | 'query' | 'header';
  name: string;
  schema: Schema;
}

/** One operation of the app's own /openapi.json, as a fuzzer needs it. */
export interface ApiOperation {
  method: string;
  /** The path template, such as `/v1/invoices/{id}`. */
  path: string;
  secured: boolean;
  parameters: ApiParameter[];
  /** Request body schema by media type (empty when the operation takes no body). */
  bodies: Record<string, Schema>;
  /** The media types each documented status answers with. */
  responses: Record<string, string[]>;
  /** The response schema of each status and media type. */
  responseSchemas: Record<string, Record<string, Schema>>;
}

interface RawOperation {
  security?: unknown[];
  parameters?: ApiParameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

/** Every operation the running app publishes, so that a new route is covered without touching the test. */
export async function readOperations(t: TestApp): Promise<ApiOperation[]> {
  const api = (await (await t.request('/openapi.json', { key: null })).json()) as {
    paths: Record<string, Record<string, RawOperation>>;
  };
  return Object.entries(api.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      secured: (operation.security ?? []).length > 0,
      parameters: operation.parameters ?? [],
      bodies: Object.fromEntries(
        Object.entries(operation.requestBody?.content ?? {}).map(([type, content]) => [type, content.schema ?? {}]),
      ),
      responses: Object.fromEntries(
        Object.entries(operation.responses ?? {}).map(([status, response]) => [
          status,
          Object.keys(response.content ?? {}),
        ]),
      ),
      responseSchemas: Object.fromEntries(
        Object.entries(operation.responses ?? {}).map(([status, response]) => [
          status,
          Object.fromEntries(
            Object.entries(response.content ?? {}).map(([type, content]) => [type, content.schema ?? {}]),
          ),
        ]),
      ),
    })),
  );
}

export function operationName(operation: Pick<ApiOperation, 'method' | 'path'>): string {
  return `${operation.method} ${operation.path}`;
}
