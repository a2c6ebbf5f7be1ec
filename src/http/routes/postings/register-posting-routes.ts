import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../../http-dependencies.js';
import { registerGetPosting } from './get-posting.js';
import { registerGetPostingPreview } from './get-posting-preview.js';
import { registerListPostingTargets } from './list-posting-targets.js';
import { registerListPostings } from './list-postings.js';
import { registerPostPostingCancel } from './post-posting-cancel.js';
import { registerPostPostingRetry } from './post-posting-retry.js';

/** Postings to ERP and other targets: the list (the dead-letter queue by status), detail, retry, cancel. */
export function registerPostingRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  registerListPostings(app, deps);
  registerGetPostingPreview(app, deps);
  registerGetPosting(app, deps);
  registerPostPostingRetry(app, deps);
  registerPostPostingCancel(app, deps);
  registerListPostingTargets(app, deps);
}
