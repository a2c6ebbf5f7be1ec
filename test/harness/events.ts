import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/platform/database/database.js';

/** A valid CloudEvent for tests; `overrides` replace or (with undefined) remove attributes. */
export function cloudEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const event: Record<string, unknown> = {
    specversion: '1.0',
    id: randomUUID(),
    source: 'test/product',
    type: 'api.request',
    subject: 'customer-1',
    time: '2026-10-15T12:00:00Z',
    data: { tokens: 10, model: 'small' },
    ...overrides,
  };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete event[key];
  return event;
}

export async function countRawEvents(db: Database): Promise<number> {
  const result = await db.query<{ count: string }>('select count(*)::text as count from raw_events');
  return Number(result.rows[0]?.count);
}
