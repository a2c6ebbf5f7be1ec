import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../../http-dependencies.js';
import { registerListApiKeys } from './list-api-keys.js';
import { registerPostApiKeyRevoke } from './post-api-key-revoke.js';

/** API keys: listing and revoking them (creating one stays on the CLI, where its secret is shown once). */
export function registerApiKeyRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  registerListApiKeys(app, deps);
  registerPostApiKeyRevoke(app, deps);
}
