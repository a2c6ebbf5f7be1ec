import { constants } from 'node:fs';
import { access, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Presets, SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Config } from '../../config/index.js';
import type { App } from '../../main.js';
import {
  EVENT_FILE_FORMATS,
  eventFileFormat,
  readEventFile,
  type EventFileBatch,
  type EventFileFormat,
  type IngestResult,
} from '../../modules/ingestion/index.js';
import { isAppError, ValidationError } from '../../platform/errors.js';
import { configFrom, withIngestionOptions, withStoreOptions } from '../options.js';
import { openConfiguredApp, withConfiguredApp, type AppCommandDependencies, type OpenApp } from '../with-app.js';

const DEFAULT_BATCH_SIZE = 1000;

const HELP = String.raw`
Formats (by the file's extension, or --format):
  NDJSON (.ndjson, .jsonl)  one CloudEvents 1.0 JSON object per line; blank lines are skipped.
  CSV (.csv)                a header row naming CloudEvents attributes, then one event per record:
    id, source, type        required columns
    subject, time, datacontenttype, dataschema
    specversion             "1.0" when the column is absent
    data                    the event's data as a JSON object, or instead
    data.<path>             one column per data field; dots nest: data.usage.tokens -> {"usage":{"tokens":...}}.
                            A cell matching -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? is a number, true and false
                            are booleans, an empty cell is left out, anything else is a string.
    any other column        an extension attribute (a string), validated like any attribute
  In every column an empty cell is the same as an absent column. A UTF-8 BOM and CRLF line ends are
  accepted; line breaks inside quoted cells are read as \n.
  A line longer than --max-body-bytes is rejected (NDJSON) or stops the load (CSV: an unclosed quote).

Events go through the same validation, deduplication and storage as POST /v1/events, in batches of
--batch-size. Re-running is safe: events already stored count as duplicates and nothing changes, so
an interrupted load resumes by running it again.

Rejected lines are written to <FILE>.rejected.ndjson (or --rejects), one JSON object per line:
  {"line":12,"id":"...","errors":[{"path":"/time","message":"..."}],"raw":"<the line or CSV record>"}
Ids already stored with different content (kept as they were) are listed there too:
  {"line":40,"id":"...","source":"...","conflict":true,"message":"...","raw":"..."}
The file describes the last completed run: it is replaced when the run has something to write and
removed when it has not.

Exit status:
  0  every event was stored or was already stored
  2  some lines were rejected (see the rejects file)
  1  the load stopped: the file is missing, unreadable or holds no events, the CSV header is unusable,
     or the store failed (what was stored stays stored; run again to resume)`;

interface LoadPlan {
  file: string;
  format: EventFileFormat;
  batchSize: number;
  rejectsPath: string;
  progress: boolean;
  fileBytes: number | undefined;
}

interface Totals {
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  lastLine: number;
}

