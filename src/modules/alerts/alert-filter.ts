import { ValidationError, type FieldError } from '../../platform/errors.js';
import { oneOf, pageSize, queryPath } from '../../platform/paging.js';
import { ALERT_STATES, type AlertFilter, type AlertState } from './alerts.js';

/** The list parameters, as strings, named as in the query. */
export type AlertParams = Partial<Record<'state' | 'rule' | 'before' | 'limit', string>>;

const ID = /^[1-9]\d{0,17}$/;
const RULE = /^[a-z][a-z0-9_]{0,63}$/;

/** Reads an alert list filter; every bad parameter is reported together at `pathOf(name)`. */
export function parseAlertQuery(
  params: AlertParams,
  pathOf: (name: string) => string = queryPath,
): { filter: AlertFilter; limit: number } {
  const errors: FieldError[] = [];
  const { state, rule, before, limit } = params;
  const filter: AlertFilter = {};
  if (rule !== undefined) {
    // Rule names are snake_case: anything else (a stray byte decoded to U+FFFD, say) names no rule.
    if (RULE.test(rule)) filter.rule = rule;
    else
      errors.push({
        path: pathOf('rule'),
        message: 'must be a rule name: lower-case letters, digits and "_", at most 64',
      });
  }
  if (state !== undefined) {
    const one = oneOf<AlertState>(state, ALERT_STATES, pathOf('state'), errors);
    if (one) filter.state = one;
  }
  if (before !== undefined) {
    if (ID.test(before)) filter.beforeId = before;
    else
      errors.push({ path: pathOf('before'), message: 'must be an alert id (a positive integer of at most 18 digits)' });
  }
  const size = pageSize(limit, pathOf('limit'), errors);
  if (errors.length > 0) throw new ValidationError('invalid alert filter', errors);
  return { filter, limit: size };
}
