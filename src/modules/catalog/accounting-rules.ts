import { Decimal } from 'decimal.js';
import { isDecimalText } from '../../platform/decimal-text.js';
import { escapePointerToken } from '../../platform/json-pointer.js';
import { TARGET_KIND_SPECS, type TargetKindSpec } from '../connectors/index.js';
import type { Accounting, Catalog, LegalEntity } from './catalog.js';
import { revenueAccountFor } from './revenue-account.js';

// The rules of a posted legal entity (one with `accounting`): its target is declared and takes its mode,
// and every amount its documents can carry has an account — revenue for each charge its customers'
// plans bill, tax payable for each taxed region, and in invoice mode each customer's id in the ERP. An
// entity without `accounting` is not posted and meets none of these, so older catalogs keep validating.

type Report = (path: string, message: string) => void;

export interface CatalogIndexes {
  targets: ReadonlyMap<string, number>;
  meters: ReadonlyMap<string, number>;
  plans: ReadonlyMap<string, number>;
  taxRates: ReadonlyMap<string, number>;
}

type KindSpecs = Readonly<Record<string, TargetKindSpec>>;

/** `specs`: the kinds' modes (a parameter so a test can give a kind that takes one mode only). */
export function checkAccounting(
  catalog: Catalog,
  indexes: CatalogIndexes,
  report: Report,
  specs: KindSpecs = TARGET_KIND_SPECS,
): void {
  catalog.legalEntities.forEach((entity, e) => {
    if (entity.accounting) checkEntity(catalog, entity, entity.accounting, e, { ...indexes, specs }, report);
  });
}

function checkEntity(
  catalog: Catalog,
  entity: LegalEntity,
  accounting: Accounting,
  e: number,
  indexes: CatalogIndexes & { specs: KindSpecs },
  report: Report,
): void {
  const at = `/legalEntities/${e}`;
  if (entity.erpTarget !== undefined && entity.erpTarget !== accounting.target)
    report(
      `${at}/erpTarget`,
      `"${entity.erpTarget}" differs from accounting.target "${accounting.target}": remove erpTarget or make them equal`,
    );
  checkTargetAndMode(catalog, entity.code, accounting, at, indexes, report);
  checkRevenueKeys(catalog, accounting, at, indexes, report);

  const taxPayable = accounting.accounts.taxPayable ?? {};
  const regionsReported = new Set<string>();
  const chargesReported = new Set<string>();
  catalog.customers.forEach((customer, c) => {
    if (customer.legalEntity !== entity.code) return;
    if (accounting.mode === 'invoice' && !Object.hasOwn(customer.externalIds ?? {}, 'erp'))
      report(
        `/customers/${c}/externalIds/erp`,
        `is required: legal entity "${entity.code}" posts one ERP invoice per document, made out to the customer's ERP id`,
      );
    const region = customer.taxRegion;
    if (taxed(catalog, indexes, region) && !Object.hasOwn(taxPayable, region) && !regionsReported.has(region)) {
      regionsReported.add(region);
      report(
        `/customers/${c}/taxRegion`,
        `tax region "${region}" is taxed but legal entity "${entity.code}" has no tax payable account for it (${at}/accounting/accounts/taxPayable)`,
      );
    }
    for (const subscription of catalog.subscriptions) {
      if (subscription.customer !== customer.key) continue;
      const p = indexes.plans.get(subscription.plan);
      const plan = p === undefined ? undefined : catalog.plans[p];
      plan?.charges.forEach((charge, h) => {
        const place = `/plans/${p}/charges/${h}`;
        if (revenueAccountFor(accounting, charge) !== undefined || chargesReported.has(place)) return;
        chargesReported.add(place);
        const meter = charge.meter === undefined ? '' : `, revenue.meters.${charge.meter}`;
        report(
          place,
          `has no revenue account in legal entity "${entity.code}", whose customer "${customer.key}" is billed by it: add revenue.charges.${charge.key}${meter} or revenue.default at ${at}/accounting/accounts`,
        );
      });
    }
  });
}

function checkTargetAndMode(
  catalog: Catalog,
  code: string,
  accounting: Accounting,
  at: string,
  indexes: CatalogIndexes & { specs: KindSpecs },
  report: Report,
): void {
  const t = indexes.targets.get(accounting.target);
  if (t === undefined) {
    report(`${at}/accounting/target`, `refers to target "${accounting.target}", which the catalog does not declare`);
    return;
  }
  const kind = catalog.targets?.[t]?.kind ?? '';
  const spec = Object.hasOwn(indexes.specs, kind) ? indexes.specs[kind] : undefined;
  // A target of an unknown kind or one without a connector is reported at the target itself.
  if (spec?.billing)
    report(
      `${at}/accounting/target`,
      `target "${accounting.target}" is a ${kind} target, a billing platform that keeps no ledger: name it in a plan's or subscription's billedIn, and post the entity to an ERP`,
    );
  else if (spec?.connector && !spec.modes.includes(accounting.mode))
    report(
      `${at}/accounting/mode`,
      `target "${accounting.target}" is a ${kind} target, which takes ${spec.modes.map((mode) => `"${mode}"`).join(' and ')} postings, not "${accounting.mode}"`,
    );
  // The kind's own limits on what its ledger holds (an account longer than its field, a dimension it sends nowhere).
  const settings = catalog.targets?.[t]?.settings;
  if (spec?.connector && spec.checkEntity && settings !== undefined) {
    const entity = { code, accounts: { ...accounting.accounts }, dimensions: { ...accounting.dimensions } };
    for (const problem of spec.checkEntity(settings, entity))
      report(`${at}/accounting${problem.path}`, `${problem.message} (target "${accounting.target}" is ${kind})`);
  }
}

/** Per-charge and per-meter revenue accounts must name what exists, or a typo would silently fall back to the default. */
function checkRevenueKeys(
  catalog: Catalog,
  accounting: Accounting,
  at: string,
  indexes: CatalogIndexes,
  report: Report,
): void {
  const { charges = {}, meters = {} } = accounting.accounts.revenue;
  const base = `${at}/accounting/accounts/revenue`;
  for (const key of Object.keys(charges)) {
    if (!catalog.plans.some((plan) => plan.charges.some((charge) => charge.key === key)))
      report(`${base}/charges/${escapePointerToken(key)}`, `no plan has a charge "${key}"`);
  }
  for (const key of Object.keys(meters)) {
    if (!indexes.meters.has(key))
      report(
        `${base}/meters/${escapePointerToken(key)}`,
        `refers to meter "${key}", which the catalog does not declare`,
      );
  }
}

/** A region whose declared rate is above 0 puts tax on invoices; a 0 % rate posts no tax line. */
function taxed(catalog: Catalog, indexes: CatalogIndexes, region: string): boolean {
  const rate = catalog.taxRates[indexes.taxRates.get(region) ?? -1]?.rate;
  return rate !== undefined && isDecimalText(rate) && !new Decimal(rate).isZero();
}
