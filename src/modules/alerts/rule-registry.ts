import { ConflictError } from '../../platform/errors.js';
import type { RuleEvaluator } from './alerts.js';

/**
 * The rules an evaluation runs. Meterbridge's own are registered from the `alerts` settings; another
 * module adds its own by registering an evaluator (reconciliation's mismatches, say). A rule is
 * registered once.
 */
export interface RuleRegistry {
  register(evaluator: RuleEvaluator): void;
  list(): RuleEvaluator[];
}

export function createRuleRegistry(initial: readonly RuleEvaluator[] = []): RuleRegistry {
  const rules = new Map<string, RuleEvaluator>();
  const registry: RuleRegistry = {
    register(evaluator) {
      if (!/^[a-z][a-z0-9_]{0,63}$/.test(evaluator.rule))
        throw new Error(
          `an alert rule is named in snake_case (at most 64 characters), got ${JSON.stringify(evaluator.rule)}`,
        );
      if (rules.has(evaluator.rule)) throw new ConflictError(`alert rule ${evaluator.rule} is registered already`);
      rules.set(evaluator.rule, evaluator);
    },
    list: () => [...rules.values()],
  };
  for (const evaluator of initial) registry.register(evaluator);
  return registry;
}

/** A rule turned off in the settings: it finds nothing, so its open alerts resolve. */
export const switchedOff = (rule: string): RuleEvaluator => ({ rule, evaluate: async () => [] });
