import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses } from '../../problem-schema.js';

const targetStateSchema = {
  type: 'object',
  required: ['targetKey', 'breaker', 'concurrencyCap', 'consecutiveFailures', 'breakerUntil', 'nextSlotAt'],
  properties: {
    targetKey: { type: 'string' },
    breaker: {
      type: 'string',
      enum: ['closed', 'open', 'half_open'],
      description: 'open: nothing is sent until breakerUntil, then one probe (half_open).',
    },
    breakerUntil: { type: ['string', 'null'], format: 'date-time' },
    consecutiveFailures: { type: 'integer', description: 'Outage failures in a row (they open the breaker).' },
    concurrencyCap: {
      type: 'integer',
      description:
        "Requests at once now: halved on a 429 that concerns concurrency (or does not say), at most once a second; grown back by one per run of successes up to the target's limit.",
    },
    requestRate: {
      type: ['number', 'null'],
      description:
        "Requests per second sent now, after a 429 that concerns the rate (or does not say) cut it by the share the target refused; null: the target's configured limit, which it climbs back to with successes.",
    },
    throttledAt: {
      type: ['string', 'null'],
      format: 'date-time',
      description: 'When a 429 last cut the cap or the rate.',
    },
    nextSlotAt: { type: 'string', format: 'date-time', description: "The rate limit's next free send time." },
  },
} as const;

export function registerListPostingTargets(app: FastifyInstance, deps: HttpDependencies): void {
  app.get(
    '/v1/posting-targets',
    {
      onRequest: requirePermission(deps.access, 'finance'),
      schema: {
        summary: "Each target's delivery state, shared by every process: circuit breaker, concurrency cap, rate slot",
        tags: ['posting'],
        security: [{ bearer: [] }],
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: { items: { type: 'array', items: targetStateSchema } },
            description: 'Every target that has had a posting.',
          },
          ...authProblemResponses,
        },
      },
    },
    async () => ({ items: await deps.postings.targets() }),
  );
}
