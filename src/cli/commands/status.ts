import { Command } from 'commander';
import type { App } from '../../main.js';
import { toApiAlert, type ApiAlert, type Observation } from '../../modules/alerts/index.js';
import type { ServiceLevelReport } from '../../modules/service-levels/index.js';
import { withStoreOptions } from '../options.js';
import { printResult } from '../print-result.js';
import { openConfiguredApp, withApp, type AppCommandDependencies } from '../with-app.js';

const HELP = `
Shows the alerts open now and whether each service-level objective is met over its window, from the
store (what \`serve\` last evaluated). With --evaluate, every alert rule is evaluated first, as \`serve\`
does, and its notifications are delivered. Exit status: 0 all clear; 2 an alert is open or an objective
is missed; 1 it could not run.`;

export interface StatusReport {
  alerts: { open: ApiAlert[]; more: boolean; notificationsWaiting: number; lastNotificationError: string | null };
  observations: Observation[];
  serviceLevels: ServiceLevelReport;
}

async function readStatus(app: App, evaluate: boolean): Promise<StatusReport> {
  let observations: Observation[] = [];
  if (evaluate) {
    observations = (await app.alerts.evaluate()).observations;
    await app.alerts.deliver();
  }
  const open = await app.alerts.list({ state: 'open', limit: '100' });
  const status = await app.alerts.status();
  return {
    alerts: {
      open: open.items.map(toApiAlert),
      more: open.next !== null,
      notificationsWaiting: status.notifications.waiting,
      lastNotificationError: status.notifications.lastError,
    },
    observations,
    serviceLevels: await app.serviceLevels.report(),
  };
}

export function formatStatus(report: StatusReport): string[] {
  const { open } = report.alerts;
  const lines = [
    open.length === 0 ? 'alerts: none open' : `alerts open: ${open.length}${report.alerts.more ? '+' : ''}`,
  ];
  for (const alert of open) lines.push(`  ${alert.rule}  ${alert.subject}  since ${alert.firedAt}  ${alert.summary}`);
  if (report.alerts.notificationsWaiting > 0)
    lines.push(
      `  notifications waiting: ${report.alerts.notificationsWaiting}${report.alerts.lastNotificationError ? ` (last error: ${report.alerts.lastNotificationError})` : ''}`,
    );
  for (const observation of report.observations) lines.push(`  (${observation.state}) ${observation.summary}`);
  const { objectives } = report.serviceLevels;
  lines.push(objectives.length === 0 ? 'service levels: none declared' : 'service levels:');
  const width = Math.max(0, ...objectives.map((objective) => objective.objective.length));
  for (const objective of objectives) {
    const attained = objective.attainment === null ? 'no data' : `${objective.attainment} of ${objective.target}`;
    lines.push(
      `  ${objective.objective.padEnd(width)}  ${objective.status.padEnd(7)}  ${attained} (${objective.met} met, ${objective.missed} missed, ${objective.pending} pending, ${objective.window.days} days)  ${objective.description}`,
    );
  }
  for (const failure of report.serviceLevels.failures)
    lines.push(`  ${failure.objective}: could not be measured: ${failure.message}`);
  return lines;
}

export function statusCommand(dependencies: AppCommandDependencies = {}): Command {
  const openApp = dependencies.openApp ?? openConfiguredApp;
  return withStoreOptions(
    new Command('status').description('show the alerts open and whether each service-level objective is met'),
  )
    .option('--evaluate', 'evaluate every alert rule now first (and deliver its notifications)')
    .option('--json', 'print the status as JSON')
    .addHelpText('after', HELP)
    .action(async (options: Record<string, unknown>) => {
      const { json, evaluate, ...storeOptions } = options;
      const report = await withApp(storeOptions, openApp, (app) => readStatus(app, Boolean(evaluate)));
      printResult(report, json, formatStatus);
      const trouble =
        report.alerts.open.length > 0 ||
        report.serviceLevels.objectives.some((objective) => objective.status === 'missed');
      if (trouble) process.exitCode = 2;
    });
}
