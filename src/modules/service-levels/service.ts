import { Decimal } from 'decimal.js';
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../../platform/clock.js';
import type { Queryable } from '../../platform/database/database.js';
import { builtInObjectives } from './objectives.js';
import type { ServiceLevelSettings } from './service-level-settings.js';
import type { ObjectiveEvaluator, ObjectiveReport, ServiceLevelReport } from './service-levels.js';

const DAY_MS = 24 * 3_600_000;

export interface ServiceLevels {
  /** Adds an objective of another module. */
  register(objective: ObjectiveEvaluator): void;
  /** Every objective's attainment over its window ending now. */
  report(): Promise<ServiceLevelReport>;
}

export function createServiceLevels({
  db,
  clock,
  settings,
}: {
  db: Queryable;
  clock: Clock;
  settings: ServiceLevelSettings;
}): ServiceLevels {
  const objectives = new Map(builtInObjectives(settings).map((objective) => [objective.objective, objective]));
  return {
    register(objective) {
      if (objectives.has(objective.objective))
        throw new Error(`service-level objective ${objective.objective} is registered already`);
      objectives.set(objective.objective, objective);
    },
    async report() {
      const now = clock.now();
      const failures: ServiceLevelReport['failures'] = [];
      const reports = await Promise.all(
        [...objectives.values()].map(async (objective): Promise<ObjectiveReport | undefined> => {
          const window = { start: new Date(now.getTime() - objective.windowDays * DAY_MS), end: now };
          try {
            const measured = await objective.measure({ db, now, window });
            const counted = new Decimal(measured.met).add(measured.missed);
            const attainment = counted.isZero()
              ? null
              : new Decimal(measured.met).div(counted).toDecimalPlaces(6, Decimal.ROUND_DOWN);
            return {
              objective: objective.objective,
              description: objective.description,
              status: attainment === null ? 'no_data' : attainment.gte(objective.target) ? 'met' : 'missed',
              target: objective.target,
              attainment: attainment?.toFixed() ?? null,
              ...measured,
              window: { start: window.start.toISOString(), end: window.end.toISOString(), days: objective.windowDays },
            };
          } catch (error) {
            failures.push({ objective: objective.objective, message: (error as Error).message ?? String(error) });
            return undefined;
          }
        }),
      );
      return { at: now.toISOString(), objectives: reports.filter((r) => r !== undefined), failures };
    },
  };
}

/** A scrape reuses a report this young: measuring reads a whole window of records. */
const METRICS_REPORT_MAX_AGE_MS = 60_000;

/**
 * `meterbridge_service_level_attainment{objective}` (0-1, absent without data) and
 * `meterbridge_service_level_met{objective}` (1 met, 0 missed), measured at most once a minute (by the
 * injected clock), so frequent scrapes do not each read a month of usage records.
 */
export function registerServiceLevelMetrics(registry: Registry, serviceLevels: ServiceLevels, clock: Clock): void {
  let last: { at: number; report: Promise<ServiceLevelReport | undefined> } | undefined;
  const shared = () => {
    const now = clock.now().getTime();
    if (!last || now - last.at >= METRICS_REPORT_MAX_AGE_MS || now < last.at) {
      // A failed measure (the store away) is not kept: the next scrape tries again.
      const report = serviceLevels.report().catch(() => {
        last = undefined;
        return undefined;
      });
      last = { at: now, report };
    }
    return last.report;
  };
  new Gauge({
    name: 'meterbridge_service_level_attainment',
    help: "Share of an objective's items within its bound over its window (met / (met + missed)).",
    labelNames: ['objective'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const objective of (await shared())?.objectives ?? [])
        if (objective.attainment !== null) this.set({ objective: objective.objective }, Number(objective.attainment));
    },
  });
  new Gauge({
    name: 'meterbridge_service_level_met',
    help: 'Whether an objective is met over its window: 1 met, 0 missed (absent without data).',
    labelNames: ['objective'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const objective of (await shared())?.objectives ?? [])
        if (objective.status !== 'no_data')
          this.set({ objective: objective.objective }, objective.status === 'met' ? 1 : 0);
    },
  });
}
