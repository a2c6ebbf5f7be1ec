import { Command } from 'commander';
import {
  parsePostingQuery,
  POSTING_STATUSES,
  type Posting,
  type PostingAttempt,
  type PostingParams,
} from '../../modules/outbox/index.js';
import { fetchPage } from '../../platform/paging.js';
import type { PostingPreview } from '../../modules/accounting/index.js';
import type { PostingBody } from '../../modules/connectors/index.js';
import { cliActor, byOption } from '../cli-actor.js';
import { optionPath } from '../option-errors.js';
import { withPostingOptions, withStoreOptions } from '../options.js';
import { pickOptions } from '../pick-options.js';
import { formatTable, printPage, withPageOptions } from '../print-page.js';
import { printResult } from '../print-result.js';
import { startPostingWorker } from '../../workers/posting-worker.js';
import { openConfiguredApp, withApp, without, type AppCommandDependencies, type OpenApp } from '../with-app.js';

const LIST_OPTIONS = ['status', 'target', 'period', 'after', 'limit'] as const;

const HELP = `
Postings carry finalized documents to their targets (docs/posting.md). A posting the target refused, or
that kept failing past its retry window, is dead: the dead-letter queue is \`postings list --status dead\`.
Fix what the target said (often the catalog's account mapping), then \`postings retry <id>\`.`;

function postingRows(items: readonly Posting[]): string[][] {
  return [
    ['ID', 'STATUS', 'TARGET', 'EXTERNAL ID', 'KIND', 'ATTEMPTS', 'SUBJECT'],
    ...items.map((item) => [
      item.id,
      item.status,
      item.targetKey,
      item.externalId,
      item.kind,
      String(item.attempts),
      item.subject,
    ]),
  ];
}

/** A posting as an operator reads it: what and where, then each attempt with the target's own words. */
function formatPosting({ posting, attempts }: { posting: Posting; attempts: PostingAttempt[] }): string[] {
  return [
    `posting ${posting.id} ${posting.status}: ${posting.kind} ${posting.externalId} to ${posting.targetKey} (${posting.subject})`,
    `attempts ${posting.attempts}, next ${posting.nextAttemptAt}${posting.targetDocumentId ? `, target document ${posting.targetDocumentId}` : ''}${posting.cancelReason ? `, cancelled: ${posting.cancelReason}` : ''}`,
    '',
    ...(attempts.length === 0
      ? ['no attempt yet']
      : attempts.flatMap((attempt) => [
          `#${attempt.attempt} ${attempt.outcome}${attempt.failureClass ? ` (${attempt.failureClass})` : ''} at ${attempt.finishedAt}${attempt.statusCode ? `, HTTP ${attempt.statusCode}` : ''}${attempt.errorCode ? `, ${attempt.errorCode}` : ''}${attempt.errorPath ? ` at ${attempt.errorPath}` : ''}`,
          ...(attempt.message ? [`   ${attempt.message}`] : []),
          ...(attempt.targetText ? [`   target said: ${attempt.targetText}`] : []),
        ])),
  ];
}

function listCommand(openApp: OpenApp): Command {
  const command = withStoreOptions(
    new Command('list').description('postings in id order (the dead-letter queue: --status dead)'),
  )
    .option('--status <status>', POSTING_STATUSES.join(', '))
    .option('--target <key>', 'target key')
    .option('--period <YYYY-MM>', 'billing period');
  return withPageOptions(command, { flag: '--after <id>', description: 'the page after this posting id' })
    .addHelpText('after', HELP)
    .action(async (options: Record<string, unknown>) => {
      const { filter, limit } = parsePostingQuery(pickOptions(options, LIST_OPTIONS) as PostingParams, optionPath);
      const page = await withApp(without(options, [...LIST_OPTIONS, 'json']), openApp, (app) =>
        fetchPage(
          limit,
          (size) => app.postings.list(filter, size),
          (posting) => posting.id,
        ),
      );
      printPage(page, { json: options.json, empty: 'no postings match', rows: postingRows });
    });
}

function showCommand(openApp: OpenApp): Command {
  return withStoreOptions(new Command('show').description('one posting: its document and every attempt'))
    .argument('<id>', 'posting id')
    .option('--json', 'print the posting and its attempts as JSON')
    .action(async (id: string, options: Record<string, unknown>) => {
      const detail = await withApp(without(options, ['json']), openApp, (app) => app.postings.get(id));
      printResult(detail, options.json, formatPosting);
    });
}

