import fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { checkAuthenticatesFirst } from './authenticate.js';
import { problemClientErrorHandler } from './client-error.js';
import { registerHostileInputCheck } from './hostile-input.js';
import type { HttpDependencies } from './http-dependencies.js';
import type { LineageService } from '../modules/lineage/index.js';
import { registerHttpMetrics } from './http-metrics.js';
import { jsonBodyParser } from './json-body-parser.js';
import { notFoundHandler } from './not-found.js';
import { problemErrorHandler, sendProblemFor, toProblem } from './problem.js';
import { registerRawBodyRoutes } from './raw-body-scope.js';
import { registerAlertRoutes } from './routes/alerts/register-alert-routes.js';
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
import { registerPostingRoutes } from './routes/postings/register-posting-routes.js';
import { registerReconciliationRoutes } from './routes/reconciliations/register-reconciliation-routes.js';
import { registerRatingRoutes } from './routes/rating/register-rating-routes.js';
import { registerLineageRoutes } from './routes/lineage/register-lineage-routes.js';
import { registerHealth } from './routes/system/health.js';
import { registerMetrics } from './routes/system/metrics.js';
import { registerOpenApi } from './routes/system/openapi.js';
import { registerGetUsage } from './routes/usage/get-usage.js';

// Other JSON bodies (schemas, catalog) are small; event bodies have their own, configurable limit.
const DEFAULT_BODY_LIMIT = 1024 * 1024;

// Lineage is handed over with the rest of the app (App has it) rather than through HttpDependencies.
export async function buildServer(deps: HttpDependencies & { lineage: LineageService }): Promise<FastifyInstance> {
  const app = fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request logs would dominate at ingestion rates; latency lives in the metrics instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Event types are up to 256 characters, percent-encoded in paths up to three times that.
    routerOptions: { maxParamLength: 1024 },
    // Errors the router raises before any route runs (bad percent-encoding, ...) are problems too.
    frameworkErrors: (error, request, reply) => sendProblemFor(request, reply, toProblem(error, deps.logger)),
    // ...and so are the requests Node's HTTP parser refuses before Fastify sees them (431, malformed requests).
    clientErrorHandler: problemClientErrorHandler(deps.logger),
    ajv: { customOptions: { allErrors: true, coerceTypes: true, removeAdditional: false } },
  });
  app.setErrorHandler(problemErrorHandler(deps.logger));
  app.setNotFoundHandler(notFoundHandler(app));
  registerHttpMetrics(app, deps.metrics);
  // Every route answers 401 before it looks at the request; a route that does not fails here, at startup.
  app.addHook('onRoute', checkAuthenticatesFirst);
  // JSON bodies are read as /v1/events reads them (strict UTF-8, then checked before any validation);
  // text/plain is not a JSON route's media type, so it is a 415 rather than a string body.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, jsonBodyParser());
  registerHostileInputCheck(app);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Meterbridge API',
        version: '1',
        description:
          'Usage-to-cash middleware: ingestion, schema registry, catalog and operations endpoints. Errors are application/problem+json.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key from `meterbridge keys create`.' },
        },
      },
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
  registerPostingRoutes(app, deps);
  registerReconciliationRoutes(app, deps);
  registerLineageRoutes(app, deps);
  registerApiKeyRoutes(app, deps);
  registerAlertRoutes(app, deps);
  await registerRawBodyRoutes(app, deps.config.ingestion.maxBodyBytes, (scope) => {
    registerPostEvents(scope, deps);
    registerOpenMeterCompatRoutes(scope, deps);
  });
  await registerLagoCompatRoutes(app, deps);
  return app;
}
