import { Gauge, type Registry } from 'prom-client';
import type { Queryable } from '../../platform/database/database.js';
import { countOpenAlertsByRule } from './alert-repository.js';

/**
 * `meterbridge_alerts_open{rule}`, read from the store on each scrape: every registered rule has its
 * series (0 when nothing is open), so a dashboard sees a rule clear. Absent while the store is away.
 */
export function registerAlertMetrics(registry: Registry, db: Queryable, rules: () => string[]): void {
  new Gauge({
    name: 'meterbridge_alerts_open',
    help: 'Alerts open (fired and not resolved), by rule.',
    labelNames: ['rule'],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await countOpenAlertsByRule(db).catch(() => undefined);
      if (!counts) return;
      for (const rule of rules()) this.set({ rule }, 0);
      for (const { rule, open } of counts) this.set({ rule }, open);
    },
  });
}
