// Usage of one meter over [from, to), cut into windows and groups, with exact decimal values.
// Semantics (per aggregation, empty windows, zones) are documented in docs/usage.md.
import type { Aggregation, Meter } from '../catalog/index.js';
import type { Queryable } from '../../platform/database/database.js';
import { ValidationError } from '../../platform/errors.js';
import { compareUsageRows } from './usage-query-order.js';
import { usageStatement } from './usage-query-sql.js';
import { formatInstant } from './usage-window.js';
import type { UsageWindow } from './usage-window.js';

export { USAGE_WINDOWS, type UsageWindow } from './usage-window.js';
export {
  ATTRIBUTION_GROUPS,
  DEFAULT_USAGE_QUERY_LIMITS,
  USAGE_QUERY_PARAMETERS,
  parseUsageQuery,
} from './usage-query-params.js';

/** A validated usage query (see `parseUsageQuery`); instants are ISO 8601 in UTC. */
export interface UsageQuery {
  /** Only this customer's records, when set. */
  customer: string | null;
  from: string;
  to: string;
  /** null: one window, [from, to). */
  window: UsageWindow | null;
  /** IANA zone the day and month windows (and hour and minute boundaries) follow. */
  tz: string;
  /** Attribution groups (`customer`, ...) and the meter's groupBy paths, in the asked order. */
  groupBy: string[];
}

export interface UsageQueryLimits {
  /** The most windows one query answers. */
  maxWindows: number;
}

export interface UsageRow {
  /** ISO 8601 in UTC; the first window starts at `from` and the last ends at `to`, whatever the alignment. */
  windowStart: string;
  windowEnd: string;
  /** One value per groupBy name: a record attribute, or the dimension's JSON value (null when absent). */
  groups: Record<string, unknown>;
  /** Exact decimal text, computed on PostgreSQL numeric. */
  value: string;
}

export interface UsageQueryResult {
  meter: string;
  aggregation: Aggregation;
  unit: string;
  customer: string | null;
  from: string;
  to: string;
  window: UsageWindow | null;
  tz: string;
  groupBy: string[];
  rows: UsageRow[];
}

type StatementRow = { ws: string; we: string; value: string } & Record<string, string>;

// PostgreSQL's invalid_parameter_value: the zone is known to Intl but not to this database's tz data.
const INVALID_PARAMETER_VALUE = '22023';

/** PostgreSQL's `to_char(... US)` text in UTC as our ISO form. */
function isoOf(text: string): string {
  const [seconds = '', micros = '0'] = text.split('.');
  return formatInstant(Date.parse(`${seconds}Z`) * 1000 + Number(micros));
}

export async function queryUsage(db: Queryable, meter: Meter, query: UsageQuery): Promise<UsageQueryResult> {
  const statement = usageStatement(meter, query);
  let rows: StatementRow[];
  try {
    rows = (await db.query<StatementRow>(statement.sql, statement.params)).rows;
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    if (code === INVALID_PARAMETER_VALUE && /time zone/.test(message ?? '')) {
      throw new ValidationError('the usage query is invalid', [
        { path: '/query/tz', message: `the database does not know the time zone ${JSON.stringify(query.tz)}` },
      ]);
    }
    throw error;
  }
  const usage = rows.map((row) => ({
    windowStart: isoOf(row.ws),
    windowEnd: isoOf(row.we),
    groups: Object.fromEntries(
      statement.groupNames.map((name, index) => [name, JSON.parse(row[`g${index}`] ?? 'null') as unknown]),
    ),
    value: row.value,
  }));
  return {
    meter: meter.key,
    aggregation: meter.aggregation,
    unit: meter.unit,
    customer: query.customer,
    from: query.from,
    to: query.to,
    window: query.window,
    tz: query.tz,
    groupBy: query.groupBy,
    rows: usage.sort((a, b) => compareUsageRows(a, b, statement.groupNames)),
  };
}
