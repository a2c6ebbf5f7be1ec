import type { Queryable } from '../../platform/database/database.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';

/** One hand-made change to billing state: who, what, on which object, with what details. */
export interface AuditEntry {
  actor: string;
  /** Dotted verb, such as `exception.ignore` or `usage.replay`. */
  action: string;
  /** What it acted on, such as `exception:42` or `usage:2026-10-01..2026-11-01`. */
  target: string;
  detail: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  id: string;
  at: string;
}

/** Appends entries in the caller's transaction, so the audit trail commits with the change or not at all. */
export async function recordAudit(db: Queryable, at: Date, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.query(
    `insert into audit_log (at, actor, action, target, detail)
     select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::jsonb[])`,
    [
      at,
      entries.map((e) => e.actor),
      entries.map((e) => e.action),
      entries.map((e) => e.target),
      entries.map((e) => JSON.stringify(e.detail)),
    ],
  );
}

/** The newest entries first, optionally for one target. */
export async function listAudit(db: Queryable, options: { target?: string; limit: number }): Promise<AuditRecord[]> {
  const result = await db.query<{
    id: string;
    at: Timestamp;
    actor: string;
    action: string;
    target: string;
    detail: Record<string, unknown>;
  }>(
    `select id::text, at, actor, action, target, detail from audit_log
      where $1::text is null or target = $1 order by id desc limit $2`,
    [options.target ?? null, options.limit],
  );
  return result.rows.map((row) => ({ ...row, at: new Date(row.at).toISOString() }));
}
