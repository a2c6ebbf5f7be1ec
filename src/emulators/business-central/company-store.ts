import { randomUUID } from 'node:crypto';
import { entityChanged, missingEtag } from './bc-error.js';
import type { BusinessCentralChart, BusinessCentralCompany, GlAccount, Item } from './emulator-options.js';
import type { EntitySpec } from './entity-specs.js';
import { blankValues, etagOf, stableGuid, type StoredEntity, type Values } from './entity-values.js';

// One company's data, in memory only: a restarted emulator starts empty. Each entity set is a map by id,
// in insertion order; the chart (accounts, customers, items, currencies) is fixed at start, its ids made
// from its numbers so that they are the same on every run. Writes go through `create` and `touch`, which
// keep `lastModifiedDateTime` and the version behind the etag.

export type EntitySetName =
  | 'journals'
  | 'journalLines'
  | 'generalLedgerEntries'
  | 'salesInvoices'
  | 'salesInvoiceLines'
  | 'salesCreditMemos'
  | 'salesCreditMemoLines';

const SETS: readonly EntitySetName[] = [
  'journals',
  'journalLines',
  'generalLedgerEntries',
  'salesInvoices',
  'salesInvoiceLines',
  'salesCreditMemos',
  'salesCreditMemoLines',
];

export interface ChartIndex {
  accounts: Map<string, GlAccount & { id: string }>;
  accountsById: Map<string, GlAccount & { id: string }>;
  bankAccounts: Map<string, { number: string; glAccount: string; id: string }>;
  customers: Map<string, { number: string; name: string; id: string }>;
  customersById: Map<string, { number: string; name: string; id: string }>;
  items: Map<string, Item & { id: string }>;
  itemsById: Map<string, Item & { id: string }>;
  /** Currency code -> id, the local currency excluded. */
  currencies: Map<string, string>;
  currenciesById: Map<string, string>;
}

function indexChart(chart: BusinessCentralChart): ChartIndex {
  const withId = <T extends { number: string }>(kind: string, list: readonly T[]) =>
    new Map(list.map((entry) => [entry.number.toUpperCase(), { ...entry, id: stableGuid(kind, entry.number) }]));
  const accounts = withId('account', chart.accounts);
  const customers = withId('customer', chart.customers);
  const items = withId('item', chart.items);
  const byId = <T extends { id: string }>(map: Map<string, T>) =>
    new Map([...map.values()].map((entry) => [entry.id, entry]));
  const currencies = new Map(
    chart.currencies.map((code) => [code.toUpperCase(), stableGuid('currency', code.toUpperCase())] as const),
  );
  return {
    accounts,
    accountsById: byId(accounts),
    bankAccounts: withId('bank', chart.bankAccounts),
    customers,
    customersById: byId(customers),
    items,
    itemsById: byId(items),
    currencies,
    currenciesById: new Map([...currencies].map(([code, id]) => [id, code])),
  };
}

export class CompanyStore {
  readonly index: ChartIndex;
  private readonly sets = new Map<EntitySetName, Map<string, StoredEntity>>(SETS.map((set) => [set, new Map()]));
  private counters = new Map<string, number>();

  constructor(
    readonly company: BusinessCentralCompany,
    readonly chart: BusinessCentralChart,
    readonly now: () => number,
  ) {
    this.index = indexChart(chart);
  }

  set(name: EntitySetName): Map<string, StoredEntity> {
    return this.sets.get(name)!;
  }

  /** Entities of a set, oldest first; of one parent when `parentId` is given. */
  list(name: EntitySetName, parentId?: string): StoredEntity[] {
    const all = [...this.set(name).values()];
    return parentId === undefined ? all : all.filter((entity) => entity.parentId === parentId);
  }

  get(name: EntitySetName, id: string): StoredEntity | undefined {
    return this.set(name).get(id.toLowerCase());
  }

  /** Today on the emulator's clock, BC's work date. */
  today(): string {
    return new Date(this.now()).toISOString().slice(0, 10);
  }

  /** The next number of a series: entry numbers, draft and posted document numbers. */
  next(series: string, first = 1): number {
    const value = (this.counters.get(series) ?? first - 1) + 1;
    this.counters.set(series, value);
    return value;
  }

  create(name: EntitySetName, spec: EntitySpec, values: Values, parentId?: string): StoredEntity {
    const entity: StoredEntity = {
      id: randomUUID(),
      values: { ...blankValues(spec), ...values },
      version: 1,
      ...(parentId === undefined ? {} : { parentId }),
    };
    entity.values.id = entity.id;
    entity.values.lastModifiedDateTime = new Date(this.now()).toISOString();
    this.set(name).set(entity.id, entity);
    return entity;
  }

  /** Marks a write: a new version (a new etag) and the modification time. */
  touch(entity: StoredEntity): void {
    entity.version += 1;
    entity.values.lastModifiedDateTime = new Date(this.now()).toISOString();
  }

  remove(name: EntitySetName, entity: StoredEntity): void {
    this.set(name).delete(entity.id);
  }

  clear(): void {
    for (const set of this.sets.values()) set.clear();
    this.counters = new Map();
  }
}

/**
 * BC's optimistic concurrency on PATCH and DELETE: `If-Match` is required (`*` or the entity's etag); a
 * stale one is Request_EntityChanged, which BC answers as 409 on some pages and 412 on others.
 */
export function checkIfMatch(entity: StoredEntity, ifMatch: string | undefined, changedStatus: 409 | 412): void {
  if (ifMatch === undefined || ifMatch.trim() === '') throw missingEtag();
  const given = ifMatch.split(',').map((tag) => tag.trim());
  if (given.includes('*') || given.includes(etagOf(entity))) return;
  throw entityChanged(changedStatus);
}
