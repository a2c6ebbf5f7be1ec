import type { FastifyInstance } from 'fastify';
import type { LineageService } from '../../../modules/lineage/index.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { registerGetLineage } from './get-lineage.js';

/** Lineage: an event, a target's document or an invoice line, traced through every stage. */
export function registerLineageRoutes(
  app: FastifyInstance,
  deps: HttpDependencies & { lineage: LineageService },
): void {
  registerGetLineage(app, deps, deps.lineage);
}
