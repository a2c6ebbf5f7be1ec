import { Command } from 'commander';
import { parseLineageQuery } from '../../modules/lineage/index.js';
import { optionPath } from '../option-errors.js';
import { withStoreOptions } from '../options.js';
import { pickOptions } from '../pick-options.js';
import { printResult } from '../print-result.js';
import { openConfiguredApp, withApp, without, type AppCommandDependencies } from '../with-app.js';
import { formatLineage } from './lineage-tree.js';

const OPTIONS = ['event', 'source', 'id', 'document', 'invoice', 'line', 'limit'] as const;

const HELP = `
Give one of:
  --event <source>/<id>       an event (split at the last "/"; or --source and --id)
  --document <target>/<id>    a target's document: the target's own id (NetSuite's internal id, ...)
                              or the posting's external id
  --invoice <id> --line <n>   an invoice line
An event is followed to its usage records (or why it has none), the invoice lines billing them and the
postings carrying those lines, with their lines. A document or a line goes back to its invoices, lines,
amounts and the first --limit events of each usage line (default 10; \`invoices events\` pages on).`;

export function lineageCommand(dependencies: AppCommandDependencies = {}): Command {
  const openApp = dependencies.openApp ?? openConfiguredApp;
  return withStoreOptions(new Command('lineage').description('trace an event, an ERP document or an invoice line'))
    .option('--event <source/id>', 'an event: its source, "/", its id')
    .option('--source <source>', "an event's source (with --id)")
    .option('--id <id>', "an event's id (with --source)")
    .option('--document <target/id>', 'a target\'s document: the target key, "/", its id or external id')
    .option('--invoice <id>', 'an invoice id (with --line)')
    .option('--line <n>', 'a line number of the invoice')
    .option('--limit <n>', 'events shown per usage line, 1-1000 (default 10)')
    .option('--json', 'print the lineage as JSON')
    .addHelpText('after', HELP)
    .action(async (options: Record<string, unknown>) => {
      // Checked before the store opens: a typo costs no start-up.
      const request = parseLineageQuery(pickOptions(options, OPTIONS), optionPath);
      const answer = await withApp(without(options, [...OPTIONS, 'json']), openApp, (app) =>
        app.lineage.lookup(request, optionPath),
      );
      printResult(answer, options.json, formatLineage);
    });
}
