import type { FastifyRequest } from 'fastify';

/**
 * Who a hand-made change is recorded as: the API key's id (never its secret), the same for every route (the
 * catalog and metering routes record it), so one audit trail reads the same whatever was changed.
 */
export function requestActor(request: FastifyRequest): string {
  // requirePermission has set apiKey before any handler runs.
  return `api-key:${request.apiKey?.id ?? 'unknown'}`;
}
