import { meteringCatalogJson } from './metering-events.js';

// The reconciliation benchmark's catalog and names, shared by its driver and its processes.

export const NETSUITE_TARGET = 'netsuite';
/** The reference catalog's own subscriptions: acme-growth-2026 is billed for October too (globex is quarterly from February). */
export const REFERENCE_INVOICES = 1;
/**
 * NetSuite takes a customer by its internal id, a number: Acme's ERP id in the reference catalog
 * ("C-10042", an entity id) is replaced by one; Globex's (4000187) is one already.
 */
export const REFERENCE_ERP_IDS: Readonly<Record<string, string>> = { acme: '10042', globex: '4000187' };
export const erpIdOf = (customer: number) => String(1_000_000 + customer);

/**
 * The benchmark's catalog: billing-bench's (the reference catalog and S generated customers with a
 * `growth` subscription each), each customer with an ERP id (a NetSuite internal id), and both entities posted to one NetSuite
 * target in invoice mode (one NetSuite invoice per finalized document), the tax as a line of a tax item.
 */
export function reconcileCatalogJson(
  customers: number,
  emulatorUrl: string,
  limits: { requestsPerSecond: number; concurrency: number },
): string {
  const document = JSON.parse(meteringCatalogJson(customers)) as {
    legalEntities: Array<Record<string, unknown>>;
    customers: Array<{ key: string; externalIds?: Record<string, string> }>;
    targets?: unknown[];
  };
  for (const customer of document.customers) {
    const generated = /^bench-c(\d+)$/.exec(customer.key);
    const erp = generated ? erpIdOf(Number(generated[1])) : REFERENCE_ERP_IDS[customer.key];
    if (erp !== undefined) customer.externalIds = { ...customer.externalIds, erp };
  }
  document.targets = [
    {
      key: NETSUITE_TARGET,
      kind: 'netsuite',
      settings: {
        accountId: '1234567_SB1',
        baseUrl: emulatorUrl,
        auth: { method: 'tba' },
        currencies: { USD: '1', EUR: '2' },
        items: { platform_fee: '10', api: '11', storage: '12', premium_support: '13' },
        taxItem: '90',
      },
      credentials: 'NETSUITE',
      limits,
    },
  ];
  for (const entity of document.legalEntities) {
    const us = entity.code === 'US';
    delete entity.erpTarget;
    entity.accounting = {
      target: NETSUITE_TARGET,
      mode: 'invoice',
      accounts: {
        receivable: '58',
        revenue: { default: '112', charges: { platform_fee: '54' } },
        taxPayable: us ? { 'US-CA': '113' } : { DE: '113' },
      },
      dimensions: { subsidiary: us ? '1' : '2' },
    };
  }
  return JSON.stringify(document);
}
