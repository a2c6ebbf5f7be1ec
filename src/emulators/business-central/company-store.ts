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
  | 'salesCreditMemoLines'
  | 'dimensionSetLines';

const SETS: readonly EntitySetName[] = [
  'journals',
  'journalLines',
  'generalLedgerEntries',
  'salesInvoices',
  'salesInvoiceLines',
  'salesCreditMemos',
  'salesCreditMemoLines',
  'dimensionSetLines',
];

/** A dimension of the company, its id made from its code, with its values by code. */
export interface DimensionIndexEntry {
  id: string;
  code: string;
  name: string;
  values: Map<string, { id: string; code: string; name: string }>;
}

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
  /** Dimension code -> the dimension and its values. */
  dimensions: Map<string, DimensionIndexEntry>;
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
    dimensions: new Map(
      chart.dimensions.map((dimension) => {
        const code = dimension.code.toUpperCase();
        const values = dimension.values.map((value) => {
          const valueCode = value.code.toUpperCase();
          return [
            valueCode,
            { id: stableGuid('dimension value', code, valueCode), code: valueCode, name: value.name ?? valueCode },
          ] as const;
        });
        return [
          code,
          { id: stableGuid('dimension', code), code, name: dimension.name ?? code, values: new Map(values) },
        ] as const;
      }),
    ),
  };
}

const storeKey = (entity: StoredEntity, byParent: boolean) =>
  byParent ? `${entity.parentId ?? ''}/${entity.id}` : entity.id;

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

  /**
   * A new entity; `id` is given only where the page keys entities by another record's id (a dimension set
   * line by its dimension's, unique within its parent), and then the store keys it by parent and id.
   */
  create(name: EntitySetName, spec: EntitySpec, values: Values, parentId?: string, id?: string): StoredEntity {
    const entity: StoredEntity = {
      id: id ?? randomUUID(),
      values: { ...blankValues(spec), ...values },
      version: 1,
      ...(parentId === undefined ? {} : { parentId }),
    };
    entity.values.id = entity.id;
    entity.values.lastModifiedDateTime = new Date(this.now()).toISOString();
    this.set(name).set(storeKey(entity, id !== undefined), entity);
    return entity;
  }

  /** Marks a write: a new version (a new etag) and the modification time. */
  touch(entity: StoredEntity): void {
    entity.version += 1;
    entity.values.lastModifiedDateTime = new Date(this.now()).toISOString();
  }

  /** Removes an entity, and the dimension set lines it holds (a journal line's, a sales line's). */
  remove(name: EntitySetName, entity: StoredEntity): void {
    const set = this.set(name);
    if (set.get(entity.id) === entity) set.delete(entity.id);
    else set.delete(storeKey(entity, true));
    if (name !== 'dimensionSetLines')
      for (const line of this.list('dimensionSetLines', entity.id)) this.remove('dimensionSetLines', line);
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
