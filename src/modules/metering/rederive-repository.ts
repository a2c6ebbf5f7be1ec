import type { Queryable } from '../../platform/database/database.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';
import type { ExceptionDraft, ExceptionReason, UsageDraft } from './usage.js';

/** A usage record as stored, with what re-derivation compares (and the invoice that froze it, if any). */
export type StoredUsage = Pick<
  UsageDraft,
  | 'eventSeq'
  | 'meterKey'
  | 'customerKey'
  | 'subscriptionKey'
  | 'legalEntity'
  | 'currency'
  | 'value'
  | 'distinctKey'
  | 'dimensions'
  | 'meterEffectiveFrom'
> & { invoiceId: string | null };

export type ExceptionStatus = 'open' | 'resolved' | 'ignored';

export interface StoredException {
  id: string;
  eventSeq: string;
  meterKey: string;
  reason: ExceptionReason;
  detail: string;
  customerKey: string | null;
  status: ExceptionStatus;
}

// Numerics and bigints are selected as text.
interface StoredUsageRow {
  event_seq: string;
  meter_key: string;
  customer_key: string;
  subscription_key: string;
  legal_entity: string;
  currency: string;
  value: string | null;
  distinct_key: string | null;
  dimensions: Record<string, unknown>;
  meter_effective_from: Timestamp | null;
  invoice_id: string | null;
}

function fromRowStoredUsage(row: StoredUsageRow): StoredUsage {
  return {
    eventSeq: row.event_seq,
    meterKey: row.meter_key,
    customerKey: row.customer_key,
    subscriptionKey: row.subscription_key,
    legalEntity: row.legal_entity,
    currency: row.currency,
    value: row.value,
    distinctKey: row.distinct_key,
    dimensions: row.dimensions,
    meterEffectiveFrom: row.meter_effective_from ? new Date(row.meter_effective_from).toISOString() : null,
    invoiceId: row.invoice_id,
  };
}

export async function loadUsageOf(db: Queryable, eventSeqs: readonly string[]): Promise<StoredUsage[]> {
  const result = await db.query<StoredUsageRow>(
    `select event_seq::text, meter_key, customer_key, subscription_key, legal_entity, currency, value::text as value,
            distinct_key, dimensions, meter_effective_from, invoice_id
       from usage_records where event_seq = any($1::bigint[])`,
    [eventSeqs],
  );
  return result.rows.map(fromRowStoredUsage);
}

interface StoredExceptionRow {
  id: string;
  event_seq: string;
  meter_key: string;
  reason: ExceptionReason;
  detail: string;
  customer_key: string | null;
  status: ExceptionStatus;
}

function fromRowStoredException(row: StoredExceptionRow): StoredException {
  return {
    id: row.id,
    eventSeq: row.event_seq,
    meterKey: row.meter_key,
    reason: row.reason,
    detail: row.detail,
    customerKey: row.customer_key,
    status: row.status,
  };
}

export async function loadExceptionsOf(db: Queryable, eventSeqs: readonly string[]): Promise<StoredException[]> {
  const result = await db.query<StoredExceptionRow>(
    `select id::text, event_seq::text, meter_key, reason, detail, customer_key, status
       from metering_exceptions where event_seq = any($1::bigint[])`,
    [eventSeqs],
  );
  return result.rows.map(fromRowStoredException);
}

/** Rewrites a record that is not invoiced (the trigger refuses the others). */
export async function updateUsage(db: Queryable, record: UsageDraft, derivedAt: Date): Promise<void> {
  await db.query(
    `update usage_records
        set customer_key = $3, subscription_key = $4, legal_entity = $5, currency = $6, value = $7::numeric, distinct_key = $8,
            dimensions = $9::jsonb, catalog_version = $10, meter_effective_from = $11, derived_at = $12
      where event_seq = $1 and meter_key = $2 and invoice_id is null`,
    [
      record.eventSeq,
      record.meterKey,
      record.customerKey,
      record.subscriptionKey,
      record.legalEntity,
      record.currency,
      record.value,
      record.distinctKey,
      JSON.stringify(record.dimensions),
      record.catalogVersion,
      record.meterEffectiveFrom,
      derivedAt,
    ],
  );
}

export async function deleteUsage(db: Queryable, eventSeq: string, meterKey: string): Promise<void> {
  await db.query(`delete from usage_records where event_seq = $1 and meter_key = $2 and invoice_id is null`, [
    eventSeq,
    meterKey,
  ]);
}

export async function closeExceptions(
  db: Queryable,
  ids: readonly string[],
  status: 'resolved' | 'ignored',
  resolution: string,
  by: string,
  now: Date,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const result = await db.query<{ id: string }>(
    `update metering_exceptions set status = $2, resolution = $3, resolved_by = $4, updated_at = $5
      where id = any($1::bigint[]) and status = 'open' returning id::text`,
    [ids, status, resolution, by, now],
  );
  return result.rows.map((row) => row.id);
}

/** Opens an exception again (or keeps it open) with what the latest derivation found. */
export async function reopenException(db: Queryable, id: string, draft: ExceptionDraft, now: Date): Promise<void> {
  await db.query(
    `update metering_exceptions
        set reason = $2, detail = $3, customer_key = $4, status = 'open', resolution = null, resolved_by = null, updated_at = $5
      where id = $1 and status <> 'ignored'`,
    [id, draft.reason, draft.detail, draft.customerKey, now],
  );
}
