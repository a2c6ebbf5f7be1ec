import { invoicingAttainment } from '../billing/index.js';
import { exceptionResolutionAttainment, usageLatencyAttainment } from '../metering/index.js';
import type { ServiceLevelSettings } from './service-level-settings.js';
import type { ObjectiveEvaluator } from './service-levels.js';

/** The built-in objectives the settings declare (switched-off ones are left out). */
export function builtInObjectives(settings: ServiceLevelSettings): ObjectiveEvaluator[] {
  const objectives: ObjectiveEvaluator[] = [];
  const { usageLatency, invoicing, exceptionResolution } = settings;
  if (usageLatency.enabled)
    objectives.push({
      objective: 'usage_latency',
      description: `usage derived within ${usageLatency.seconds} s of the event's acceptance`,
      target: usageLatency.target,
      windowDays: usageLatency.windowDays,
      measure: ({ db, window }) => usageLatencyAttainment(db, window, usageLatency.seconds, usageLatency.target),
    });
  if (invoicing.enabled)
    objectives.push({
      objective: 'invoicing',
      description: `every period's invoice finalized within ${invoicing.hours} h of the period's end`,
      target: invoicing.target,
      windowDays: invoicing.windowDays,
      measure: ({ db, window, now }) => invoicingAttainment(db, window, invoicing.hours, invoicing.target, now),
    });
  if (exceptionResolution.enabled)
    objectives.push({
      objective: 'exception_resolution',
      description: `metering exceptions resolved or ignored within ${exceptionResolution.hours} h`,
      target: exceptionResolution.target,
      windowDays: exceptionResolution.windowDays,
      measure: ({ db, window, now }) =>
        exceptionResolutionAttainment(db, window, exceptionResolution.hours, exceptionResolution.target, now),
    });
  return objectives;
}
