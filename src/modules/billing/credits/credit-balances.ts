import { Decimal } from 'decimal.js';
import type { Queryable } from '../../../platform/database/database.js';
import type { Catalog, PrepaidCredit, Subscription } from '../../catalog/index.js';
import { lockCredits } from '../invoicing/invoice-repository.js';
import { Exact, toMoney } from '../../../platform/money.js';
import type { InvoiceStatus, CreditBalance, CreditEntry, CreditFilter, CreditStatus } from '../billing.js';

interface Usage {
  drawn: Exact;
  pending: Exact;
  invoicedOn: string | null;
}

async function usageOf(db: Queryable, subscriptionKeys: readonly string[]): Promise<Map<string, Usage>> {
  const usage = new Map<string, Usage>();
  if (subscriptionKeys.length === 0) return usage;
  const result = await db.query<{
    subscription_key: string;
    credit_key: string;
    kind: string;
    status: string;
    amount: string;
    invoice: string;
  }>(
    `select i.subscription_key, l.credit_key, l.kind, i.status, sum(l.amount)::text as amount, min(i.id) as invoice
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where l.credit_key is not null and i.status <> 'void' and i.subscription_key = any($1)
      group by i.subscription_key, l.credit_key, l.kind, i.status`,
    [subscriptionKeys],
  );
  for (const row of result.rows) {
    const key = `${row.subscription_key}/${row.credit_key}`;
    const entry = usage.get(key) ?? { drawn: new Exact(0), pending: new Exact(0), invoicedOn: null };
    if (row.kind === 'commitment') entry.invoicedOn = row.invoice;
    else if (row.status === 'draft') entry.pending = entry.pending.plus(new Exact(row.amount).negated());
    else entry.drawn = entry.drawn.plus(new Exact(row.amount).negated());
    usage.set(key, entry);
  }
  return usage;
}

function balanceOf(
  subscription: Subscription,
  currency: string,
  credit: PrepaidCredit,
  usage: Usage | undefined,
  now: Date,
): CreditBalance {
  const drawn = usage?.drawn ?? new Exact(0);
  const pending = usage?.pending ?? new Exact(0);
  const remaining = Decimal.max(new Exact(credit.amount).minus(drawn).minus(pending), 0);
  const effectiveFrom = credit.effectiveFrom ?? subscription.start;
  const status: CreditStatus =
    now.getTime() < Date.parse(effectiveFrom)
      ? 'scheduled'
      : credit.expiresAt !== undefined && Date.parse(credit.expiresAt) <= now.getTime()
        ? 'expired'
        : remaining.isZero()
          ? 'exhausted'
          : 'active';
  return {
    id: `${subscription.key}/${credit.key}`,
    subscription: subscription.key,
    customer: subscription.customer,
    key: credit.key,
    name: credit.name ?? null,
    kind: credit.kind,
    currency,
    amount: toMoney(new Exact(credit.amount), currency),
    effectiveFrom: new Date(effectiveFrom).toISOString(),
    expiresAt: credit.expiresAt === undefined ? null : new Date(credit.expiresAt).toISOString(),
    charges: credit.charges ?? null,
    priority: credit.priority ?? 0,
    drawn: toMoney(drawn, currency),
    pending: toMoney(pending, currency),
    remaining: toMoney(remaining, currency),
    status,
    invoicedOn: usage?.invoicedOn ?? null,
  };
}

/** The balances of the catalog's credits matching the filter, by subscription then credit key; `limit` of them. */
export async function listCreditBalances(
  db: Queryable,
  catalog: Catalog,
  filter: CreditFilter,
  now: Date,
  limit: number,
): Promise<CreditBalance[]> {
  // Catalog rules make every subscription's customer exist; the fallback only satisfies the type.
  const currencies = new Map(catalog.customers.map((customer) => [customer.key, customer.currency]));
  const subscriptions = catalog.subscriptions
    .filter((subscription) => subscription.credits?.length)
    .filter(
      (subscription) =>
        (filter.subscription === undefined || subscription.key === filter.subscription) &&
        (filter.customer === undefined || subscription.customer === filter.customer),
    );
  const usage = await usageOf(
    db,
    subscriptions.map((subscription) => subscription.key),
  );
  const balances = subscriptions.flatMap((subscription) =>
    (subscription.credits ?? []).map((credit) =>
      balanceOf(
        subscription,
        currencies.get(subscription.customer) ?? 'USD',
        credit,
        usage.get(`${subscription.key}/${credit.key}`),
        now,
      ),
    ),
  );
  return balances
    .filter(
      (balance) =>
        (filter.status === undefined || balance.status === filter.status) &&
        (filter.after === undefined || balance.id > filter.after),
    )
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, limit);
}

/** One credit's balance and every document that used it, in period order; undefined when the catalog has no such credit. */
export async function findCredit(
  db: Queryable,
  catalog: Catalog,
  subscriptionKey: string,
  creditKey: string,
  now: Date,
): Promise<(CreditBalance & { entries: CreditEntry[] }) | undefined> {
  const subscription = catalog.subscriptions.find((candidate) => candidate.key === subscriptionKey);
  const credit = subscription?.credits?.find((candidate) => candidate.key === creditKey);
  if (!subscription || !credit) return undefined;
  const currency = catalog.customers.find((customer) => customer.key === subscription.customer)?.currency ?? 'USD';
  const usage = await usageOf(db, [subscriptionKey]);
  const balance = balanceOf(subscription, currency, credit, usage.get(`${subscriptionKey}/${creditKey}`), now);
  const result = await db.query<{
    id: string;
    number: string | null;
    document: 'invoice' | 'memo';
    status: InvoiceStatus;
    period_start: Date | string;
    period_end: Date | string;
    kind: 'commitment' | 'credit';
    amount: string;
  }>(
    `select i.id, i.number, i.document, i.status, i.period_start, i.period_end, l.kind, l.amount::text as amount
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where i.subscription_key = $1 and l.credit_key = $2
      order by i.period_start, i.created_at, l.line_no`,
    [subscriptionKey, creditKey],
  );
  const entries = result.rows.map((row) => ({
    invoice: row.id,
    number: row.number,
    document: row.document,
    status: row.status,
    periodStart: new Date(row.period_start).toISOString(),
    periodEnd: new Date(row.period_end).toISOString(),
    kind: row.kind,
    amount: toMoney(new Exact(row.amount).abs(), balance.currency),
  }));
  return { ...balance, entries };
}

/**
 * What finalized documents drew from each of these credits (`subscription/credit`) and whether one
 * invoiced it; unused credits are left out. Takes the credits lock first: no document finalizes with
 * credit lines until the caller's transaction (a catalog apply) ends.
 */
export async function finalizedCreditUse(
  db: Queryable,
  creditIds: readonly string[],
): Promise<Map<string, { drawn: string; committed: boolean }>> {
  await lockCredits(db);
  const result = await db.query<{ id: string; drawn: string; committed: boolean }>(
    `select i.subscription_key || '/' || l.credit_key as id, coalesce(sum(-l.amount) filter (where l.kind = 'credit'), 0)::text as drawn,
            bool_or(l.kind = 'commitment') as committed
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where l.credit_key is not null and i.status = 'finalized' and i.subscription_key || '/' || l.credit_key = any($1)
      group by 1`,
    [creditIds],
  );
  return new Map(result.rows.map((row) => [row.id, { drawn: row.drawn, committed: row.committed }]));
}
