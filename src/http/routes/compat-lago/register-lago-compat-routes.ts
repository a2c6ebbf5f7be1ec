import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import { toProblem } from '../../problem.js';
import { registerCreateLagoBatchEvents } from './create-batch-events.js';
import { registerCreateLagoEvent } from './create-event.js';
import { toLagoError, type LagoCompatDependencies } from './lago-api.js';

function parseJson(_request: FastifyRequest, body: string | Buffer, done: (error: Error | null, value?: unknown) => void): void {
  try {
    // Plain JSON.parse keeps "__proto__" as an ordinary key, so ingestion can refuse it as a 422 naming the field.
    done(null, JSON.parse(body.toString()));
  } catch (error) {
    done(new ValidationError(`body is not valid JSON: ${(error as Error).message}`));
  }
}

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
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: deps.config.ingestion.maxBodyBytes }, parseJson);
    scope.setErrorHandler(lagoErrorHandler(deps.logger));
    registerCreateLagoEvent(scope, deps);
    registerCreateLagoBatchEvents(scope, deps);
  });
}
