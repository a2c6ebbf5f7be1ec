import { Presets, SingleBar } from 'cli-progress';
import { Command } from 'commander';
import type { ReplayProgress, ReplayResult } from '../../modules/metering/index.js';
import { byOption, cliActor } from '../cli-actor.js';
import { formatRederiveSummary } from '../format-rederive-summary.js';
import { asOptionErrors } from '../option-errors.js';
import { withStoreOptions } from '../options.js';
import { printResult } from '../print-result.js';
import { openConfiguredApp, withApp, type AppCommandDependencies } from '../with-app.js';

const HELP = `
Derives the usage of events whose time is in [--from, --to) again from the raw event log under the
current catalog (after a catalog change, say): records are created, rewritten or removed and exceptions
opened, updated or resolved to match. Only events the metering stage has already read are replayed.
A second run of the same replay changes nothing. Invoiced records are never changed: what would
change on them is listed. Exceptions someone ignored stay ignored. The replay is audited with --by.

Exit status: 0 the replay ran (see the summary); 1 it did not (every error listed).`;

function formatReplay(result: ReplayResult): string[] {
  const scope = [
    result.customer ? `customer ${result.customer}` : '',
    result.meter ? `meter ${result.meter}` : '',
  ].filter(Boolean);
  return [
    `replayed ${result.events} event(s) of [${result.from}, ${result.to})${scope.length > 0 ? ` for ${scope.join(', ')}` : ''} under catalog version ${result.catalogVersion}`,
    ...formatRederiveSummary(result),
  ];
}

/** A bar on stderr driven by events replayed; none when stderr is not a terminal. */
function startProgress(enabled: boolean): { update(progress: ReplayProgress): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: '{bar} {percentage}% | {value}/{total} events | ETA {eta_formatted}',
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update({ done, total }) {
      if (!started) bar.start(total, done);
      else {
        bar.setTotal(total);
        bar.update(done);
      }
      started = true;
    },
    stop: () => (started ? bar.stop() : undefined),
  };
}

export function replayCommand(dependencies: AppCommandDependencies = {}): Command {
  const openApp = dependencies.openApp ?? openConfiguredApp;
  const command = new Command('replay')
    .description('derive the usage of a time range again from the raw events under the current catalog')
    // Not required options: the module checks them, so that every problem is reported together.
    .option('--from <time>', 'RFC 3339 date-time with a zone: events at or after (required)')
    .option('--to <time>', 'RFC 3339 date-time with a zone: events before (required)')
    .option('--customer <key>', 'only usage of this customer')
    .option('--meter <key>', 'only this meter')
    .addOption(byOption('who replays'))
    .option('--json', 'print the result as JSON')
    .option('--no-progress', 'no progress bar (there is none either when stderr is not a terminal)')
    .addHelpText('after', HELP);
  return withStoreOptions(command).action(async (options: Record<string, unknown>) => {
    const {
      from,
      to,
      customer,
      meter,
      by,
      json,
      progress: showProgress,
      ...storeOptions
    } = options as {
      from?: string;
      to?: string;
      customer?: string;
      meter?: string;
      by?: string;
      json?: boolean;
      progress?: boolean;
    } & Record<string, unknown>;
    const result = await withApp(storeOptions, openApp, async (app) => {
      const progress = startProgress(showProgress !== false && !json);
      try {
        return await app.metering.replay(
          { from: from ?? '', to: to ?? '', customer, meter, actor: cliActor(by) },
          (update) => progress.update(update),
        );
      } catch (error) {
        throw asOptionErrors(error);
      } finally {
        progress.stop();
      }
    });
    printResult(result, json, formatReplay);
  });
}
