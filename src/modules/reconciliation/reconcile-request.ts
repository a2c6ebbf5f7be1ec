import { calendarMonth } from '../billing/index.js';
import type { Catalog } from '../catalog/index.js';
import { ValidationError, type FieldError } from '../../platform/errors.js';

// What a reconciliation is asked for, checked with every problem at its path: a month, a legal entity
// the current catalog declares, whether to repair, and after how long an open posting counts as stuck.

export interface ReconcileRequest {
  period: string;
  start: Date;
  end: Date;
  legalEntity?: string;
  repair: boolean;
  stuckAfterHours: number;
}

export const DEFAULT_STUCK_AFTER_HOURS = 24;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export function parseReconcileRequest(input: unknown, catalog: Catalog | undefined, base = ''): ReconcileRequest {
  const errors: FieldError[] = [];
  const body = isObject(input) ? input : {};
  if (!isObject(input)) errors.push({ path: base || '/', message: 'must be an object: { period, entity?, repair? }' });
  const known = new Set(['period', 'entity', 'repair', 'stuckAfterHours']);
  for (const key of Object.keys(body))
    if (!known.has(key))
      errors.push({
        path: `${base}/${key}`,
        message: 'is not a known field (period, entity, repair, stuckAfterHours)',
      });
  const month = typeof body.period === 'string' ? calendarMonth(body.period) : undefined;
  if (!month) errors.push({ path: `${base}/period`, message: 'is required: a month, YYYY-MM' });
  const entity = body.entity;
  if (entity !== undefined) {
    if (typeof entity !== 'string' || entity.length === 0 || entity.length > 200)
      errors.push({ path: `${base}/entity`, message: 'must be a legal entity code' });
    else if (!catalog?.legalEntities.some((candidate) => candidate.code === entity))
      errors.push({
        path: `${base}/entity`,
        message: `no legal entity "${entity.slice(0, 50)}" is declared in the current catalog${catalog ? ` (${catalog.legalEntities.map((candidate) => candidate.code).join(', ')})` : ''}`,
      });
  }
  if (body.repair !== undefined && typeof body.repair !== 'boolean')
    errors.push({ path: `${base}/repair`, message: 'must be true or false' });
  const stuck = body.stuckAfterHours ?? DEFAULT_STUCK_AFTER_HOURS;
  if (typeof stuck !== 'number' || !Number.isFinite(stuck) || stuck <= 0 || stuck > 24 * 366)
    errors.push({ path: `${base}/stuckAfterHours`, message: 'must be a number of hours above 0, at most a year' });
  if (errors.length > 0 || !month) throw new ValidationError('invalid reconciliation request', errors);
  return {
    period: body.period as string,
    start: month.start,
    end: month.end,
    ...(typeof entity === 'string' ? { legalEntity: entity } : {}),
    repair: body.repair === true,
    stuckAfterHours: stuck as number,
  };
}
