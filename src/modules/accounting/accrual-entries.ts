import { uniqueFieldErrors, ValidationError, type FieldError } from '../../platform/errors.js';
import { Exact } from '../../platform/money.js';
import { type Billing, type Invoice, type Period } from '../billing/index.js';
import type { Catalog } from '../catalog/index.js';
import type { JournalLine } from '../connectors/index.js';
import type { NewPosting } from '../outbox/index.js';
import type { AccrualEntry } from './accrual-runs.js';
import { externalIdFor } from './external-id.js';
import { summarizeInto } from './journal-entry.js';
import { documentJournalLines } from './journal-lines.js';

const PAGE = 1000;

export interface AccrualPlan {
  /** Draft documents whose revenue is accrued. */
  documents: number;
  accruals: AccrualEntry[];
  /** Each accrual entry and its reversal (which depends on it). */
  postings: NewPosting[];
}

/**
 * The accrual of a period's draft documents as they are now, computed and written nowhere: an entry per
 * entity and currency on the period's last day (unbilled revenue debited, each revenue account credited
 * as the finalized invoice will; tax is not revenue and is not accrued), reversed on the next period's
 * first day. Journal-mode entities only; one without an `unbilled` account is refused, naming its path.
 * External ids come from target, entity, currency and period: the same period always gives the same ids.
 */
export async function planAccrual(
  billing: Pick<Billing, 'list' | 'get'>,
  catalog: Catalog,
  period: string,
  month: Period,
): Promise<AccrualPlan> {
  const lastDay = new Date(month.end.getTime() - 1).toISOString().slice(0, 10);
  const firstDay = month.end.toISOString().slice(0, 10);
  const problems: FieldError[] = [];
  const entries = new Map<string, { targetKey: string; legalEntity: string; currency: string; lines: JournalLine[] }>();
  let documents = 0;
  for (let afterId: string | undefined; ;) {
    const page = await billing.list({ from: month.start, to: month.end, afterId, status: 'draft' }, PAGE);
    for (const summary of page) {
      const entity = catalog.legalEntities.find((candidate) => candidate.code === summary.legalEntity);
      const accounting = entity?.accounting;
      if (!entity || !accounting || accounting.mode !== 'journal') continue;
      const unbilled = accounting.accounts.unbilled;
      if (!unbilled) {
        problems.push({
          path: `/legalEntities/${catalog.legalEntities.indexOf(entity)}/accounting/accounts/unbilled`,
          message: `is required to accrue: legal entity ${entity.code} has unfinalized revenue in ${period}`,
        });
        continue;
      }
      const customer = catalog.customers.find((candidate) => candidate.key === summary.customer);
      if (!customer) continue;
      const document: Invoice = await billing.get(summary.id);
      documents += 1;
      const revenue = documentJournalLines(withoutTax(document), {
        entity: { ...entity, accounting },
        customer,
        catalog,
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
        ...(net.isNegative() ? { debit: '0', credit: net.negated().toFixed() } : { debit: net.toFixed(), credit: '0' }),
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
  const accruals: AccrualEntry[] = [];
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
  return { documents, accruals, postings };
}

/** A document's revenue only: its tax is owed to the state, not earned. */
function withoutTax(document: Invoice): Invoice {
  const lines = (document.lines ?? []).filter((line) => line.kind !== 'tax');
  const total = lines.reduce((sum, line) => sum.plus(line.amount), new Exact(0)).toFixed();
  return { ...document, lines, total };
}
