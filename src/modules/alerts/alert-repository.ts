import type { Queryable } from '../../platform/database/database.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';
import type { Alert, AlertFilter, Finding } from './alerts.js';

interface AlertRow {
  id: string;
  rule: string;
  subject: string;
  summary: string;
  observed: string | null;
  threshold: string | null;
  details: Record<string, unknown> | string;
  fired_at: Timestamp;
  last_seen_at: Timestamp;
  resolved_at: Timestamp | null;
}

const COLUMNS = `id::text as id, rule, subject, summary, observed::text as observed, threshold::text as threshold,
  details, fired_at, last_seen_at, resolved_at`;

export function fromRowAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    rule: row.rule,
    subject: row.subject,
    summary: row.summary,
    observed: row.observed,
    threshold: row.threshold,
    details: typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : row.details,
    firedAt: new Date(row.fired_at),
    lastSeenAt: new Date(row.last_seen_at),
    resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at),
  };
}

/** A finding as the statements that open and refresh an alert take it: $1 to $7. */
const findingParameters = (rule: string, finding: Finding, now: Date) => [
  rule,
  finding.subject,
  finding.summary,
  finding.observed ?? null,
  finding.threshold ?? null,
  JSON.stringify(finding.details ?? {}),
  now,
];

/**
 * Opens a firing of `rule` for the finding's subject, unless one is open already (the partial unique
 * index decides, also against another process inserting at once): the new alert, or undefined.
 */
export async function openAlert(tx: Queryable, rule: string, finding: Finding, now: Date): Promise<Alert | undefined> {
  const result = await tx.query<AlertRow>(
    `insert into alerts (rule, subject, summary, observed, threshold, details, fired_at, last_seen_at)
     values ($1, $2, $3, $4::numeric, $5::numeric, $6::jsonb, $7, $7)
     on conflict (rule, subject) where resolved_at is null do nothing
     returning ${COLUMNS}`,
    findingParameters(rule, finding, now),
  );
  return result.rows[0] && fromRowAlert(result.rows[0]);
}

/** Keeps an open alert's latest values (what the rule measured this time). */
export async function refreshAlert(tx: Queryable, rule: string, finding: Finding, now: Date): Promise<void> {
  await tx.query(
    `update alerts set summary = $3, observed = $4::numeric, threshold = $5::numeric, details = $6::jsonb, last_seen_at = $7
      where rule = $1 and subject = $2 and resolved_at is null`,
    findingParameters(rule, finding, now),
  );
}

/** Resolves an open alert; undefined when it was resolved already (by another process). */
export async function resolveAlert(tx: Queryable, id: string, now: Date): Promise<Alert | undefined> {
  const result = await tx.query<AlertRow>(
    `update alerts set resolved_at = greatest($2::timestamptz, fired_at) where id = $1 and resolved_at is null returning ${COLUMNS}`,
    [id, now],
  );
  return result.rows[0] && fromRowAlert(result.rows[0]);
}

/** The open alerts of the given rules. */
export async function findOpenAlerts(db: Queryable, rules: readonly string[]): Promise<Alert[]> {
  const result = await db.query<AlertRow>(
    `select ${COLUMNS} from alerts where resolved_at is null and rule = any($1::text[]) order by id`,
    [rules],
  );
  return result.rows.map(fromRowAlert);
}

/** Alerts newest first, filtered; `limit` rows at most. */
export async function listAlerts(db: Queryable, filter: AlertFilter, limit: number): Promise<Alert[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.state === 'open') where.push('resolved_at is null');
  if (filter.state === 'resolved') where.push('resolved_at is not null');
  if (filter.rule !== undefined) {
    params.push(filter.rule);
    where.push(`rule = $${params.length}`);
  }
  if (filter.beforeId !== undefined) {
    params.push(filter.beforeId);
    where.push(`id < $${params.length}::bigint`);
  }
  params.push(limit);
  const result = await db.query<AlertRow>(
    `select ${COLUMNS} from alerts ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit $${params.length}`,
    params,
  );
  return result.rows.map(fromRowAlert);
}

export async function findAlert(db: Queryable, id: string): Promise<Alert | undefined> {
  const result = await db.query<AlertRow>(`select ${COLUMNS} from alerts where id = $1::bigint`, [id]);
  return result.rows[0] && fromRowAlert(result.rows[0]);
}

/** Open alerts per rule, for the metrics gauge and `status`. */
export async function countOpenAlertsByRule(db: Queryable): Promise<{ rule: string; open: number }[]> {
  const result = await db.query<{ rule: string; n: string }>(
    `select rule, count(*)::text as n from alerts where resolved_at is null group by rule order by rule`,
  );
  return result.rows.map((row) => ({ rule: row.rule, open: Number(row.n) }));
}
