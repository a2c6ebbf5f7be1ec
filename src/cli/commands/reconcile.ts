import { Command, Option } from 'commander';
import { byOption, cliActor } from '../cli-actor.js';
import {
  REPORT_PARTS,
  reportCsv,
  type ReconciliationReport,
  type ReportPart,
} from '../../modules/reconciliation/index.js';
import { withStoreOptions } from '../options.js';
import { printResult } from '../print-result.js';
import { openConfiguredApp, withApp, without, type AppCommandDependencies } from '../with-app.js';

const HELP = `
Compares, per legal entity, currency, customer and meter, the period's accepted usage, its finalized
documents, and what each target holds, read back through its connector at half its request rate
(docs/reconciliation.md). Each run is kept (GET /v1/reconciliations/<id>). A period not closed yet
(its end and the grace period) is reported provisional; a target that cannot be read back is named
unverified. With --repair, safe fixes are made (a posting the target lost is put back in line, a stuck
one made due now), audited as --by; the rest say what a person must do. Exits 1 when the period is not
clean, so a scheduler can alert on it.`;

function formatReport(report: ReconciliationReport): string[] {
  const { summary } = report;
  const state = summary.clean ? 'clean' : `${summary.mismatches} mismatches`;
  const lines = [
    `${report.period}${report.legalEntity ? ` ${report.legalEntity}` : ''}: ${state}${report.provisional ? ' (provisional: the period has not closed)' : ''} — ${report.id}`,
    ...report.totals.map((total) => {
      const targets = Object.keys(total.posted).map(
        (target) => `${target} posted ${total.posted[target]}, held ${total.verified[target] ?? '0'}`,
      );
      return `  ${total.legalEntity} ${total.currency}: usage ${total.usageRecordsInvoiced}/${total.usageRecords} records invoiced; ${total.documents} documents, invoiced ${total.invoiced}${targets.length ? `; ${targets.join('; ')}` : ''}`;
    }),
    ...(summary.awaitingDelivery > 0
      ? [`  awaiting delivery: ${summary.awaitingDelivery} documents are carried only by postings not delivered yet`]
      : []),
    ...summary.unverified.map(
      (target) => `  unverified: ${target.targetKey} (${target.postingsUnread} postings not read): ${target.reason}`,
    ),
    ...report.mismatches.map(
      (mismatch) =>
        `  #${mismatch.seq} ${mismatch.class}${mismatch.repaired ? ' (repaired)' : ''}: ${mismatch.detail}\n     → ${mismatch.action}`,
    ),
  ];
  return lines;
}

export function reconcileCommand(dependencies: AppCommandDependencies = {}): Command {
  const openApp = dependencies.openApp ?? openConfiguredApp;
  return withStoreOptions(
    new Command('reconcile').description('reconcile a period: usage, invoices and what each target holds'),
  )
    .requiredOption('--period <YYYY-MM>', 'the period to reconcile')
    .option('--entity <code>', 'one legal entity only')
    .option('--repair', 'make the safe repairs (audited)')
    .option('--stuck-after-hours <hours>', 'an open posting older than this is stuck (default 24)')
    .option('--json', 'print the report as JSON')
    .addOption(new Option('--csv <part>', 'print one part of the report as CSV').choices([...REPORT_PARTS]))
    .addOption(byOption('who reconciles (and repairs)'))
    .addHelpText('after', HELP)
    .action(async (options: Record<string, unknown>) => {
      const actor = cliActor(options.by as string | undefined);
      const stuck = options.stuckAfterHours === undefined ? undefined : Number(options.stuckAfterHours);
      const request = {
        period: options.period,
        ...(options.entity === undefined ? {} : { entity: options.entity }),
        repair: options.repair === true,
        ...(stuck === undefined ? {} : { stuckAfterHours: stuck }),
      };
      const report = await withApp(
        without(options, ['period', 'entity', 'repair', 'stuckAfterHours', 'json', 'csv', 'by']),
        openApp,
        (app) => app.reconciliations.run(request, actor),
      );
      if (typeof options.csv === 'string') console.log(reportCsv(report, options.csv as ReportPart).trimEnd());
      else printResult(report, options.json, formatReport);
      if (!report.summary.clean) process.exitCode = 1;
    });
}
