import { Command } from 'commander';
import { byOption, cliActor } from '../cli-actor.js';
import type { AccrualResult } from '../../modules/accounting/index.js';
import { withStoreOptions } from '../options.js';
import { printResult } from '../print-result.js';
import { openConfiguredApp, withApp, without, type AppCommandDependencies } from '../with-app.js';

const HELP = `
At a period's close its invoices are usually still drafts (their grace period runs for days): their
revenue is accrued as a journal entry on the period's last day (unbilled revenue against revenue) and
reversed on the next period's first day, when the finalized invoices post it (docs/posting.md).
A billing run of the period comes first (audited as --by, or cli:<login name>), so usage metered since the last
run, or a period not billed yet, is drafted and accrued too. Accruing a period again adds nothing once
its entries exist. \`serve --auto-accrue on\` does this on its own at each period's end.`;

function formatAccruals(result: AccrualResult): string[] {
  // A period accrued before (by hand or by serve): entries it wrote then are not written twice.
  const again = result.recorded ? '' : ' (accrued before: entries already written are kept)';
  if (result.accruals.length === 0)
    return [`${result.period}: nothing to accrue (${result.documents} draft documents)${again}`];
  return [
    `${result.period}: accrued ${result.documents} draft documents${again}`,
    ...result.accruals.map(
      (accrual) =>
        `${accrual.legalEntity} ${accrual.currency} ${accrual.amount} to ${accrual.targetKey}: ${accrual.externalId}, reversed by ${accrual.reversal}`,
    ),
  ];
}

export function accrueCommand(dependencies: AppCommandDependencies = {}): Command {
  const openApp = dependencies.openApp ?? openConfiguredApp;
  return withStoreOptions(new Command('accrue').description("accrue a closed period's revenue still on drafts"))
    .requiredOption('--period <YYYY-MM>', 'the period to accrue')
    .option('--json', 'print the result as JSON')
    .addOption(byOption("who accrues (and runs the period's billing run)"))
    .addHelpText('after', HELP)
    .action(async (options: Record<string, unknown>) => {
      const actor = cliActor(options.by as string | undefined);
      const result = await withApp(without(options, ['period', 'json', 'by']), openApp, (app) =>
        app.accrue(options.period, { actor }),
      );
      printResult(result, options.json, formatAccruals);
    });
}
