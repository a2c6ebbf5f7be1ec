import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../../http-dependencies.js';
import { registerGetReconciliation } from './get-reconciliation.js';
import { registerListReconciliations } from './list-reconciliations.js';
import { registerPostMismatchRepair } from './post-mismatch-repair.js';
import { registerPostReconciliation } from './post-reconciliation.js';

/** Three-way reconciliation: run one, list and read the kept reports (JSON or CSV), repair a mismatch. */
export function registerReconciliationRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  registerPostReconciliation(app, deps);
  registerListReconciliations(app, deps);
  registerGetReconciliation(app, deps);
  registerPostMismatchRepair(app, deps);
}
