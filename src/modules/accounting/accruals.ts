import { uniqueFieldErrors, ValidationError, type FieldError } from '../../platform/errors.js';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { calendarMonth, type Billing, type Invoice } from '../billing/index.js';
import type { CatalogService } from '../catalog/index.js';
import type { JournalLine } from '../connectors/index.js';
import { insertPostingsNow, type NewPosting } from '../outbox/index.js';
import { Exact } from '../../platform/money.js';
import { externalIdFor } from './external-id.js';
import { summarizeInto } from './journal-entry.js';
import { documentJournalLines } from './journal-lines.js';

const PAGE = 1000;

export interface AccrualResult {
  period: string;
  /** Draft documents whose revenue was accrued. */
  documents: number;
  /** Accrual entries (each with its reversal) written, by external id; already written ones are not counted. */
  accruals: {
    targetKey: string;
    legalEntity: string;
    currency: string;
    externalId: string;
    reversal: string;
    amount: string;
  }[];
}

/**
 * Accrues a closed period's revenue that is rated but not yet on a finalized invoice — its draft
 * documents, waiting out their grace period — as an entry per entity and currency on the period's last
 * day (unbilled revenue debited, each revenue account credited; tax is not revenue and is not accrued),
 * reversed on the next period's first day, when the finalized invoices post it for real. Journal-mode
 * entities with an `unbilled` account only. Deterministic external ids: accruing a period again adds
 * nothing once its entries are written.
 */
export function createAccruals({
  db,
  catalog,
  billing,
  clock,
}: {
  db: Database;
  catalog: CatalogService;
  billing: Pick<Billing, 'list' | 'get'>;
  clock: Clock;
}) {
  return async (period: unknown): Promise<AccrualResult> => {
    const month = typeof period === 'string' ? calendarMonth(period) : undefined;
    if (!month || typeof period !== 'string')
      throw new ValidationError('invalid accrual', [{ path: '/period', message: 'is required: a month, YYYY-MM' }]);
    const { start: from, end: to } = month;
    const lastDay = new Date(to.getTime() - 1).toISOString().slice(0, 10);
    const firstDay = to.toISOString().slice(0, 10);
    const current = (await catalog.current())?.catalog;
    if (!current)
      throw new ValidationError('invalid accrual', [{ path: '/period', message: 'no catalog has been applied' }]);
    const problems: FieldError[] = [];
    const entries = new Map<
      string,
      { targetKey: string; legalEntity: string; currency: string; lines: JournalLine[] }
    >();
    let documents = 0;
    for (let afterId: string | undefined; ;) {
      const page = await billing.list({ from, to, afterId, status: 'draft' }, PAGE);
      for (const summary of page) {
        const entity = current.legalEntities.find((candidate) => candidate.code === summary.legalEntity);
        const accounting = entity?.accounting;
        if (!entity || !accounting || accounting.mode !== 'journal') continue;
        const unbilled = accounting.accounts.unbilled;
        if (!unbilled) {
          problems.push({
            path: `/legalEntities/${current.legalEntities.indexOf(entity)}/accounting/accounts/unbilled`,
            message: `is required to accrue: legal entity ${entity.code} has unfinalized revenue in ${period}`,
          });
          continue;
        }
        const customer = current.customers.find((candidate) => candidate.key === summary.customer);
        if (!customer) continue;
        const document: Invoice = await billing.get(summary.id);
        documents += 1;
        const revenue = documentJournalLines(withoutTax(document), {
          entity: { ...entity, accounting },
          customer,
          catalog: current,
        }).filter((line) => line.account !== accounting.accounts.receivable);
        const net = revenue.reduce((sum, line) => sum.plus(line.credit).minus(line.debit), new Exact(0));
        const key = `${accounting.target}\n${entity.code}\n${document.currency}`;
        const entry = entries.get(key) ?? {
          targetKey: accounting.target,
          legalEntity: entity.code,
          currency: document.currency,
          lines: [],
        };
        entry.lines.push(...revenue, {
          account: unbilled,
          dimensions: { ...accounting.dimensions },
          ...(net.isNegative()
            ? { debit: '0', credit: net.negated().toFixed() }
            : { debit: net.toFixed(), credit: '0' }),
          memo: `unbilled revenue ${period}`,
          references: [{ invoiceId: document.id, invoiceNumber: document.number ?? '', lineNo: 0 }],
        });
        entries.set(key, entry);
      }
      if (page.length < PAGE) break;
      afterId = page.at(-1)?.id;
    }
    if (problems.length > 0) throw new ValidationError('cannot accrue', uniqueFieldErrors(problems));
    const postings: NewPosting[] = [];
    const accruals: AccrualResult['accruals'] = [];
    for (const entry of entries.values()) {
      const ids = [entry.targetKey, entry.legalEntity, entry.currency, period];
      const accrual = summarizeInto(
        {
          externalId: externalIdFor('accrual', ...ids),
          legalEntity: entry.legalEntity,
          currency: entry.currency,
          postingDate: lastDay,
          memo: `Meterbridge accrued usage revenue ${period}`,
        },
        entry.lines,
      );
      const reversal = summarizeInto(
        {
          externalId: externalIdFor('reversal', ...ids),
          legalEntity: entry.legalEntity,
          currency: entry.currency,
          postingDate: firstDay,
          memo: `Meterbridge reversal of accrued usage revenue ${period}`,
        },
        accrual.lines.map((line) => ({ ...line, debit: line.credit, credit: line.debit })),
      );
      const amount = accrual.lines.reduce((sum, line) => sum.plus(line.debit), new Exact(0)).toFixed();
      const common = {
        targetKey: entry.targetKey,
        legalEntity: entry.legalEntity,
        period,
        subject: `accrual:${entry.legalEntity}:${entry.currency}:${period}`,
      };
      postings.push(
        { ...common, externalId: accrual.externalId, kind: 'accrual', body: accrual },
        { ...common, externalId: reversal.externalId, kind: 'reversal', body: reversal, after: accrual.externalId },
      );
      accruals.push({
        targetKey: entry.targetKey,
        legalEntity: entry.legalEntity,
        currency: entry.currency,
        externalId: accrual.externalId,
        reversal: reversal.externalId,
        amount,
      });
    }
    await db.transaction((tx) => insertPostingsNow(tx, postings, clock.now()));
    return { period, documents, accruals };
  };
}

/** A document's revenue only: its tax is owed to the state, not earned. */
function withoutTax(document: Invoice): Invoice {
  const lines = (document.lines ?? []).filter((line) => line.kind !== 'tax');
  const total = lines.reduce((sum, line) => sum.plus(line.amount), new Exact(0)).toFixed();
  return { ...document, lines, total };
}
