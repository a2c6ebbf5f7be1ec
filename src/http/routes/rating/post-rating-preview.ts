import type { FastifyInstance } from 'fastify';
import { validateCharge, type Charge, type CatalogService } from '../../../modules/catalog/index.js';
import { rateCharge, type RatingInput, type RatingResult } from '../../../modules/rating/index.js';
import { findImpreciseDecimals } from '../../../platform/decimal-text.js';
import { ValidationError } from '../../../platform/errors.js';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { ratingPreviewBody, ratingPreviewSchema } from './rating-route-schemas.js';

interface PreviewBody extends RatingInput {
  charge?: unknown;
  plan?: string;
  chargeKey?: string;
  currency: string;
}

type RatingPreview = RatingResult & { charge: { key: string; model: string } };

/** The charge to price: written inline, or named by plan and charge key; exactly one of the two. */
async function previewCharge(body: PreviewBody, catalog: CatalogService): Promise<Charge> {
  const inline = body.charge !== undefined;
  const named = body.plan !== undefined || body.chargeKey !== undefined;
  if (inline && named) {
    throw new ValidationError('give either charge or plan and chargeKey, not both', [
      { path: '/charge', message: 'must not be given with plan or chargeKey' },
    ]);
  }
  if (inline) return validateCharge(body.charge, '/charge');
  if (!named)
    throw new ValidationError('name the charge to price', [
      { path: '/charge', message: 'is required unless plan and chargeKey name a charge of the current catalog' },
    ]);
  if (body.plan === undefined)
    throw new ValidationError('name the charge to price', [{ path: '/plan', message: 'is required with chargeKey' }]);
  if (body.chargeKey === undefined)
    throw new ValidationError('name the charge to price', [{ path: '/chargeKey', message: 'is required with plan' }]);
  return catalog.charge(body.plan, body.chargeKey);
}

export function registerPostRatingPreview(app: FastifyInstance, deps: HttpDependencies): void {
  app.post<{ Body: PreviewBody }>(
    '/v1/rating/preview',
    {
      // Quoting is reading: sales and support price usage without being able to change the catalog.
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: 'Price usage of one charge, with the steps that explain the amount',
        description:
          "The charge is written inline (exactly as in a catalog plan) or named by plan and chargeKey in the current catalog version. The same rating the billing run uses: exact lines, their exact sum, and that sum rounded once to the currency's minor unit, half away from zero. Nothing is stored.",
        tags: ['rating'],
        security: [{ bearer: [] }],
        body: ratingPreviewBody,
        response: {
          200: { ...ratingPreviewSchema, description: 'The price and its breakdown.' },
          400: problemResponse(
            'Malformed JSON, an invalid charge or usage, or both charge and plan; `errors` lists each problem with its body path.',
          ),
          ...authProblemResponses,
          404: problemResponse(
            'No catalog applied yet, no such plan or charge, or the charge has no price in the currency.',
          ),
          413: problemResponse('The body is over the 1 MiB limit.'),
        },
      },
    },
    async (request): Promise<RatingPreview> => {
      const { currency, quantity, eventValues, eventCount, alreadyBilled, proration } = request.body;
      // Refused with the limit, before the rating arithmetic would round them (the charge's own are checked with it).
      const imprecise = findImpreciseDecimals({ quantity, eventValues, alreadyBilled, proration });
      if (imprecise.length > 0) throw new ValidationError('a value is too precise to price exactly', imprecise);
      const charge = await previewCharge(request.body, deps.catalog);
      // rateCharge names its fields as JSON Pointers of its input (`/quantity`), which are body paths here too.
      const result = rateCharge(charge, currency, { quantity, eventValues, eventCount, alreadyBilled, proration });
      return { charge: { key: charge.key, model: charge.model }, ...result };
    },
  );
}
