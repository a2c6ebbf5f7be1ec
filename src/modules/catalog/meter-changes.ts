import type { FieldError } from '../../platform/errors.js';
import type { Catalog, Meter } from './catalog.js';
import type { CatalogDiff } from './catalog-diff.js';

/** The fields that decide which events a meter counts and how: changing one changes what usage means. */
export const METER_DEFINITION_FIELDS = ['eventType', 'filter', 'valuePath', 'aggregation', 'groupBy'] as const;

/**
 * Meters whose definition changed without a new `effectiveFrom` later than the previous one's: applying
 * them would silently reinterpret usage already derived under the old definition. One error per meter,
 * at the meter's `effectiveFrom` in the next document. With `inUse`, only those meters count (the others
 * have no usage yet); without it every meter is taken to have usage.
 */
export function unannouncedMeterChanges(
  previous: Catalog,
  next: Catalog,
  diff: CatalogDiff,
  inUse?: ReadonlySet<string>,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const { key, changes } of diff.meters.changed) {
    // A meter nothing was derived with yet has no history to rewrite.
    if (inUse && !inUse.has(key)) continue;
    const fields = [...new Set(changes.map((change) => change.path.split('/')[1] ?? ''))].filter((field) =>
      (METER_DEFINITION_FIELDS as readonly string[]).includes(field),
    );
    if (fields.length === 0) continue;
    const before = previous.meters.find((meter) => meter.key === key) as Meter;
    const index = next.meters.findIndex((meter) => meter.key === key);
    const after = next.meters[index] as Meter;
    if (
      after.effectiveFrom !== undefined &&
      (before.effectiveFrom === undefined || Date.parse(after.effectiveFrom) > Date.parse(before.effectiveFrom))
    ) {
      continue;
    }
    const since = before.effectiveFrom === undefined ? '' : ` later than its current ${before.effectiveFrom}`;
    errors.push({
      path: `/meters/${index}/effectiveFrom`,
      message:
        `meter ${JSON.stringify(key)} changes its definition (${fields.join(', ')}): state an effectiveFrom${since} ` +
        'from which the new definition applies, or keep the definition and re-derive history by replay',
    });
  }
  return errors;
}
