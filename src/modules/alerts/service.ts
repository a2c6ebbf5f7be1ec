import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import type { Logger } from '../../platform/logger.js';
import { fetchPage, type Page } from '../../platform/paging.js';
import type { Subscription } from '../catalog/index.js';
import type { SecretResolver } from '../connectors/index.js';
import type { AlertSettings } from './alert-settings.js';
import { countOpenAlertsByRule, listAlerts } from './alert-repository.js';
import { parseAlertQuery, type AlertParams } from './alert-filter.js';
import type { Alert, EvaluationResult } from './alerts.js';
import { evaluateRules } from './evaluate.js';
import { countUndelivered } from './notification-repository.js';
import { createNotifier, type DeliveryTally } from './notifier.js';
import { pruneRejections } from './rejection-counts.js';
import { createRuleRegistry, switchedOff, type RuleRegistry } from './rule-registry.js';
import { breakerOpenRule } from './rules/breaker-open.js';
import { deadLettersRule } from './rules/dead-letters.js';
import { exceptionsGrowingRule } from './rules/exceptions-growing.js';
import { schemaRejectionsRule } from './rules/schema-rejections.js';
import { silentMeterRule, type MeterSource } from './rules/silent-meter.js';
import { stuckPostingsRule } from './rules/stuck-postings.js';
import { unbilledUsageRule } from './rules/unbilled-usage.js';

export interface AlertsDependencies {
  db: Database;
  clock: Clock;
  settings: AlertSettings;
  secrets: SecretResolver;
  logger: Logger;
  /** The meters the catalog declares now (the silent-meter rule's subjects). */
  meters: () => Promise<MeterSource[]>;
  /** The subscriptions the catalog declares now, by key (the unbilled-usage rule's billing periods). */
  subscriptions: () => Promise<ReadonlyMap<string, Subscription>>;
}

export interface AlertsStatus {
  open: { rule: string; open: number }[];
  notifications: { waiting: number; oldest: Date | null; lastError: string | null };
  webhook: boolean;
}

export interface Alerts {
  /** Where modules add rules of their own. */
  rules: RuleRegistry;
  /** Evaluates every rule now: opens, refreshes and resolves alerts (and their notifications). */
  evaluate(): Promise<EvaluationResult>;
  /** Sends the notifications due now; none without a webhook. */
  deliver(): Promise<DeliveryTally>;
  list(params: AlertParams): Promise<Page<Alert>>;
  status(): Promise<AlertsStatus>;
}

const DAY_MS = 24 * 3_600_000;

/** The built-in rules as the settings declare them; a rule switched off finds nothing, so it resolves. */
function builtInRules(
  settings: AlertSettings,
  { meters, subscriptions }: Pick<AlertsDependencies, 'meters' | 'subscriptions'>,
) {
  const { rules } = settings;
  return [
    rules.unbilledUsage.enabled ? unbilledUsageRule(rules.unbilledUsage, subscriptions) : switchedOff('unbilled_usage'),
    rules.stuckPostings.enabled ? stuckPostingsRule(rules.stuckPostings) : switchedOff('stuck_postings'),
    rules.deadLetters.enabled ? deadLettersRule() : switchedOff('dead_letters'),
    rules.breakerOpen.enabled ? breakerOpenRule() : switchedOff('breaker_open'),
    rules.exceptionsGrowing.enabled
      ? exceptionsGrowingRule(rules.exceptionsGrowing)
      : switchedOff('exceptions_growing'),
    rules.schemaRejections.enabled ? schemaRejectionsRule(rules.schemaRejections) : switchedOff('schema_rejections'),
    rules.silentMeter.enabled ? silentMeterRule(rules.silentMeter, meters) : switchedOff('silent_meter'),
  ];
}

export function createAlerts({
  db,
  clock,
  settings,
  secrets,
  logger,
  meters,
  subscriptions,
}: AlertsDependencies): Alerts {
  const rules = createRuleRegistry(builtInRules(settings, { meters, subscriptions }));
  const notifier = settings.webhook && createNotifier({ db, clock, webhook: settings.webhook, secrets, logger });
  return {
    rules,
    async evaluate() {
      const now = clock.now();
      const result = await evaluateRules(db, rules.list(), now, { notify: Boolean(notifier) });
      await pruneRejections(db, new Date(now.getTime() - 2 * DAY_MS));
      for (const failure of result.failures) logger.error(failure, 'an alert rule could not be evaluated');
      return result;
    },
    deliver: async () => (notifier ? notifier.deliverDue() : { delivered: 0, failed: 0 }),
    async list(params) {
      const { filter, limit } = parseAlertQuery(params);
      return fetchPage(
        limit,
        (size) => listAlerts(db, filter, size),
        (alert) => alert.id,
      );
    },
    async status() {
      return {
        open: await countOpenAlertsByRule(db),
        notifications: await countUndelivered(db),
        webhook: Boolean(notifier),
      };
    },
  };
}
