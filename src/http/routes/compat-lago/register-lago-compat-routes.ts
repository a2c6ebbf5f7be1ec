import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../../platform/logger.js';
import { jsonBodyParser } from '../../json-body-parser.js';
import { toProblem } from '../../problem.js';
import { registerCreateLagoBatchEvents } from './create-batch-events.js';
import { registerCreateLagoEvent } from './create-event.js';
import { toLagoError, type LagoCompatDependencies } from './lago-api.js';

function lagoErrorHandler(logger: Logger) {
  return (error: unknown, _request: FastifyRequest, reply: FastifyReply) => {
    const body = toLagoError(toProblem(error, logger));
    return reply.status(body.status).send(body);
  };
}

/**
 * Lago-compatible ingestion under /compat/lago/api/v1, in its own scope: Lago's JSON parsing and
 * Lago-shaped errors apply there only.
 */
export async function registerLagoCompatRoutes(app: FastifyInstance, deps: LagoCompatDependencies): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // The shared JSON parser checks the body's encoding, nesting and numbers; the content of each event
    // (keys such as "__proto__", NUL characters) is checked per event, so Lago answers a 422 naming the field.
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: deps.config.ingestion.maxBodyBytes },
      jsonBodyParser({ contentChecked: 'route' }),
    );
    scope.setErrorHandler(lagoErrorHandler(deps.logger));
    registerCreateLagoEvent(scope, deps);
    registerCreateLagoBatchEvents(scope, deps);
  });
}
