import { Decimal } from 'decimal.js';
import type { Connector, UsageHandOff } from '../connectors/index.js';
import type { Posting } from '../outbox/index.js';
import { NO_PLACE, type NewMismatch, type UnverifiedTarget } from './reconciliation.js';
import type { TargetPace } from './target-pace.js';
import { waitingOutThrottles } from './throttled-read.js';

// Usage handed to a billing platform's meters cannot be read back record by record: a meter keeps sums.
// What can be read back is what the meter counted per customer over the period; it must equal the sum of
// the records Meterbridge handed over with an event time in the period (an event sent twice is counted
// once by the platform, by its identifier, and once here, by its posting). A customer and meter whose
// hand-offs are not all delivered yet cannot be compared, and leaves its target unverified. Each sum is
// read at the target's pace (its meters' pages included).

export interface UsageHandOffScope {
  /** Events whose time is in [start, end). */
  start: Date;
  end: Date;
}

export interface UsageHandOffResult {
  /** Delivered hand-offs whose sums the platform confirmed. */
  verifiedPostingIds: string[];
  unverified: UnverifiedTarget[];
}

interface CustomerMeter {
  customer: string;
  meter: string;
  /** Sum of the handed-over values with an event time in the period. */
  sent: Decimal;
  postings: Posting[];
}

/** Reads each customer's and meter's sum from the platform, at most at half its rate, and compares. */
export async function reconcileUsageHandOffs(
  targetKey: string,
  connector: Connector | undefined,
  target: TargetPace,
  handOffs: readonly Posting[],
  scope: UsageHandOffScope,
  report: (mismatch: NewMismatch) => void,
): Promise<UsageHandOffResult> {
  const result: UsageHandOffResult = { verifiedPostingIds: [], unverified: [] };
  if (!connector?.summarizeUsage) {
    result.unverified.push({
      targetKey,
      reason: `a ${connector?.target.kind ?? 'missing'} target cannot say what its meters counted: usage hand-offs are not verified`,
      postingsUnread: handOffs.length,
    });
    return result;
  }
  const groups = groupByCustomerMeter(handOffs, scope);
  const waiting = [...groups.values()].filter((group) => group.postings.some((one) => one.status !== 'delivered'));
  if (waiting.length > 0)
    result.unverified.push({
      targetKey,
      reason: `${waiting.length} customer and meter pairs have usage hand-offs not delivered yet: their sums are compared once they are`,
      postingsUnread: new Set(waiting.flatMap((group) => group.postings.map((one) => one.id))).size,
    });
  const confirmed: CustomerMeter[] = [];
  const ready = [...groups.values()].filter((group) => !waiting.includes(group));
  for (const [index, group] of ready.entries()) {
    let counted: string;
    try {
      counted = await waitingOutThrottles(() =>
        target.read((pace) =>
          connector.summarizeUsage!(
            { customer: group.customer, meter: group.meter, from: scope.start, to: scope.end },
            AbortSignal.timeout(connector.deliveryTimeoutMs ?? 30_000),
            pace,
          ),
        ),
      );
    } catch (error) {
      const left = ready.slice(index);
      result.unverified.push({
        targetKey,
        reason: `reading what ${targetKey}'s meters counted failed: ${error instanceof Error ? error.message : String(error)}`,
        postingsUnread: new Set(left.flatMap((one) => one.postings.map((posting) => posting.id))).size,
      });
      break;
    }
    if (new Decimal(counted).equals(group.sent)) {
      confirmed.push(group);
      continue;
    }
    report({
      ...NO_PLACE,
      class: 'amount_mismatch',
      legalEntity: group.postings[0]!.legalEntity,
      customer: group.customer,
      meter: group.meter,
      targetKey,
      expected: group.sent.toFixed(),
      actual: new Decimal(counted).toFixed(),
      detail: `${targetKey}'s meter for ${group.meter} counted ${new Decimal(counted).toFixed()} for customer ${group.customer} from ${scope.start.toISOString()} to ${scope.end.toISOString()}, where Meterbridge handed over ${group.sent.toFixed()} in ${group.postings.length} postings (${group.postings.map((posting) => posting.id).join(', ')})`,
      action: `a person must compare the meter's events in ${targetKey} with the hand-offs (GET /v1/postings/<id>): usage sent there by something else, or a meter aggregating otherwise than by sum`,
    });
  }
  // A posting is verified when every customer and meter pair it hands usage to was confirmed.
  const unconfirmed = new Set(
    [...groups.values()].filter((group) => !confirmed.includes(group)).flatMap((group) => group.postings),
  );
  result.verifiedPostingIds = [...new Set(confirmed.flatMap((group) => group.postings))]
    .filter((posting) => !unconfirmed.has(posting))
    .map((posting) => posting.id);
  return result;
}

function groupByCustomerMeter(handOffs: readonly Posting[], scope: UsageHandOffScope): Map<string, CustomerMeter> {
  const groups = new Map<string, CustomerMeter>();
  for (const posting of handOffs) {
    const body = posting.body as UsageHandOff;
    for (const event of body.events) {
      const time = new Date(event.time);
      if (time < scope.start || time >= scope.end) continue;
      const key = `${body.customer}\u0000${event.meter}`;
      const group = groups.get(key) ?? {
        customer: body.customer,
        meter: event.meter,
        sent: new Decimal(0),
        postings: [],
      };
      group.sent = group.sent.plus(event.value);
      if (!group.postings.includes(posting)) group.postings.push(posting);
      groups.set(key, group);
    }
  }
  return groups;
}
