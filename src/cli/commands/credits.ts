import { Command } from 'commander';
import {
  CREDIT_STATUSES,
  parseCreditQuery,
  type CreditBalance,
  type CreditEntry,
  type CreditParams,
} from '../../modules/billing/index.js';
import { withStoreOptions } from '../options.js';
import { pickOptions } from '../pick-options.js';
import { formatTable, printPage, withPageOptions } from '../print-page.js';
import { printResult } from '../print-result.js';
import { optionPath } from '../option-errors.js';
import { openConfiguredApp, withApp, without, type AppCommandDependencies, type OpenApp } from '../with-app.js';
import { fetchPage } from '../../platform/paging.js';

const LIST_OPTIONS = ['subscription', 'customer', 'status', 'after', 'limit'] as const;

const HELP = `
Prepaid credits and commits are declared per subscription in the catalog (docs/credits.md). Each invoice
of a period a credit covers draws on it; DRAWN counts finalized documents, PENDING drafts (redrafted
until they finalize), REMAINING is the rest (forfeited once expired).`;

function balanceRows(items: readonly CreditBalance[]): string[][] {
  return [
    ['ID', 'KIND', 'STATUS', 'AMOUNT', 'DRAWN', 'PENDING', 'REMAINING', 'EXPIRES'],
    ...items.map((item) => [
      item.id,
      item.kind,
      item.status,
      `${item.amount} ${item.currency}`,
      item.drawn,
      item.pending,
      item.remaining,
      item.expiresAt ?? 'never',
    ]),
  ];
}

function entryRows(entries: readonly CreditEntry[]): string[][] {
  return [
    ['PERIOD START', 'KIND', 'AMOUNT', 'STATUS', 'NUMBER', 'INVOICE'],
    ...entries.map((entry) => [
      entry.periodStart,
      entry.kind,
      entry.amount,
      entry.status,
      entry.number ?? '-',
      entry.invoice,
    ]),
  ];
}

/** A credit as an operator reads it: what it is, its balance, then the invoices that drew on it. */
function formatCredit(credit: CreditBalance & { entries: readonly CreditEntry[] }): string[] {
  return [
    `${credit.kind} ${credit.id}${credit.name ? ` (${credit.name})` : ''}  ${credit.status}`,
    `amount ${credit.amount} ${credit.currency}, effective ${credit.effectiveFrom}, expires ${credit.expiresAt ?? 'never'}, pays ${credit.charges?.join(', ') ?? 'every usage charge'}`,
    `drawn ${credit.drawn}, pending ${credit.pending}, remaining ${credit.remaining} ${credit.currency}`,
    '',
    ...(credit.entries.length === 0 ? ['no invoice has used it yet'] : formatTable(entryRows(credit.entries))),
  ];
}

function listCommand(openApp: OpenApp): Command {
  const command = withStoreOptions(new Command('list').description('balances of prepaid credits and commits'))
    .option('--subscription <key>', 'subscription key')
    .option('--customer <key>', 'customer key')
    .option('--status <status>', CREDIT_STATUSES.join(', '));
  return withPageOptions(command, {
    flag: '--after <id>',
    description: 'the page after this credit id (subscription/credit)',
  })
    .addHelpText('after', HELP)
    .action(async (options: Record<string, unknown>) => {
      // Checked before the store opens: a typo costs no start-up.
      const { filter, limit } = parseCreditQuery(pickOptions(options, LIST_OPTIONS) as CreditParams, optionPath);
      const page = await withApp(without(options, [...LIST_OPTIONS, 'json']), openApp, (app) =>
        fetchPage(
          limit,
          (size) => app.billing.credits(filter, size),
          (credit) => credit.id,
        ),
      );
      printPage(page, { json: options.json, empty: 'no credits match', rows: balanceRows });
    });
}

function showCommand(openApp: OpenApp): Command {
  return withStoreOptions(new Command('show').description('one credit: its balance and every invoice that used it'))
    .argument('<subscription>', 'subscription key')
    .argument('<credit>', 'credit key')
    .option('--json', 'print the credit as JSON')
    .action(async (subscription: string, key: string, options: Record<string, unknown>) => {
      const credit = await withApp(without(options, ['json']), openApp, (app) => app.billing.credit(subscription, key));
      printResult(credit, options.json, formatCredit);
    });
}

export function creditsCommand(dependencies: AppCommandDependencies = {}): Command {
  const openApp = dependencies.openApp ?? openConfiguredApp;
  return new Command('credits')
    .description('prepaid credit and commit balances')
    .addCommand(listCommand(openApp))
    .addCommand(showCommand(openApp));
}
