import type { Database } from '../../platform/database/database.js';
import type { Alert, EvaluationResult, Finding, Observation, RuleEvaluator } from './alerts.js';
import { findOpenAlerts, openAlert, refreshAlert, resolveAlert } from './alert-repository.js';
import { addNotification } from './notification-repository.js';

// Evaluators of one store take turns writing (a transaction-scoped advisory lock): each sees the alerts
// the previous one opened or resolved. The partial unique index on open alerts stands behind it.
const EVALUATION_LOCK = 'select pg_advisory_xact_lock(7363520147)';
const MAX_SUBJECT = 500;

/**
 * Runs every rule at `now`, then, in one transaction: opens an alert for each new (rule, subject), keeps
 * the latest values of those still firing, and resolves the open ones no longer found. Each opening and
 * each resolution adds its notification in the same transaction (`notify`: a webhook is configured).
 */
export async function evaluateRules(
  db: Database,
  rules: readonly RuleEvaluator[],
  now: Date,
  { notify }: { notify: boolean },
): Promise<EvaluationResult> {
  const context = { db, now };
  const found = new Map<string, Map<string, Finding>>();
  const observations: Observation[] = [];
  const failures: EvaluationResult['failures'] = [];
  await Promise.all(
    rules.map(async (evaluator) => {
      try {
        const findings = await evaluator.evaluate(context);
        const bySubject = new Map<string, Finding>();
        for (const finding of findings) {
          const subject = finding.subject.slice(0, MAX_SUBJECT);
          if (!bySubject.has(subject)) bySubject.set(subject, { ...finding, subject });
        }
        found.set(evaluator.rule, bySubject);
        if (evaluator.observations) observations.push(...(await evaluator.observations(context)));
      } catch (error) {
        failures.push({ rule: evaluator.rule, message: (error as Error).message ?? String(error) });
      }
    }),
  );
  const fired: Alert[] = [];
  const resolved: Alert[] = [];
  let stillOpen = 0;
  await db.transaction(async (tx) => {
    await tx.query(EVALUATION_LOCK);
    const open = await findOpenAlerts(tx, [...found.keys()]);
    const openKeys = new Set(open.map((alert) => `${alert.rule}\n${alert.subject}`));
    for (const [rule, findings] of found) {
      for (const finding of findings.values()) {
        if (openKeys.has(`${rule}\n${finding.subject}`)) {
          await refreshAlert(tx, rule, finding, now);
          stillOpen += 1;
          continue;
        }
        const alert = await openAlert(tx, rule, finding, now);
        if (!alert) continue;
        fired.push(alert);
        if (notify) await addNotification(tx, alert.id, 'fired', now);
      }
    }
    for (const alert of open) {
      if (found.get(alert.rule)?.has(alert.subject)) continue;
      const closed = await resolveAlert(tx, alert.id, now);
      if (!closed) continue;
      resolved.push(closed);
      if (notify) await addNotification(tx, closed.id, 'resolved', now);
    }
  });
  observations.sort((a, b) => a.rule.localeCompare(b.rule) || a.subject.localeCompare(b.subject));
  return { evaluatedAt: now, fired, resolved, stillOpen, observations, failures };
}
