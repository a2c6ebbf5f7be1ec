import { Decimal } from 'decimal.js';
import { DeliveryFailure, type ReadPace } from '../connector.js';
import type { StripeCall } from './stripe-transport.js';

// What a Stripe meter counted for a customer over [from, to): the meter is found by the event name the
// target's `meters` maps Meterbridge's meter key to (`GET /v1/billing/meters`, paged; the API filters by
// nothing but status, so the event name is matched here, and the ids seen kept for the connector's life), then
// `GET /v1/billing/meters/{id}/event_summaries` without a grouping window answers one summary of the
// whole range, paged all the same. Stripe states `aggregated_value` as a JSON number: each is read back
// as the shortest decimal text of that number and summed exactly.

export interface UsageQuery {
  customer: string;
  meter: string;
  from: Date;
  to: Date;
}

const MINUTE_MS = 60_000;
const invalid = (message: string) => new DeliveryFailure('invalid', message);

/** Unix seconds of an instant Stripe takes as a summary's bound: on a whole minute. */
function minuteBound(instant: Date, name: string): number {
  const ms = instant.getTime();
  if (!Number.isFinite(ms) || ms < 0 || ms % MINUTE_MS !== 0)
    throw invalid(`a meter summary's ${name} must be on a whole minute (Stripe's rule), not ${String(instant)}`);
  return ms / 1000;
}

export interface UsageSummaries {
  /** `pace`: awaited before each request (each page of the meters and of the summaries). */
  summarize(query: UsageQuery, signal: AbortSignal, pace?: ReadPace): Promise<string>;
}

/**
 * `caller` answers the call of the moment (the key resolved at use), its requests paced by `pace` when
 * given; `eventNames`: the target's `meters`.
 */
export function createUsageSummaries(
  caller: (pace?: ReadPace) => Promise<StripeCall>,
  eventNames: Readonly<Record<string, string>>,
): UsageSummaries {
  const meterIds = new Map<string, string>();

  async function meterIdOf(eventName: string, signal: AbortSignal, pace?: ReadPace): Promise<string> {
    const known = meterIds.get(eventName);
    if (known !== undefined) return known;
    const what = `GET /v1/billing/meters (the meter of event ${eventName})`;
    const call = await caller(pace);
    const { value } = await call(what, signal, async (stripe) => {
      let inactive: string | undefined;
      for await (const meter of stripe.billing.meters.list({ limit: 100 })) {
        // Every active meter passed on the way is kept too: Stripe has one active meter per event name.
        if (meter.status === 'active' && !meterIds.has(meter.event_name)) meterIds.set(meter.event_name, meter.id);
        else if (meter.event_name === eventName) inactive ??= meter.id;
        if (meterIds.has(eventName)) return meterIds.get(eventName);
      }
      return inactive;
    });
    if (value === undefined) throw invalid(`Stripe has no meter for event name ${eventName}`);
    meterIds.set(eventName, value);
    return value;
  }

  return {
    async summarize(query, signal, pace) {
      if (!Object.hasOwn(eventNames, query.meter))
        throw invalid(`meter ${query.meter} has no Stripe meter in the target's settings.meters`);
      if (!/^cus_[A-Za-z0-9]+$/.test(query.customer)) throw invalid(`${query.customer} is not a Stripe customer id`);
      const start = minuteBound(query.from, 'start');
      const end = minuteBound(query.to, 'end');
      if (end <= start) throw invalid('a meter summary must end after it starts');
      const eventName = eventNames[query.meter]!;
      const meterId = await meterIdOf(eventName, signal, pace);
      const what = `GET /v1/billing/meters/${meterId}/event_summaries?customer=${query.customer}&start_time=${start}&end_time=${end}`;
      const call = await caller(pace);
      const { value } = await call(what, signal, async (stripe) => {
        let sum = new Decimal(0);
        const summaries = stripe.billing.meters.listEventSummaries(meterId, {
          customer: query.customer,
          start_time: start,
          end_time: end,
          limit: 100,
        });
        for await (const summary of summaries) sum = sum.plus(String(summary.aggregated_value));
        return sum;
      }).catch((error: unknown) => {
        // A meter replaced since it was found: the next summary looks it up again.
        if (error instanceof DeliveryFailure && error.detail.status === 404) meterIds.delete(eventName);
        throw error;
      });
      return value.toFixed();
    },
  };
}
