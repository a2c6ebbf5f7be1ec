import { Command } from 'commander';
import { parseInvoiceQuery, parseLineEventQuery, type InvoiceParams } from '../../modules/billing/index.js';
import type { App } from '../../main.js';
import type { Invoice, LineEvent } from '../../modules/billing/index.js';
import { ConflictError, isAppError, ValidationError, type FieldError } from '../../platform/errors.js';
import { byOption, cliActor } from '../cli-actor.js';
import { optionPath } from '../option-errors.js';
import { withStoreOptions } from '../options.js';
import { pickOptions } from '../pick-options.js';
import { formatTable, printPage, withPageOptions } from '../print-page.js';
import { printResult } from '../print-result.js';
import { openConfiguredApp, withApp, without, type AppCommandDependencies, type OpenApp } from '../with-app.js';
import { fetchPage } from '../../platform/paging.js';

const LIST_OPTIONS = ['customer', 'status', 'legalEntity', 'from', 'to', 'after', 'limit'] as const;

const LIST_HELP = `
Lists invoices in id order, without their lines (\`invoices show\` has them). --from and --to select
by period start, RFC 3339 with a zone, the range [--from, --to). When more match than --limit, the
last line says which --after gives the next page.`;

const FINALIZE_HELP = `
Finalizes drafts now: each gets the next number of its legal entity (consecutive, no gaps), is frozen
with the usage it bills, and is queued for the ERP (outbox). Give invoice ids, or --due for every draft
whose grace period has passed (what a scheduler runs), not both. Audited with --by.
Exit status: 0 every invoice given was finalized; 1 otherwise (each failure listed).`;

const EVENTS_HELP = `
Lists the raw events behind a usage line (its lineage) in log order: their values add up to the line's
quantity (sum meters), or their number is it (count meters). Other lines have none.`;

function invoiceRows(items: readonly Invoice[]): string[][] {
  return [
    ['ID', 'NUMBER', 'STATUS', 'CUSTOMER', 'ENTITY', 'PERIOD START', 'TOTAL'],
    ...items.map((item) => [
      item.id,
      item.number ?? '-',
      item.status,
      item.customer,
      item.legalEntity,
      item.periodStart,
      `${item.total} ${item.currency}`,
    ]),
  ];
}

/** An invoice as an operator reads it: who and when, its lines as a table, then its totals. */
export function formatInvoice(invoice: Invoice): string[] {
  const lines = invoice.lines ?? [];
  const table = formatTable(
    [
      ['NO', 'KIND', 'DESCRIPTION', 'QUANTITY', 'AMOUNT'],
      ...lines.map((line) => [String(line.lineNo), line.kind, line.description, line.quantity ?? '', line.amount]),
    ],
    new Set([0, 3, 4]),
  );
  const width = Math.max(invoice.subtotal.length, invoice.taxTotal.length, invoice.total.length);
  return [
    `invoice ${invoice.id}  ${invoice.number ?? '(no number yet)'}  ${invoice.status}`,
    `customer ${invoice.customer}, subscription ${invoice.subscription}, legal entity ${invoice.legalEntity}, catalog version ${invoice.catalogVersion}`,
    `period [${invoice.periodStart}, ${invoice.periodEnd})${partialPeriod(invoice)}`,
    invoice.finalizedAt
      ? `finalized ${invoice.finalizedAt}`
      : `draft: finalizes on its own after ${invoice.finalizeAfter}`,
    '',
    ...table,
    '',
    `subtotal  ${invoice.subtotal.padStart(width)} ${invoice.currency}`,
    `tax       ${invoice.taxTotal.padStart(width)} ${invoice.currency}`,
    `total     ${invoice.total.padStart(width)} ${invoice.currency}`,
  ];
}

/** ", covering [start, end)" when the subscription was active in only part of the period. */
const partialPeriod = (invoice: Invoice) =>
  invoice.coveredStart === invoice.periodStart && invoice.coveredEnd === invoice.periodEnd
    ? ''
    : `, covering [${invoice.coveredStart}, ${invoice.coveredEnd})`;

function eventRows(items: readonly LineEvent[]): string[][] {
  return [
    ['SEQ', 'TIME', 'SUBJECT', 'VALUE', 'TYPE', 'SOURCE', 'ID'],
    ...items.map((item) => [
      item.seq,
      item.time,
      item.subject ?? '-',
      item.value ?? '-',
      item.type,
      item.source,
      item.id,
    ]),
  ];
}

/** Finalizes each id in turn; a failure (unknown, not a draft) does not stop the others. */
async function finalizeEach(
  app: App,
  ids: readonly string[],
  actor: string,
): Promise<{ done: Invoice[]; failures: FieldError[] }> {
  const done: Invoice[] = [];
  const failures: FieldError[] = [];
  for (const id of ids) {
    try {
      done.push(await app.billing.finalize(id, actor));
    } catch (error) {
      if (!isAppError(error)) throw error;
      failures.push({ path: `ID ${JSON.stringify(id)}`, message: error.message });
    }
  }
  return { done, failures };
}

