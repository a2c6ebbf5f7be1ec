import { Command } from 'commander';
import type { App } from '../../main.js';
import {
  parseExceptionIds,
  parseExceptionQuery,
  type ExceptionParams,
  type MeteringException,
} from '../../modules/metering/index.js';
import { ValidationError } from '../../platform/errors.js';
import { byOption, cliActor } from '../cli-actor.js';
import { formatRederiveSummary } from '../format-rederive-summary.js';
import { asOptionErrors, optionPath, pointerAsOption } from '../option-errors.js';
import { pickOptions } from '../pick-options.js';
import { printPage, withPageOptions } from '../print-page.js';
import { printResult } from '../print-result.js';
import { withStoreOptions } from '../options.js';
import { openConfiguredApp, withApp, without, type AppCommandDependencies } from '../with-app.js';

const FILTER_OPTIONS = ['reason', 'meter', 'customer', 'subject', 'type', 'from', 'to'] as const;

const LIST_HELP = `
Lists exceptions oldest first: events a meter matched but that could not become usage, with why.
Times are event times, RFC 3339 with a zone, the range [--from, --to). When more match than --limit,
the last line says which --after gives the next page.`;

const REPROCESS_HELP = `
Derives open exceptions again under the current catalog: the ones whose cause is fixed (an alias added
to a customer, a subscription started) become usage and close as resolved; the rest stay open. Select
them by id, or by filter options, not both; with neither, every open exception is tried. Audited with --by.`;

function withFilterOptions(command: Command): Command {
  return command
    .option(
      '--reason <reason>',
      'unknown_subject, no_active_subscription, ambiguous_subscription, missing_value, non_numeric_value or negative_value',
    )
    .option('--meter <key>', 'meter key')
    .option('--customer <key>', 'customer key')
    .option('--subject <subject>', "the event's subject as sent")
    .option('--type <type>', "the event's type")
    .option('--from <time>', 'event time at or after (RFC 3339)')
    .option('--to <time>', 'event time before (RFC 3339)');
}

/** Ids are named by what was typed, not by position: `ID "x": must be an exception id`. */
function idErrors(ids: readonly string[]) {
  return (error: unknown) =>
    asOptionErrors(error, (path) => {
      const index = /^\/ids\/(\d+)$/.exec(path)?.[1];
      if (index !== undefined) return `ID ${JSON.stringify(ids[Number(index)])}`;
      return path === '/ids' ? 'ID...' : pointerAsOption(path);
    });
}

function exceptionRows(items: readonly MeteringException[]): string[][] {
  return [
    ['ID', 'STATUS', 'REASON', 'METER', 'EVENT TIME', 'SUBJECT', 'CUSTOMER', 'DETAIL'],
    ...items.map((item) => [
      item.id,
      item.status,
      item.reason,
      item.meter,
      item.event.time,
      item.event.subject ?? '-',
      item.customer ?? '-',
      item.detail,
    ]),
  ];
}

export function exceptionsCommand(dependencies: AppCommandDependencies = {}): Command {
  const openApp = dependencies.openApp ?? openConfiguredApp;
  const exceptions = new Command('exceptions').description('list, ignore and reprocess metering exceptions');

  exceptions.addCommand(
    withPageOptions(
      withStoreOptions(
        withFilterOptions(new Command('list').description('list metering exceptions, filtered and paged')),
      ).option('--status <status>', 'open, resolved or ignored'),
      { flag: '--after <id>', description: 'the page after this exception id' },
    )
      .addHelpText('after', LIST_HELP)
      .action(async (options: Record<string, unknown>) => {
        const paramNames = [...FILTER_OPTIONS, 'status', 'after', 'limit'];
        // Checked before the store opens: a typo costs no start-up.
        const query = parseExceptionQuery(pickOptions(options, paramNames) as ExceptionParams, optionPath);
        const storeOptions = without(options, [...paramNames, 'json']);
        const page = await withApp(storeOptions, openApp, (app) => app.metering.exceptions.list(query));
        printPage(page, { json: options.json, empty: 'no exceptions match', rows: exceptionRows });
      }),
  );

  exceptions.addCommand(
    withStoreOptions(new Command('ignore').description('close open exceptions as ignored, with a reason (audited)'))
      .argument('<ids...>', 'exception ids')
      .option('--reason <text>', 'why they need no fix, 1-1000 characters (required)')
      .addOption(byOption('who ignores them'))
      .action(async (ids: string[], options: Record<string, unknown>) => {
        const { reason, by, ...storeOptions } = options as { reason?: string; by?: string } & Record<string, unknown>;
        const toErrors = idErrors(ids);
        try {
          parseExceptionIds(ids, '/ids');
        } catch (error) {
          throw toErrors(error);
        }
        const ignored = await withApp(storeOptions, openApp, (app) =>
          app.metering.exceptions.ignore(ids, reason, cliActor(by)).catch((error: unknown) => {
            throw toErrors(error);
          }),
        );
        console.log(`ignored ${ignored.length} exception(s): ${ignored.map((item) => item.id).join(', ')}`);
      }),
  );

  exceptions.addCommand(
    withStoreOptions(
      withFilterOptions(
        new Command('reprocess').description('derive open exceptions again under the current catalog (audited)'),
      ),
    )
      .argument('[ids...]', 'exception ids (default: every open exception matching the filter options)')
      .addOption(byOption('who reprocesses'))
      .option(
        '--accept-beyond-horizon',
        'accept events that arrived beyond the horizon (a decision kept in the audit log)',
      )
      .option('--json', 'print the result as JSON')
      .addHelpText('after', REPROCESS_HELP)
      .action(async (ids: string[], options: Record<string, unknown>) => {
        const params = pickOptions(options, FILTER_OPTIONS) as ExceptionParams;
        const { by, json, acceptBeyondHorizon } = options as {
          by?: string;
          json?: boolean;
          acceptBeyondHorizon?: boolean;
        };
        const storeOptions = without(options, [...FILTER_OPTIONS, 'by', 'json', 'acceptBeyondHorizon']);
        const toErrors = idErrors(ids);
        if (ids.length > 0 && Object.keys(params).length > 0) {
          throw new ValidationError(
            'give either exception ids or filter options, not both',
            Object.keys(params).map((name) => ({ path: `--${name}`, message: 'cannot be combined with ids' })),
          );
        }
        let selection: Parameters<App['metering']['exceptions']['reprocess']>[0] = {};
        try {
          if (ids.length > 0) selection = { ids: parseExceptionIds(ids, '/ids') };
          else if (Object.keys(params).length > 0)
            selection = { filter: parseExceptionQuery(params, optionPath).filter };
        } catch (error) {
          throw toErrors(error);
        }
        const result = await withApp(storeOptions, openApp, (app) =>
          app.metering.exceptions.reprocess({ ...selection, acceptBeyondHorizon }, cliActor(by)),
        );
        printResult(result, json, (reprocessed) => [
          `selected ${reprocessed.selected} open exception(s) under catalog version ${reprocessed.catalogVersion}: ${reprocessed.exceptions.resolved} resolved, ${reprocessed.stillOpen} still open`,
          ...formatRederiveSummary(reprocessed),
        ]);
      }),
  );
  return exceptions;
}