function retryCommand(openApp: OpenApp): Command {
  return withStoreOptions(new Command('retry').description('send a dead posting again (audited)'))
    .addOption(byOption('who retries'))
    .argument('<id>', 'posting id')
    .action(async (id: string, options: Record<string, unknown>) => {
      const posting = await withApp(without(options, ['by']), openApp, (app) =>
        app.postings.retry(id, cliActor(options.by as string | undefined)),
      );
      console.log(`posting ${posting.id} is pending again; the target is read back before it is sent`);
    });
}

function cancelCommand(openApp: OpenApp): Command {
  return withStoreOptions(new Command('cancel').description('give up on a posting that is not delivered (audited)'))
    .addOption(byOption('who cancels'))
    .argument('<id>', 'posting id')
    .requiredOption('--reason <text>', 'why it is given up (required)')
    .action(async (id: string, options: Record<string, unknown>) => {
      const posting = await withApp(without(options, ['by', 'reason']), openApp, (app) =>
        app.postings.cancel(id, options.reason as string, cliActor(options.by as string | undefined)),
      );
      console.log(`posting ${posting.id} is cancelled: ${posting.cancelReason}`);
    });
}

function previewCommand(openApp: OpenApp): Command {
  return withStoreOptions(
    new Command('preview').description("what a billing period's documents would post, balanced, sent nowhere"),
  )
    .requiredOption('--period <YYYY-MM>', 'the billing period')
    .option('--json', 'print the preview as JSON')
    .action(async (options: Record<string, unknown>) => {
      const preview = await withApp(without(options, ['period', 'json']), openApp, (app) =>
        app.previewPostings(options.period),
      );
      printResult(preview, options.json, formatPreview);
    });
}

/** Each posting as a ledger reads it: the entry's header, then one row per line with its references. */
function formatPreview(preview: PostingPreview): string[] {
  if (preview.postings.length === 0) return [`${preview.period}: nothing to post`];
  return [
    `${preview.period}: ${preview.documents} documents, ${preview.postings.length} postings`,
    ...preview.postings.flatMap(({ targetKey, body }) => ['', ...formatPreviewPosting(targetKey, body)]),
  ];
}

function formatPreviewPosting(targetKey: string, body: PostingBody): string[] {
  if (body.type === 'usage_events')
    return [`usage events ${body.externalId} to ${targetKey}: ${body.customer}, ${body.events.length} usage records`];
  if (body.type === 'billing_items')
    return [
      `billing items ${body.externalId} to ${targetKey}: ${body.customer} ${body.currency} ${body.total}${body.issue ? ', invoiced by the target' : ''}`,
      ...formatTable(
        [
          ['AMOUNT', 'QUANTITY', 'DESCRIPTION'],
          ...body.items.map((item) => [item.amount, item.quantity ?? '', item.description]),
        ],
        new Set([0, 1]),
      ),
    ];
  return [
    `${body.type} ${body.externalId} to ${targetKey}: ${body.legalEntity} ${body.currency} ${body.type === 'journal' ? body.postingDate : body.documentDate}`,
    ...(body.type === 'journal'
      ? formatTable(
          [
            ['ACCOUNT', 'DEBIT', 'CREDIT', 'LINES'],
            ...body.lines.map((line) => [line.account, line.debit, line.credit, String(line.references.length)]),
          ],
          new Set([1, 2, 3]),
        )
      : formatTable(
          [['ITEM', 'AMOUNT', 'DESCRIPTION'], ...body.lines.map((line) => [line.item, line.amount, line.description])],
          new Set([1]),
        )),
  ];
}

function runCommand(openApp: OpenApp): Command {
  return withPostingOptions(
    withStoreOptions(new Command('run').description('deliver due postings (alone, beside serve)')),
  )
    .option('--once', 'one pass over every target with due postings, then exit')
    .action(async (options: Record<string, unknown>) => {
      await withApp(without(options, ['once']), openApp, async (app) => {
        if (options.once) {
          const summary = await app.dispatcher.runOnce();
          console.log(
            `delivered ${summary.delivered}, adopted ${summary.adopted} (found in the target), failed ${summary.failed} (will retry), dead ${summary.dead}`,
          );
          return;
        }
        const worker = startPostingWorker(app);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await worker.stop();
      });
    });
}

export function postingsCommand(dependencies: AppCommandDependencies = {}): Command {
  const openApp = dependencies.openApp ?? openConfiguredApp;
  return new Command('postings')
    .description('postings to ERP and other targets: list, show, retry, cancel, preview, run')
    .addCommand(listCommand(openApp))
    .addCommand(showCommand(openApp))
    .addCommand(retryCommand(openApp))
    .addCommand(cancelCommand(openApp))
    .addCommand(previewCommand(openApp))
    .addCommand(runCommand(openApp));
}
