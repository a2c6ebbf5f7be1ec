import { Command } from 'commander';
import type { BillingRunSummary } from '../../modules/billing/index.js';
import { byOption, cliActor } from '../cli-actor.js';
import { asOptionErrors } from '../option-errors.js';
import { withStoreOptions } from '../options.js';
import { printResult } from '../print-result.js';
import { openConfiguredApp, withApp, type AppCommandDependencies } from '../with-app.js';

const HELP = `
Closes a calendar month: drafts the invoice of every subscription period that starts in it and has
ended, from the metered usage and the current catalog, in one transaction. Running it again changes
only the drafts whose usage changed; finalized invoices are never touched. Periods that have not ended
yet are listed as pending: a later run bills them. Drafts finalize once their grace period passes
(\`meterbridge invoices finalize --due\`), or earlier by hand. The run is audited with --by.

Exit status: 0 the run completed (see the summary); 1 it did not (every error listed).`;

/** What a billing run did, as lines an operator reads. */
export function formatBillingRun(summary: BillingRunSummary): string[] {
  const { created, updated, unchanged, finalized } = summary.invoices;
  const totals = Object.entries(summary.totals).map(([currency, amount]) => `${currency} ${amount}`);
  return [
    `billed ${summary.period} under catalog version ${summary.catalogVersion} (run ${summary.id})`,
    `invoices: ${created} created, ${updated} updated, ${unchanged} unchanged, ${finalized} finalized (left as they were)`,
    `memos (late usage): ${summary.memos.created} created, ${summary.memos.updated} updated, ${summary.memos.unchanged} unchanged`,
    `totals of created and updated invoices: ${totals.length > 0 ? totals.join(', ') : 'none'}`,
    ...(summary.pending.length === 0
      ? ['pending: none']
      : [
          `pending: ${summary.pending.length} period(s) not ended yet, billed by a later run:`,
          ...summary.pending.map((item) => `  ${item.subscription} until ${item.periodEnd}`),
        ]),
    // Said only when it happens: a finalized invoice voided and issued again with its late usage.
    ...summary.reissued.map((item) => `reissued: ${item.voided} voided, replaced by draft ${item.replacement}`),
  ];
}

export function billCommand(dependencies: AppCommandDependencies = {}): Command {
  const openApp = dependencies.openApp ?? openConfiguredApp;
  const command = new Command('bill')
    .description('draft (or redraft) the invoices of a calendar month that has ended')
    // Not a required option: the module checks it, with the same message as over HTTP.
    .option('--period <month>', 'the calendar month, such as 2026-10 (required)')
    .addOption(byOption('who bills'))
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', HELP);
  return withStoreOptions(command).action(async (options: Record<string, unknown>) => {
    const { period, by, json, ...storeOptions } = options as { period?: string; by?: string; json?: boolean } & Record<
      string,
      unknown
    >;
    const summary = await withApp(storeOptions, openApp, (app) =>
      app.billing.run(period, cliActor(by)).catch((error: unknown) => {
        throw asOptionErrors(error);
      }),
    );
    printResult(summary, json, formatBillingRun);
  });
}
