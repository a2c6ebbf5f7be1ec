import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { parseCatalogFile, validateCharge, type Charge } from '../../modules/catalog/index.js';
import { rateCharge, type RatingInput, type RatingResult } from '../../modules/rating/index.js';
import { findImpreciseDecimals } from '../../platform/decimal-text.js';
import { ValidationError, type FieldError } from '../../platform/errors.js';
import { asOptionErrors } from '../option-errors.js';
import { withStoreOptions } from '../options.js';
import { printResult } from '../print-result.js';
import { openConfiguredApp, withApp, type AppCommandDependencies } from '../with-app.js';

const HELP = `
Prices usage of one charge for one period, with the steps that explain the amount: the same rating the
billing run uses. The charge is read from FILE (one charge exactly as written in a catalog plan; JSON when
the name ends in .json, YAML otherwise), or named by --plan and --charge in the current catalog version.
With -f no store is opened. Nothing is written either way.

Per-event values (percentage charges) are comma-separated with --event-values, or one per line in the
file of --event-values-file; they must sum to --quantity.

Exit status: 0 priced; 1 not (every error listed on stderr).`;

/** The options as commander hands them over: every value a string, none required (checked together below). */
interface PriceOptions {
  file?: string;
  plan?: string;
  charge?: string;
  currency?: string;
  quantity?: string;
  eventValues?: string;
  eventValuesFile?: string;
  eventCount?: string;
  alreadyBilled?: string;
  proration?: string;
  json?: boolean;
}

/** The combinations commander cannot express: exactly one way to name the charge, the required values. */
function priceOptionErrors(options: PriceOptions): FieldError[] {
  const errors: FieldError[] = [];
  const named = options.plan !== undefined || options.charge !== undefined;
  if (options.file !== undefined && named)
    errors.push({ path: '--file', message: 'must not be given with --plan or --charge' });
  else if (options.file === undefined && !named)
    errors.push({
      path: '--file',
      message: 'is required unless --plan and --charge name a charge of the current catalog',
    });
  else if (options.file === undefined && options.plan === undefined)
    errors.push({ path: '--plan', message: 'is required with --charge' });
  else if (options.file === undefined && options.charge === undefined)
    errors.push({ path: '--charge', message: 'is required with --plan' });
  if (options.currency === undefined) errors.push({ path: '--currency', message: 'is required' });
  if (options.quantity === undefined) errors.push({ path: '--quantity', message: 'is required' });
  if (options.eventValues !== undefined && options.eventValuesFile !== undefined) {
    errors.push({ path: '--event-values-file', message: 'must not be given with --event-values' });
  }
  if (options.eventCount !== undefined && !/^\d{1,15}$/.test(options.eventCount))
    errors.push({ path: '--event-count', message: 'must be a whole number, 0 or more' });
  return errors;
}

/** A parse error's `file:line:column: reason` message, as the path (where) and the message (what). */
function splitSyntaxError(error: FieldError, file: string): FieldError {
  const where = error.message.startsWith(file)
    ? /^(:\d+:\d+)?: ([\s\S]*)$/.exec(error.message.slice(file.length))
    : null;
  return where ? { path: `${file}${where[1] ?? ''}`, message: where[2] ?? '' } : { path: file, message: error.message };
}

/** One charge from a YAML or JSON file, checked as a catalog plan would check it; errors at its own pointers. */
async function readChargeFile(file: string): Promise<Charge> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read the charge file ${file}`, [
      { path: '--file', message: (error as Error).message },
    ]);
  }
  let document: unknown;
  try {
    // The catalog's own parser: duplicate keys refused, JSON held to JSON's syntax, alias expansion capped.
    document = parseCatalogFile(text, file);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      error.message,
      error.errors.map((item) => splitSyntaxError(item, file)),
    );
  }
  try {
    return validateCharge(document);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // The whole document has the empty pointer; naming the file reads better than a bare ":".
    throw new ValidationError(
      `${file} is not a valid charge`,
      error.errors.map((item) => ({ ...item, path: item.path || file })),
    );
  }
}

/** Per-event values and where each came from (an option, or a line of a file), for error messages. */
interface EventValues {
  values: string[];
  source: (index: number) => string;
}

async function readEventValues(options: PriceOptions): Promise<EventValues | undefined> {
  if (options.eventValues !== undefined) {
    return {
      values: options.eventValues.split(',').map((value) => value.trim()),
      source: (index) => `--event-values[${index + 1}]`,
    };
  }
  const file = options.eventValuesFile;
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read the event values file ${file}`, [
      { path: '--event-values-file', message: (error as Error).message },
    ]);
  }
  // Blank lines (a trailing newline, spacing) hold no value; the others keep their line numbers for errors.
  const lines = text
    .split(/\r?\n/)
    .map((line, index) => ({ value: line.trim(), line: index + 1 }))
    .filter((entry) => entry.value !== '');
  return { values: lines.map((entry) => entry.value), source: (index) => `${file}:${lines[index]?.line ?? '?'}` };
}

