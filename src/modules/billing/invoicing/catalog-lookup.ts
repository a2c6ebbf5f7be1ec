import type { Catalog, Customer, Meter, Plan, Subscription } from '../../catalog/index.js';

/** The catalog's objects by key: a run over 10,000 subscriptions must not scan lists per subscription. */
export interface CatalogLookup {
  subscription(key: string): Subscription | undefined;
  customer(key: string | undefined): Customer | undefined;
  plan(key: string | undefined): Plan | undefined;
  meter(key: string | undefined): Meter | undefined;
}

export function catalogLookup(catalog: Catalog): CatalogLookup {
  const index = <T>(items: readonly T[], keyOf: (item: T) => string) =>
    new Map(items.map((item) => [keyOf(item), item]));
  const subscriptions = index(catalog.subscriptions, (subscription) => subscription.key);
  const customers = index(catalog.customers, (customer) => customer.key);
  const plans = index(catalog.plans, (plan) => plan.key);
  const meters = index(catalog.meters, (meter) => meter.key);
  return {
    subscription: (key) => subscriptions.get(key),
    customer: (key) => (key === undefined ? undefined : customers.get(key)),
    plan: (key) => (key === undefined ? undefined : plans.get(key)),
    meter: (key) => (key === undefined ? undefined : meters.get(key)),
  };
}
