import type { Catalog, Customer, LegalEntity, Meter, Subscription } from '../catalog/index.js';

/** One definition of a meter and the time it starts to apply (-Infinity: since always). */
export interface MeterDefinition {
  meter: Meter;
  effectiveFrom: string | null;
  effectiveFromMs: number;
}

export interface SubscriptionSpan {
  subscription: Subscription;
  startMs: number;
  endMs: number;
  /** Keys of the meters the plan charges. */
  meters: ReadonlySet<string>;
}

/**
 * The catalog as the metering stage looks things up: meters by event type with every definition they
 * ever had (so an event is read by the definition in force at its time), subjects to customers, and each
 * customer's subscriptions as time spans. Customers and subscriptions come from the current version:
 * a fix (a new alias, a backdated subscription) applies to every event reprocessed or replayed after it.
 */
export interface MeteringIndex {
  version: number;
  /**
   * Every data path any definition reads (value, filter, group-by), in a fixed order: the database picks
   * exactly these from each event (as JSON text, so numbers stay exact), never the whole `data`.
   */
  dataPaths: readonly string[];
  /** Position of each path in `dataPaths`. */
  pathPositions: ReadonlyMap<string, number>;
  metersFor(eventType: string): readonly MeterDefinition[][];
  customerFor(subject: string): Customer | undefined;
  subscriptionsOf(customerKey: string): readonly SubscriptionSpan[];
  legalEntity(code: string): LegalEntity | undefined;
}

export interface MeterHistoryEntry {
  version: number;
  meter: Meter;
}

function definitionsOf(key: string, current: Meter, history: readonly MeterHistoryEntry[]): MeterDefinition[] {
  // Per effectiveFrom, the latest version's definition wins: a definition only changes with a new
  // effectiveFrom (the catalog refuses anything else), so earlier ones stay as they were applied.
  const byStart = new Map<string, Meter>();
  for (const entry of [...history].sort((a, b) => a.version - b.version)) {
    if (entry.meter.key === key) byStart.set(entry.meter.effectiveFrom ?? '', entry.meter);
  }
  byStart.set(current.effectiveFrom ?? '', current);
  return [...byStart.entries()]
    .map(([start, meter]) => ({
      meter,
      effectiveFrom: start === '' ? null : start,
      effectiveFromMs: start === '' ? Number.NEGATIVE_INFINITY : Date.parse(start),
    }))
    .sort((a, b) => a.effectiveFromMs - b.effectiveFromMs);
}

/** The definition in force at `timeMs`, or undefined when the meter did not apply yet. */
export function definitionAt(definitions: readonly MeterDefinition[], timeMs: number): MeterDefinition | undefined {
  let found: MeterDefinition | undefined;
  for (const definition of definitions) {
    if (definition.effectiveFromMs <= timeMs) found = definition;
  }
  return found;
}

function subscriptionSpans(catalog: Catalog): Map<string, SubscriptionSpan[]> {
  const planMeters = new Map(
    catalog.plans.map((plan) => [
      plan.key,
      new Set(plan.charges.flatMap((charge) => (charge.meter ? [charge.meter] : []))),
    ]),
  );
  const spans = new Map<string, SubscriptionSpan[]>();
  for (const subscription of catalog.subscriptions) {
    const list = spans.get(subscription.customer) ?? [];
    list.push({
      subscription,
      startMs: Date.parse(subscription.start),
      endMs: subscription.end ? Date.parse(subscription.end) : Number.POSITIVE_INFINITY,
      meters: planMeters.get(subscription.plan) ?? new Set(),
    });
    spans.set(subscription.customer, list);
  }
  return spans;
}

export function buildMeteringIndex(
  version: number,
  catalog: Catalog,
  history: readonly MeterHistoryEntry[],
): MeteringIndex {
  const byType = new Map<string, MeterDefinition[][]>();
  const paths = new Set<string>();
  for (const meter of catalog.meters) {
    const definitions = definitionsOf(meter.key, meter, history);
    // A definition may read another event type than the current one: index it under each.
    for (const type of new Set(definitions.map((definition) => definition.meter.eventType))) {
      const list = byType.get(type) ?? [];
      list.push(definitions);
      byType.set(type, list);
    }
    for (const { meter: definition } of definitions) {
      if (definition.valuePath) paths.add(definition.valuePath);
      for (const path of Object.keys(definition.filter ?? {})) paths.add(path);
      for (const path of definition.groupBy ?? []) paths.add(path);
    }
  }
  const subjects = new Map<string, Customer>();
  for (const customer of catalog.customers) {
    for (const subject of [customer.key, ...(customer.aliases ?? [])]) subjects.set(subject, customer);
  }
  const spans = subscriptionSpans(catalog);
  const dataPaths = [...paths].sort();
  const entities = new Map(catalog.legalEntities.map((entity) => [entity.code, entity]));
  return {
    version,
    dataPaths,
    pathPositions: new Map(dataPaths.map((path, position) => [path, position])),
    metersFor: (eventType) => byType.get(eventType) ?? [],
    customerFor: (subject) => subjects.get(subject),
    subscriptionsOf: (customerKey) => spans.get(customerKey) ?? [],
    legalEntity: (code) => entities.get(code),
  };
}