function listCommand(openApp: OpenApp): Command {
  const command = withStoreOptions(new Command('list').description('list invoices, filtered and paged'))
    .option('--customer <key>', 'customer key')
    .option('--status <status>', 'draft, finalized or void')
    .option('--legal-entity <key>', 'legal entity')
    .option('--from <time>', 'period start at or after (RFC 3339)')
    .option('--to <time>', 'period start before (RFC 3339)');
  return withPageOptions(command, { flag: '--after <id>', description: 'the page after this invoice id' })
    .addHelpText('after', LIST_HELP)
    .action(async (options: Record<string, unknown>) => {
      // The module takes the HTTP query's parameter names.
      const { legalEntity, ...params } = pickOptions(options, LIST_OPTIONS);
      // Checked before the store opens: a typo costs no start-up.
      const { filter, limit } = parseInvoiceQuery(
        { ...params, legal_entity: legalEntity } as InvoiceParams,
        optionPath,
      );
      const page = await withApp(without(options, [...LIST_OPTIONS, 'json']), openApp, (app) =>
        fetchPage(
          limit,
          (size) => app.billing.list(filter, size),
          (invoice) => invoice.id,
        ),
      );
      printPage(page, { json: options.json, empty: 'no invoices match', rows: invoiceRows });
    });
}

function showCommand(openApp: OpenApp): Command {
  return withStoreOptions(new Command('show').description('show one invoice with its lines and totals'))
    .argument('<id>', 'invoice id')
    .option('--json', 'print the invoice as JSON')
    .action(async (id: string, options: Record<string, unknown>) => {
      const invoice = await withApp(without(options, ['json']), openApp, (app) => app.billing.get(id));
      printResult(invoice, options.json, formatInvoice);
    });
}

function finalizeCommand(openApp: OpenApp): Command {
  return withStoreOptions(
    new Command('finalize').description('finalize drafts: number, freeze and queue them for the ERP (audited)'),
  )
    .argument('[ids...]', 'invoice ids')
    .option('--due', 'every draft whose grace period has passed')
    .addOption(byOption('who finalizes'))
    .addHelpText('after', FINALIZE_HELP)
    .action(async (ids: string[], options: Record<string, unknown>) => {
      const { due, by } = options as { due?: boolean; by?: string };
      if (due && ids.length > 0)
        throw new ValidationError('give either invoice ids or --due, not both', [
          { path: '--due', message: 'cannot be combined with ids' },
        ]);
      if (!due && ids.length === 0)
        throw new ValidationError('nothing to finalize', [{ path: 'ID...', message: 'give invoice ids, or --due' }]);
      const storeOptions = without(options, ['due', 'by']);
      if (due) {
        const { finalized, skipped } = await withApp(storeOptions, openApp, (app) =>
          app.billing.finalizeDue(cliActor(by)),
        );
        if (finalized.length === 0 && skipped.length === 0) console.log('no draft is due');
        if (finalized.length > 0) console.log(`finalized ${finalized.length} due invoice(s): ${finalized.join(', ')}`);
        if (skipped.length > 0) {
          throw new ConflictError(
            `${skipped.length} due draft(s) were not finalized`,
            skipped.map((item) => ({ path: `ID ${JSON.stringify(item.id)}`, message: item.reason })),
          );
        }
        return;
      }
      const { done, failures } = await withApp(storeOptions, openApp, (app) =>
        finalizeEach(app, [...new Set(ids)], cliActor(by)),
      );
      for (const invoice of done)
        console.log(`finalized ${invoice.id} as ${invoice.number} (${invoice.total} ${invoice.currency})`);
      if (failures.length > 0)
        throw new ConflictError(`${failures.length} of ${new Set(ids).size} invoice(s) were not finalized`, failures);
    });
}

function eventsCommand(openApp: OpenApp): Command {
  const command = withStoreOptions(
    new Command('events').description('list the raw events behind a usage line (lineage), paged'),
  )
    .argument('<id>', 'invoice id')
    .argument('<line>', 'line number (NO in `invoices show`)');
  return withPageOptions(command, { flag: '--after <seq>', description: 'the page after this event seq' })
    .addHelpText('after', EVENTS_HELP)
    .action(async (id: string, line: string, options: Record<string, unknown>) => {
      const { after, limit: size } = options as { after?: string; limit?: string };
      const query = parseLineEventQuery(line, { after, limit: size }, 'LINE', optionPath);
      const page = await withApp(without(options, ['after', 'limit', 'json']), openApp, (app) =>
        fetchPage(
          query.limit,
          (limit) => app.billing.lineEvents(id, query.lineNo, query.after, limit),
          (event) => event.seq,
        ),
      );
      printPage(page, {
        json: options.json,
        empty: `line ${query.lineNo} has no events${query.after === '0' ? '' : ` after ${query.after}`}`,
        rows: eventRows,
      });
    });
}

export function invoicesCommand(dependencies: AppCommandDependencies = {}): Command {
  const openApp = dependencies.openApp ?? openConfiguredApp;
  return new Command('invoices')
    .description('list, show, trace and finalize invoices')
    .addCommand(listCommand(openApp))
    .addCommand(showCommand(openApp))
    .addCommand(finalizeCommand(openApp))
    .addCommand(eventsCommand(openApp));
}
