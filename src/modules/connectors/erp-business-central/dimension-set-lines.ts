import { DeliveryFailure } from '../connector.js';
import type { BcEntity, BusinessCentralClient } from './business-central-client.js';
import type { DimensionSetLineBody } from './business-central-mapping.js';

// Dimensions in BC's API v2.0 are a part of the entity they belong to: `<parent>/dimensionSetLines`, one
// line per dimension (`code`) with its value (`valueCode`), keyed by the dimension's id. Posting takes a
// journal line's (or a sales document's and its lines') dimension set onto the G/L entries it writes,
// so the set must be complete before the post. The connector makes the codes the posting carries hold
// its values — read first, a missing one created, a wrong value changed (PATCH with its etag) — and
// leaves every other dimension set line as BC holds it (a default dimension of the account, item or
// customer, which BC adds itself). What BC answered is checked before anything is posted.

const upper = (value: unknown) => String(value ?? '').toUpperCase();

/** The dimension set of a parent as BC holds it: dimension code -> value code. */
export async function readDimensionSet(
  client: BusinessCentralClient,
  parentPath: string,
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const held = await client.list(`${parentPath}/dimensionSetLines`, signal);
  return new Map(held.map((line) => [upper(line.code), upper(line.valueCode)]));
}

/** The first of `wanted` the set does not hold at its value. */
export const missingDimension = (
  set: ReadonlyMap<string, string>,
  wanted: readonly DimensionSetLineBody[],
): DimensionSetLineBody | undefined => wanted.find((line) => set.get(line.code) !== line.valueCode);

/**
 * Makes the parent's dimension set hold `wanted` (other dimensions are left as BC holds them), and checks
 * what BC answered; nothing is read or written when the posting carries no dimension. A create whose
 * answer was lost is found by the next attempt's read, so every attempt reads before it writes.
 */
export async function syncDimensionSetLines(
  client: BusinessCentralClient,
  parentPath: string,
  wanted: readonly DimensionSetLineBody[],
  signal: AbortSignal,
): Promise<void> {
  if (wanted.length === 0) return;
  const path = `${parentPath}/dimensionSetLines`;
  const held = await client.list(path, signal);
  const answered = new Map<string, BcEntity>();
  for (const line of held) answered.set(upper(line.code), line);
  for (const target of wanted) {
    const line = answered.get(target.code);
    if (line === undefined) answered.set(target.code, await client.create(path, { ...target }, signal));
    else if (upper(line.valueCode) !== target.valueCode)
      answered.set(
        target.code,
        await client.update(`${path}(${line.id})`, line['@odata.etag'], { valueCode: target.valueCode }, signal),
      );
  }
  const set = new Map([...answered].map(([code, line]) => [code, upper(line.valueCode)]));
  const wrong = missingDimension(set, wanted);
  if (wrong !== undefined)
    throw new DeliveryFailure(
      'invalid',
      `Business Central holds dimension ${wrong.code} as "${set.get(wrong.code) ?? ''}" on ${parentPath}, not ${wrong.valueCode}, after writing it; not posted`,
      { path: 'dimensions', targetText: JSON.stringify([...answered.values()]) },
    );
}
