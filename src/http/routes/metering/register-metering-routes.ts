import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../../http-dependencies.js';
import { registerGetException } from './get-exception.js';
import { registerGetMeteringStatus } from './get-metering-status.js';
import { registerListExceptions } from './list-exceptions.js';
import { registerPostExceptionsIgnore } from './post-exceptions-ignore.js';
import { registerPostExceptionsReprocess } from './post-exceptions-reprocess.js';
import { registerPostReplay } from './post-replay.js';

/** Exceptions, replays and the metering stage's status: the operator's side of metering. */
export function registerMeteringRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  registerListExceptions(app, deps);
  registerGetException(app, deps);
  registerPostExceptionsIgnore(app, deps);
  registerPostExceptionsReprocess(app, deps);
  registerPostReplay(app, deps);
  registerGetMeteringStatus(app, deps);
}
