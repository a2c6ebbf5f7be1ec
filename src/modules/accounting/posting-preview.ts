import { ValidationError } from '../../platform/errors.js';
import { calendarMonth, type Billing, type Invoice } from '../billing/index.js';
import type { CatalogService } from '../catalog/index.js';
import type { PostingBody } from '../connectors/index.js';
import { AccountingError } from './accounting.js';
import { previewHandOff } from './billing-hand-off.js';
import { erpDocumentFor } from './erp-document.js';
import { externalIdFor } from './external-id.js';
import { summarizeInto } from './journal-entry.js';
import { documentJournalLines, type DocumentContext } from './journal-lines.js';
import { postingDateOf } from './posting-date.js';

const PAGE = 1000;

export interface PostingPreview {
  period: string;
  /** Documents of the period that would be posted: drafts as if finalized now, finalized ones as they are. */
  documents: number;
  /** What each target would receive, balanced, with references to every invoice line. */
  postings: { targetKey: string; body: PostingBody }[];
}

/**
 * The postings a billing period's documents make under the current catalog, computed and sent nowhere:
 * finance checks accounts and amounts before anything reaches a ledger, and the items a billing platform
 * would be handed (usage events are left out: they are the records a document marks when it finalizes). Drafts count as if finalized now;
 * void documents are left out. A journal entry previewed for a date shows that date's documents of this
 * period only (the stored one also gathers other periods' documents finalized that day).
 */
export function createPostingPreview({
  catalog,
  billing,
  now,
}: {
  catalog: CatalogService;
  billing: Pick<Billing, 'list' | 'get'>;
  now: () => Date;
}) {
  return async (period: unknown): Promise<PostingPreview> => {
    const month = typeof period === 'string' ? calendarMonth(period) : undefined;
    if (!month || typeof period !== 'string')
      throw new ValidationError('invalid posting preview', [
        { path: '/query/period', message: 'is required: a month, YYYY-MM' },
      ]);
    const { start: from, end: to } = month;
    const current = (await catalog.current())?.catalog;
    const journals = new Map<string, { targetKey: string; body: PostingBody }>();
    const documents: { targetKey: string; body: PostingBody }[] = [];
    const handOffs: { targetKey: string; body: PostingBody }[] = [];
    let count = 0;
    for (let afterId: string | undefined; ;) {
      const page = await billing.list({ from, to, afterId }, PAGE);
      for (const summary of page) {
        if (summary.status === 'void' || !current) continue;
        const entity = current.legalEntities.find((candidate) => candidate.code === summary.legalEntity);
        const accounting = entity?.accounting;
        const customer = current.customers.find((candidate) => candidate.key === summary.customer);
        const document: Invoice = await billing.get(summary.id);
        const handOff = previewHandOff(current, document);
        if (handOff) handOffs.push({ targetKey: handOff.targetKey, body: handOff.body });
        if (!entity || !accounting) {
          if (handOff) count += 1;
          continue;
        }
        if (!customer)
          throw new AccountingError(`customer ${summary.customer} is not in the current catalog`, summary.id);
        const context: DocumentContext = { entity: { ...entity, accounting }, customer, catalog: current };
        count += 1;
        if (accounting.mode === 'invoice') {
          documents.push({ targetKey: accounting.target, body: erpDocumentFor(document, context, accounting.target) });
          continue;
        }
        const date = postingDateOf(
          document,
          accounting.postingDate,
          document.finalizedAt ? new Date(document.finalizedAt) : now(),
        );
        const groupKey = `${entity.code}|${document.currency}|${date}`;
        const known = journals.get(`${accounting.target}\n${groupKey}`);
        const header = {
          externalId: externalIdFor('journal', accounting.target, groupKey, '1'),
          legalEntity: entity.code,
          currency: document.currency,
          postingDate: date,
          memo: `Meterbridge usage revenue ${entity.code} ${document.currency} ${date}`,
        };
        const base = known?.body.type === 'journal' ? known.body : header;
        journals.set(`${accounting.target}\n${groupKey}`, {
          targetKey: accounting.target,
          body: summarizeInto(base, documentJournalLines(document, context)),
        });
      }
      if (page.length < PAGE) break;
      afterId = page.at(-1)?.id;
    }
    return { period, documents: count, postings: [...journals.values(), ...documents, ...handOffs] };
  };
}
