import { TARGET_KIND_SPECS, type TargetKindSpec } from '../connectors/index.js';
import type { BilledIn, Catalog, Subscription } from './catalog.js';
import type { CatalogIndexes } from './accounting-rules.js';

// The rules of billing in a billing platform (`billedIn` on a plan or a subscription): the target is
// declared and of a billing kind, every customer billed there has its id in the platform
// (`externalIds.billing`), and the kind's own rules hold for each subscription (a Stripe meter for each
// meter it bills by, in meter-event mode).

type Report = (path: string, message: string) => void;
type KindSpecs = Readonly<Record<string, TargetKindSpec>>;

/** The billing platform a subscription is billed in: its own `billedIn`, else its plan's. */
export function billedInOf(catalog: Pick<Catalog, 'plans'>, subscription: Subscription): BilledIn | undefined {
  return subscription.billedIn ?? catalog.plans.find((plan) => plan.key === subscription.plan)?.billedIn;
}

export function checkBilledIn(
  catalog: Catalog,
  indexes: CatalogIndexes & { customers: ReadonlyMap<string, number> },
  report: Report,
  specs: KindSpecs = TARGET_KIND_SPECS,
): void {
  /**
   * The billing spec of a billedIn's target, or undefined when there is none: said at `at` when given
   * (a plan's billedIn is reported at the plan once, not again at each of its subscriptions).
   */
  const billingTarget = (billedIn: BilledIn, at?: string) => {
    const say = (message: string) => at !== undefined && report(`${at}/billedIn/target`, message);
    const t = indexes.targets.get(billedIn.target);
    const target = t === undefined ? undefined : catalog.targets?.[t];
    if (t === undefined || !target) {
      say(`refers to target "${billedIn.target}", which the catalog does not declare`);
      return undefined;
    }
    const billing = Object.hasOwn(specs, target.kind) ? specs[target.kind]?.billing : undefined;
    if (!billing) {
      say(
        `target "${billedIn.target}" is a ${target.kind} target, which keeps a ledger and bills no one: name a billing platform (stripe)`,
      );
      return undefined;
    }
    return { t, target, billing };
  };
  catalog.plans.forEach((plan, p) => {
    if (plan.billedIn) billingTarget(plan.billedIn, `/plans/${p}`);
  });
  catalog.subscriptions.forEach((subscription, s) => {
    const own = subscription.billedIn;
    const billedIn = billedInOf(catalog, subscription);
    if (!billedIn) return;
    const found = billingTarget(billedIn, own ? `/subscriptions/${s}` : undefined);
    if (!found) return;
    const c = indexes.customers.get(subscription.customer);
    const customer = c === undefined ? undefined : catalog.customers[c];
    if (customer && !Object.hasOwn(customer.externalIds ?? {}, 'billing'))
      report(
        `/customers/${c}/externalIds/billing`,
        `is required: subscription "${subscription.key}" is billed in target "${billedIn.target}", on the customer's id there`,
      );
    const plan = catalog.plans[indexes.plans.get(subscription.plan) ?? -1];
    const meters = [...new Set(plan?.charges.flatMap((charge) => (charge.meter ? [charge.meter] : [])) ?? [])];
    const problems =
      found.billing.checkBilled?.(found.target.settings, {
        subscription: subscription.key,
        billingPeriod: subscription.billingPeriod,
        meters,
      }) ?? [];
    for (const problem of problems) report(`/targets/${found.t}/settings${problem.path}`, problem.message);
  });
}
