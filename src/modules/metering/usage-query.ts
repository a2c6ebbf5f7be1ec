// Usage of one meter over [from, to), cut into windows and groups, with exact decimal values.
// Semantics (per aggregation, empty windows, zones) are documented in docs/usage.md.
import type { Meter } from '../catalog/index.js';
import type { Queryable } from '../../platform/database/database.js';
import { ValidationError } from '../../platform/errors.js';
import { compareUsageRows } from './usage-query-order.js';
import { usageStatement } from './usage-query-sql.js';
import { formatInstant } from './usage-window.js';
import type { UsageQuery, UsageQueryResult } from './usage-query-types.js';

export { USAGE_WINDOWS, type UsageWindow } from './usage-window.js';
export {
  ATTRIBUTION_GROUPS,
  DEFAULT_USAGE_QUERY_LIMITS,
  USAGE_QUERY_PARAMETERS,
  parseUsageQuery,
} from './usage-query-params.js';

export type { UsageQuery, UsageQueryLimits, UsageQueryResult, UsageRow } from './usage-query-types.js';

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