function positiveInteger(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('must be a positive integer');
  return Number(value);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Everything that can be checked before the store is opened, so a typo costs no store start-up. */
async function planLoad(file: string, options: Record<string, unknown>, config: Readonly<Config>): Promise<LoadPlan> {
  const info = await stat(file).catch((error: unknown) => {
    throw new Error(`cannot read ${file}: ${errorMessage(error)}`);
  });
  if (info.isDirectory()) throw new Error(`cannot read ${file}: it is a directory`);
  await access(file, constants.R_OK).catch((error: unknown) => {
    throw new Error(`cannot read ${file}: ${errorMessage(error)}`);
  });
  if (info.isFile() && info.size === 0) throw new Error(`${file} is empty: there are no events to load`);
  const format = (options.format as EventFileFormat | undefined) ?? eventFileFormat(file);
  if (!format)
    throw new Error(`cannot tell the format of ${file} from its extension: pass --format ndjson or --format csv`);
  const maxBatch = config.ingestion.maxBatchEvents;
  const batchSize = (options.batchSize as number | undefined) ?? Math.min(DEFAULT_BATCH_SIZE, maxBatch);
  if (batchSize > maxBatch)
    throw new ValidationError(
      `--batch-size ${batchSize} is larger than the largest batch allowed (max batch events: ${maxBatch})`,
    );
  const rejectsPath = (options.rejects as string | undefined) ?? `${file}.rejected.ndjson`;
  if (resolve(rejectsPath) === resolve(file))
    throw new Error('--rejects must name another file than the one being loaded');
  await access(dirname(resolve(rejectsPath)), constants.W_OK).catch((error: unknown) => {
    throw new Error(`cannot write rejected lines to ${rejectsPath}: ${errorMessage(error)}`);
  });
  return {
    file,
    format,
    batchSize,
    rejectsPath,
    progress: options.progress !== false,
    fileBytes: info.isFile() ? info.size : undefined,
  };
}

/** The rejects file, created on the first line written so that a clean run leaves none. */
class RejectsFile {
  private handle: FileHandle | undefined;
  written = 0;

  constructor(readonly path: string) {}

  async write(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    try {
      this.handle ??= await open(this.path, 'w');
      await this.handle.appendFile(lines.map((line) => `${line}\n`).join(''));
    } catch (error) {
      throw new Error(`cannot write rejected lines to ${this.path}: ${errorMessage(error)}`);
    }
    this.written += lines.length;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}

function rejectsLines(batch: EventFileBatch, result: IngestResult): string[] {
  const lineOf = (index: number) => batch.items[index]?.line;
  const entries = [
    ...result.rejected.map(({ index, id, line, errors }) => ({
      index,
      text: JSON.stringify({
        line: line ?? lineOf(index),
        ...(id === undefined ? {} : { id }),
        errors,
        raw: batch.raws[index],
      }),
    })),
    ...result.conflicts.map(({ index, id, source, message }) => ({
      index,
      text: JSON.stringify({ line: lineOf(index), id, source, conflict: true, message, raw: batch.raws[index] }),
    })),
  ];
  return entries.sort((a, b) => a.index - b.index).map((entry) => entry.text);
}

/** A bar on stderr driven by bytes read; none when stderr is not a terminal or the size is unknown. */
function startProgress(plan: LoadPlan): { update(bytes: number, events: number, rate: number): void; stop(): void } {
  if (!plan.progress || !process.stderr.isTTY || !plan.fileBytes)
    return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: '{bar} {percentage}% | {events} events | {rate} events/s | ETA {eta_formatted}',
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(plan.fileBytes, 0, { events: 0, rate: 0 });
  return { update: (bytes, events, rate) => bar.update(bytes, { events, rate }), stop: () => bar.stop() };
}

async function load(app: App, plan: LoadPlan, rejects: RejectsFile, totals: Totals, started: number): Promise<void> {
  const progress = startProgress(plan);
  // The line cap is the request body limit: a line larger than any request could carry is not an event.
  const batches = readEventFile(plan.file, {
    format: plan.format,
    batchSize: plan.batchSize,
    maxLineBytes: app.config.ingestion.maxBodyBytes,
  });
  // The next batch is read while the store takes the current one: parsing and storing overlap.
  let reading = batches.next();
  try {
    for (;;) {
      let next: IteratorResult<EventFileBatch>;
      try {
        next = await reading;
      } catch (error) {
        if (error instanceof ValidationError) throw new ValidationError(`${plan.file}: ${error.message}`, error.errors);
        throw new Error(`cannot read ${plan.file}: ${errorMessage(error)}`);
      }
      if (next.done) return;
      const batch = next.value;
      reading = batches.next();
      // A read error surfaces at the next await; this only keeps it from counting as unhandled if the store fails first.
      reading.catch(() => undefined);
      let result: IngestResult;
      try {
        result = await app.ingestion.ingest(batch.items);
      } catch (error) {
        throw new Error(
          `the store failed after line ${totals.lastLine} of ${plan.file}: ${errorMessage(error)}; ` +
            `${totals.accepted} events were stored and stay stored; run again to resume`,
        );
      }
      await rejects.write(rejectsLines(batch, result));
      totals.accepted += result.accepted;
      totals.duplicates += result.duplicates;
      totals.conflicts += result.conflicts.length;
      totals.rejected += result.rejected.length;
      totals.lastLine = batch.items.at(-1)?.line ?? totals.lastLine;
      const events = totals.accepted + totals.duplicates + totals.rejected;
      progress.update(
        batch.bytesRead,
        events,
        Math.round(events / Math.max((performance.now() - started) / 1000, 0.001)),
      );
    }
  } finally {
    progress.stop();
    await batches.return(undefined);
  }
}

async function runIngest(file: string, options: Record<string, unknown>, openApp: OpenApp): Promise<void> {
  const { format, batchSize, rejects: rejectsOption, progress, ...configOptions } = options;
  const config = configFrom(configOptions);
  const plan = await planLoad(file, { format, batchSize, rejects: rejectsOption, progress }, config);
  // The store's own errors say what to do; any other failure to open it is named as such.
  const openStore: OpenApp = (storeConfig) =>
    openApp(storeConfig).catch((error: unknown) => {
      throw isAppError(error) ? error : new Error(`cannot open the store: ${errorMessage(error)}`);
    });
  const rejects = new RejectsFile(plan.rejectsPath);
  const totals: Totals = { accepted: 0, duplicates: 0, conflicts: 0, rejected: 0, lastLine: 0 };
  // Timed from the store being open: the rate printed is the load's, not the start-up's.
  const started = await withConfiguredApp(config, openStore, async (app) => {
    const loadStarted = performance.now();
    try {
      await load(app, plan, rejects, totals, loadStarted);
    } finally {
      await rejects.close();
    }
    return loadStarted;
  });
  const events = totals.accepted + totals.duplicates + totals.rejected;
  if (events === 0)
    throw new Error(
      `${file} holds no events: it has only blank lines${plan.format === 'csv' ? ' or only a header' : ''}`,
    );
  if (rejects.written === 0) await rm(plan.rejectsPath, { force: true });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `accepted ${totals.accepted}, duplicates ${totals.duplicates} (conflicts ${totals.conflicts}), rejected ${totals.rejected}` +
      ` in ${seconds.toFixed(2)} s (${Math.round(events / Math.max(seconds, 0.001))} events/s)`,
  );
  if (rejects.written > 0)
    console.error(`wrote ${rejects.written} rejected or conflicting line(s) to ${plan.rejectsPath}`);
  if (totals.rejected > 0) process.exitCode = 2;
}

export function ingestCommand(dependencies: AppCommandDependencies = {}): Command {
  const openApp = dependencies.openApp ?? openConfiguredApp;
  const command = new Command('ingest')
    .description(
      'bulk-load an NDJSON or CSV file of events through the same validation, deduplication and storage as the HTTP API',
    )
    .argument('<file>', 'the events file')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(EVENT_FILE_FORMATS))
    .addOption(
      new Option(
        '--batch-size <n>',
        `events per batch (default ${DEFAULT_BATCH_SIZE}, at most the max batch events)`,
      ).argParser(positiveInteger),
    )
    .option('--rejects <path>', 'where rejected lines go (default <FILE>.rejected.ndjson)')
    .option('--no-progress', 'no progress bar (there is none either when stderr is not a terminal)')
    .addHelpText('after', HELP);
  return withStoreOptions(withIngestionOptions(command)).action((file: string, options: Record<string, unknown>) =>
    runIngest(file, options, openApp),
  );
}