const OPTION_OF_FIELD: Record<string, string> = {
  quantity: '--quantity',
  eventCount: '--event-count',
  alreadyBilled: '--already-billed',
  proration: '--proration',
};

/** The rating engine names its input's fields as JSON Pointers (`/alreadyBilled`); here they are options. */
function ratingPathAsOption(path: string, events: EventValues | undefined, eventsOption: string): string {
  const value = /^\/eventValues\/(\d+)$/.exec(path);
  if (value && events) return events.source(Number(value[1]));
  if (path === '/eventValues') return eventsOption;
  return OPTION_OF_FIELD[path.slice(1)] ?? path;
}

/** The breakdown as an operator reads it: each step with its exact amount, then the rounded total. */
export function formatRating(result: RatingResult): string[] {
  const width = Math.max(0, ...result.lines.map((line) => line.description.length));
  const amountWidth = Math.max(0, ...result.lines.map((line) => line.amount.length));
  return [
    ...(result.quantityRounding
      ? [`quantity ${result.quantity} priced as ${result.ratedQuantity} (${result.quantityRounding})`]
      : []),
    ...result.lines.map((line) => `${line.description.padEnd(width)}  ${line.amount.padStart(amountWidth)}`),
    `amount: ${result.amount} ${result.currency} (exact ${result.exactAmount}, rounded ${result.rounding.replace(/_/g, ' ')})`,
  ];
}

/** Only --plan opens the store (to read the current catalog), for as long as reading it takes. */
export function priceCommand(dependencies: AppCommandDependencies = {}): Command {
  const openApp = dependencies.openApp ?? openConfiguredApp;
  const command = new Command('price')
    .description('price usage of one charge, with the breakdown that explains the amount')
    // Not required options: they are checked together, so that every problem is reported at once.
    .option(
      '-f, --file <file>',
      'a file holding one charge as written in a catalog plan (YAML, or JSON when it ends in .json)',
    )
    .option('--plan <key>', 'a plan of the current catalog (with --charge, instead of -f)')
    .option('--charge <key>', 'a charge of that plan')
    .option('--currency <code>', "ISO 4217 code of one of the charge's prices (required)")
    .option(
      '--quantity <q>',
      "units of the charge's meter in the period; for percentage charges the summed amount (required)",
    )
    .option('--event-values <list>', "percentage charges: each event's value, comma-separated")
    .option('--event-values-file <file>', "percentage charges: each event's value, one per line")
    .option('--event-count <n>', 'percentage charges without per-event values: how many events the quantity sums')
    .option('--already-billed <q>', 'quantity billed earlier in the period: price what the new total costs beyond it')
    .option('--proration <f>', 'share of the period covered, 0-1 (default 1)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', HELP);
  return withStoreOptions(command).action(async (all: Record<string, unknown>) => {
    const {
      file,
      plan,
      charge: chargeKey,
      currency,
      quantity,
      eventValues,
      eventValuesFile,
      eventCount,
      alreadyBilled,
      proration,
      json,
      ...storeOptions
    } = all as PriceOptions & Record<string, unknown>;
    const options: PriceOptions = {
      file,
      plan,
      charge: chargeKey,
      currency,
      quantity,
      eventValues,
      eventValuesFile,
      eventCount,
      alreadyBilled,
      proration,
    };
    const errors = priceOptionErrors(options);
    if (errors.length > 0) throw new ValidationError('invalid options', errors);
    const events = await readEventValues(options);
    const charge =
      file !== undefined
        ? await readChargeFile(file)
        : await withApp(storeOptions, openApp, (app) => app.catalog.charge(plan ?? '', chargeKey ?? ''));
    const input: RatingInput = {
      quantity: quantity ?? '',
      eventValues: events?.values,
      eventCount: eventCount === undefined ? undefined : Number(eventCount),
      alreadyBilled,
      proration,
    };
    let result: RatingResult;
    try {
      // Refused with the limit, before the rating arithmetic would round it.
      const imprecise = findImpreciseDecimals(input);
      if (imprecise.length > 0) throw new ValidationError('a value is too precise to price exactly', imprecise);
      result = rateCharge(charge, currency ?? '', input);
    } catch (error) {
      const eventsOption = eventValuesFile !== undefined ? '--event-values-file' : '--event-values';
      throw asOptionErrors(error, (path) => ratingPathAsOption(path, events, eventsOption));
    }
    printResult(result, json, formatRating);
  });
}
