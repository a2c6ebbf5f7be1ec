import { listTargetStates } from '../../outbox/index.js';
import type { RuleEvaluator } from '../alerts.js';

/**
 * A target whose circuit breaker is open or probing (half open): its deliveries are held after repeated
 * outage failures. Resolves once a probe succeeds and the breaker closes.
 */
export function breakerOpenRule(): RuleEvaluator {
  return {
    rule: 'breaker_open',
    async evaluate({ db }) {
      return (await listTargetStates(db))
        .filter((state) => state.breaker !== 'closed')
        .map((state) => ({
          subject: state.targetKey,
          summary: `the circuit breaker of target ${state.targetKey} is ${state.breaker.replace('_', ' ')} after ${state.consecutiveFailures} failures in a row`,
          observed: String(state.consecutiveFailures),
          details: {
            target: state.targetKey,
            breaker: state.breaker,
            consecutiveFailures: String(state.consecutiveFailures),
            breakerUntil: state.breakerUntil?.toISOString() ?? null,
          },
        }));
    },
  };
}
