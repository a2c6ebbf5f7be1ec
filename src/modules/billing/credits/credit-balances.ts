import { Decimal } from 'decimal.js';
import type { Queryable } from '../../../platform/database/database.js';
import type { Catalog, PrepaidCredit, Subscription } from '../../catalog/index.js';
import { Exact, toMoney } from '../../../platform/money.js';
import type { CreditBalance, CreditEntry, CreditFilter, CreditStatus } from '../billing.js';
import { findCreditLines, findCreditTotals } from './credit-repository.js';

interface Usage {
  drawn: Exact;
  pending: Exact;
  invoicedOn: string | null;
}

async function usageOf(db: Queryable, subscriptionKeys: readonly string[]): Promise<Map<string, Usage>> {
  const usage = new Map<string, Usage>();
  for (const total of await findCreditTotals(db, subscriptionKeys)) {
    const key = `${total.subscriptionKey}/${total.creditKey}`;
    const entry = usage.get(key) ?? { drawn: new Exact(0), pending: new Exact(0), invoicedOn: null };
    if (total.kind === 'commitment') entry.invoicedOn = total.invoiceId;
    else if (total.status === 'draft') entry.pending = entry.pending.plus(new Exact(total.amount).negated());
    else entry.drawn = entry.drawn.plus(new Exact(total.amount).negated());
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
  const entries = (await findCreditLines(db, subscriptionKey, creditKey)).map(
    ({ lineAmount, ...entry }): CreditEntry => ({
      ...entry,
      amount: toMoney(new Exact(lineAmount).abs(), balance.currency),
    }),
  );
  return { ...balance, entries };
}
