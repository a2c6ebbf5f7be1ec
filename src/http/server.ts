import fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { HttpDependencies } from './http-dependencies.js';
import { registerHttpMetrics } from './http-metrics.js';
import { problem, problemErrorHandler, sendProblemFor, toProblem } from './problem.js';
import { registerRawBodyRoutes } from './raw-body-scope.js';
import { registerApiKeyRoutes } from './routes/api-keys/register-api-key-routes.js';
import { registerBillingRoutes } from './routes/billing/register-billing-routes.js';
import { registerCatalogRoutes } from './routes/catalog/register-catalog-routes.js';
import { registerLagoCompatRoutes } from './routes/compat-lago/register-lago-compat-routes.js';
import { registerOpenMeterCompatRoutes } from './routes/compat-openmeter/post-events.js';
import { registerGetSchema } from './routes/event-types/get-schema.js';
import { registerListSchemas } from './routes/event-types/list-schemas.js';
import { registerPutSchema } from './routes/event-types/put-schema.js';
import { registerPostEvents } from './routes/events/post-events.js';
import { registerMeteringRoutes } from './routes/metering/register-metering-routes.js';
import { registerRatingRoutes } from './routes/rating/register-rating-routes.js';
import { registerHealth } from './routes/system/health.js';
import { registerMetrics } from './routes/system/metrics.js';
import { registerOpenApi } from './routes/system/openapi.js';
import { registerGetUsage } from './routes/usage/get-usage.js';

// Other JSON bodies (schemas, catalog) are small; event bodies have their own, configurable limit.
const DEFAULT_BODY_LIMIT = 1024 * 1024;

export async function buildServer(deps: HttpDependencies): Promise<FastifyInstance> {
  const app = fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request logs would dominate at ingestion rates; latency lives in the metrics instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Event types are up to 256 characters, percent-encoded in paths up to three times that.
    routerOptions: { maxParamLength: 1024 },
    // Errors the router raises before any route runs (bad percent-encoding, ...) are problems too.
    frameworkErrors: (error, request, reply) => sendProblemFor(request, reply, toProblem(error, deps.logger)),
    ajv: { customOptions: { allErrors: true, coerceTypes: true, removeAdditional: false } },
  });
  app.setErrorHandler(problemErrorHandler(deps.logger));
  app.setNotFoundHandler((request, reply) => sendProblemFor(request, reply, problem(404, `no route ${request.method} ${request.url.split('?')[0]}`)));
  registerHttpMetrics(app, deps.metrics);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Meterbridge API',
        version: '1',
        description: 'Usage-to-cash middleware: ingestion, schema registry, catalog and operations endpoints. Errors are application/problem+json.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key from `meterbridge keys create`.' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerHealth(app, deps);
  registerMetrics(app, deps);
  registerOpenApi(app);
  registerPutSchema(app, deps);
  registerListSchemas(app, deps);
  registerGetSchema(app, deps);
  await registerCatalogRoutes(app, deps);
  registerMeteringRoutes(app, deps);
  registerGetUsage(app, deps);
  registerRatingRoutes(app, deps);
  registerBillingRoutes(app, deps);
  registerApiKeyRoutes(app, deps);
  await registerRawBodyRoutes(app, deps.config.ingestion.maxBodyBytes, (scope) => {
    registerPostEvents(scope, deps);
    registerOpenMeterCompatRoutes(scope, deps);
  });
  await registerLagoCompatRoutes(app, deps);
  return app;
}
