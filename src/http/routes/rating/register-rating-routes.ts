import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../../http-dependencies.js';
import { registerPostRatingPreview } from './post-rating-preview.js';

/** Pricing without billing: quotes from the same rating engine the billing run uses. */
export function registerRatingRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  registerPostRatingPreview(app, deps);
}
