import type { FastifyInstance } from 'fastify';
import type { Config } from '../../src/config/index.js';
import {
  DEFAULT_BILLING_SETTINGS,
  DEFAULT_INGESTION_LIMITS,
  DEFAULT_METERING_SETTINGS,
} from '../../src/config/index.js';
import { buildServer } from '../../src/http/server.js';
import { createApp, type App } from '../../src/main.js';
import type { Clock } from '../../src/platform/clock.js';
import type { Database } from '../../src/platform/database/database.js';
import type { Logger } from '../../src/platform/logger.js';
import type { SecretResolver } from '../../src/modules/connectors/index.js';
import type { TestStores } from './stores.js';

export interface TestApp {
  app: App;
  server: FastifyInstance;
  baseUrl: string;
  adminKey: string;
  keyFor(role: 'ingest' | 'read' | 'finance' | 'admin'): Promise<string>;
  /** fetch against the running server, with the admin key unless `key` says otherwise (`null` sends none). */
  request(path: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export function testConfig(overrides: Partial<Config> = {}, ingestion: Partial<Config['ingestion']> = {}): Config {
  return {
    dataDir: '.meterbridge-test',
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    ...overrides,
    ingestion: { ...DEFAULT_INGESTION_LIMITS, ...ingestion },
    // Tests drive the stage themselves unless they start a worker.
    metering: { ...DEFAULT_METERING_SETTINGS, worker: false },
    billing: { ...DEFAULT_BILLING_SETTINGS },
  };
}

/** A real Meterbridge HTTP server on 127.0.0.1 and a random port, on a fresh database from `stores`. */
export async function startTestApp(
  stores: TestStores | { db: Database },
  options: { config?: Config; clock?: Clock; logger?: Logger; secrets?: SecretResolver } = {},
): Promise<TestApp> {
  const db = 'db' in stores ? stores.db : await stores.fresh();
  const app = await createApp(options.config ?? testConfig(), {
    db,
    clock: options.clock,
    logger: options.logger,
    secrets: options.secrets,
  });
  const bootstrapped = await app.access.bootstrap();
  if (!bootstrapped) throw new Error('test store was not new');
  const server = await buildServer(app);
  const address = await server.listen({ host: '127.0.0.1', port: 0 });
  const request: TestApp['request'] = (path, init = {}) => {
    const { key, json, headers, ...rest } = init;
    const merged = new Headers(headers);
    const bearer = key === undefined ? bootstrapped.key : key;
    if (bearer !== null) merged.set('authorization', `Bearer ${bearer}`);
    if (json !== undefined) merged.set('content-type', merged.get('content-type') ?? 'application/json');
    return fetch(`${address}${path}`, {
      ...rest,
      headers: merged,
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  };
  return {
    app,
    server,
    baseUrl: address,
    adminKey: bootstrapped.key,
    keyFor: async (role) => (await app.access.createKey({ role })).key,
    request,
    close: async () => {
      await server.close();
      await app.close();
    },
  };
}
