import { Decimal } from 'decimal.js';
import { toApiMeter, toApiMeterEvent } from './api-objects.js';
import { isParamObject } from './form-params.js';
import { LIST_PARAMS, listPage } from './list-page.js';
import { checkParams, readEnum, readHash, readInteger, readString } from './param-readers.js';
import { seconds, type ApiCall, type Reply, type RouteContext } from './route-context.js';
import { invalidParam, invalidRequest, missingParam, noSuch } from './stripe-error.js';
import type { MeterEventRecord, MeterRecord, StripeStore } from './stripe-store.js';
import { DAY_MS } from './emulator-options.js';

// Billing meter events, v1: `POST /v1/billing/meter_events` checks an event when it arrives (the name,
// the customer, the value, the timestamp window of 35 days past to 5 minutes ahead, an identifier not
// seen within a rolling 24 hours) and answers the event. Meters are read-only: `GET /v1/billing/meters`,
// `/{id}` and `/{id}/event_summaries`, the only read-back of usage Stripe offers (a sum per customer
// over a window; single events cannot be read).

export const PAST_WINDOW_S = 35 * 86_400;
export const FUTURE_WINDOW_S = 5 * 60;
const VALUE = /^\d{1,15}(\.\d{1,12})?$/;

/** Why an event cannot be counted, or undefined: what v1 refuses at once and v2 reports later. */
export function eventProblem(
  event: Pick<MeterEventRecord, 'event_name' | 'payload' | 'timestamp'>,
  store: StripeStore,
  nowSeconds: number,
): { code: string; message: string; param: string } | undefined {
  const customer = event.payload.stripe_customer_id;
  const value = event.payload.value;
  if (customer === undefined)
    return {
      code: 'meter_event_no_customer_defined',
      message: 'The payload has no stripe_customer_id.',
      param: 'payload[stripe_customer_id]',
    };
  if (!store.customers.has(customer))
    return {
      code: 'meter_event_customer_not_found',
      message: `No such customer: '${customer}'`,
      param: 'payload[stripe_customer_id]',
    };
  if (value === undefined)
    return { code: 'meter_event_value_not_found', message: 'The payload has no value.', param: 'payload[value]' };
  if (!VALUE.test(value))
    return {
      code: 'meter_event_invalid_value',
      message: `The value ${value} is not a non-negative number.`,
      param: 'payload[value]',
    };
  if (event.timestamp < nowSeconds - PAST_WINDOW_S)
    return {
      code: 'timestamp_too_far_in_past',
      message: 'Timestamp must be within the past 35 calendar days.',
      param: 'timestamp',
    };
  if (event.timestamp > nowSeconds + FUTURE_WINDOW_S)
    return {
      code: 'timestamp_in_future',
      message: 'Timestamp must be no more than 5 minutes in the future.',
      param: 'timestamp',
    };
  if (store.meters.size > 0 && ![...store.meters.values()].some((meter) => meter.eventName === event.event_name))
    return {
      code: 'no_meter',
      message: `No active meter was found for event_name '${event.event_name}'.`,
      param: 'event_name',
    };
  return undefined;
}

/** The event already held under this identifier within the last 24 hours, if any. */
export function heldIdentifier(store: StripeStore, identifier: string, nowMs: number): MeterEventRecord | undefined {
  return store.meterEvents.find((event) => event.identifier === identifier && event.receivedMs > nowMs - DAY_MS);
}

export function createMeterEvent(call: ApiCall, context: RouteContext): Reply {
  const { params } = call;
  const { store } = context;
  checkParams(params, ['event_name', 'identifier', 'payload', 'timestamp'], ['expand']);
  const eventName = readString(params, 'event_name', { required: true, max: 100 })!;
  // The payload's keys are the meter's (`stripe_customer_id` and `value` by default): any key is taken.
  const hash = isParamObject(params.payload) ? readHash(params, 'payload', Object.keys(params.payload)) : undefined;
  if (params.payload === undefined) throw missingParam('payload');
  if (hash === undefined) throw invalidParam('payload', 'Invalid hash: payload must be a hash.');
  const payload: Record<string, string> = {};
  for (const key of Object.keys(hash))
    payload[key] = readString(hash, key, { path: `payload[${key}]`, max: 100 }) ?? '';
  const nowMs = context.now();
  const nowSeconds = seconds(nowMs);
  const timestamp = readInteger(params, 'timestamp', { min: 0 }) ?? nowSeconds;
  const identifier = readString(params, 'identifier', { max: 100 }) || store.newId('mevt').slice(0, 36);
  const problem = eventProblem({ event_name: eventName, payload, timestamp }, store, nowSeconds);
  if (problem !== undefined) throw invalidParam(problem.param, problem.message, problem.code);
  if (heldIdentifier(store, identifier, nowMs) !== undefined)
    throw invalidRequest(`An event with identifier '${identifier}' already exists.`, {
      code: 'resource_already_exists',
      param: 'identifier',
    });
  const event: MeterEventRecord = {
    event_name: eventName,
    identifier,
    payload,
    timestamp,
    created: nowSeconds,
    receivedMs: nowMs,
    via: 'v1',
  };
  store.meterEvents.push(event);
  return { status: 200, body: toApiMeterEvent(event), committed: true };
}

function findMeter(call: ApiCall, context: RouteContext): MeterRecord {
  const id = call.ids[2]!;
  const meter = context.store.meters.get(id);
  if (meter === undefined) throw noSuch('billing.meter', id, 'id', 404);
  return meter;
}

export function listMeters(call: ApiCall, context: RouteContext): Reply {
  checkParams(call.params, [...LIST_PARAMS.filter((name) => name !== 'created'), 'status'], ['expand']);
  readEnum(call.params, 'status', ['active', 'inactive'] as const);
  const meters = call.params.status === 'inactive' ? [] : [...context.store.meters.values()].reverse();
  return { status: 200, body: listPage(meters, call.params, 'billing.meter', '/v1/billing/meters', toApiMeter) };
}

export function retrieveMeter(call: ApiCall, context: RouteContext): Reply {
  checkParams(call.params, [], ['expand']);
  return { status: 200, body: toApiMeter(findMeter(call, context)) };
}

/**
 * `customer`, `start_time` and `end_time` (Unix seconds, whole minutes), optionally grouped by `hour`
 * or `day`: one summary per window, newest first, summing (or counting) the customer's counted events
 * whose timestamp falls in it.
 */
export function listEventSummaries(call: ApiCall, context: RouteContext): Reply {
  const { params } = call;
  checkParams(
    params,
    ['customer', 'start_time', 'end_time', 'value_grouping_window', 'limit', 'starting_after', 'ending_before'],
    ['expand'],
  );
  const meter = findMeter(call, context);
  const customer = readString(params, 'customer', { required: true })!;
  const start = readInteger(params, 'start_time', { min: 0 });
  const end = readInteger(params, 'end_time', { min: 0 });
  if (start === undefined) throw missingParam('start_time');
  if (end === undefined) throw missingParam('end_time');
  if (start % 60 !== 0) throw invalidParam('start_time', 'start_time must be aligned to a minute.');
  if (end % 60 !== 0) throw invalidParam('end_time', 'end_time must be aligned to a minute.');
  if (end <= start) throw invalidParam('end_time', 'end_time must be after start_time.');
  const grouping = readEnum(params, 'value_grouping_window', ['hour', 'day'] as const);
  const step = grouping === 'hour' ? 3600 : grouping === 'day' ? 86_400 : end - start;
  if (grouping !== undefined && start % step !== 0)
    throw invalidParam('start_time', `start_time must be aligned to the ${grouping}.`);
  const events = context.store.meterEvents.filter(
    (event) =>
      event.error === undefined &&
      event.event_name === meter.eventName &&
      event.payload.stripe_customer_id === customer,
  );
  const summaries: Array<Record<string, unknown> & { id: string }> = [];
  for (let from = start; from < end; from += step) {
    const to = Math.min(end, from + step);
    const inWindow = events.filter((event) => event.timestamp >= from && event.timestamp < to);
    const value =
      meter.formula === 'count'
        ? new Decimal(inWindow.length)
        : inWindow.reduce((sum, event) => sum.plus(event.payload.value ?? '0'), new Decimal(0));
    summaries.push({
      id: `mtrusg_${meter.id.slice(4)}_${from}`,
      object: 'billing.meter_event_summary',
      aggregated_value: value.toNumber(),
      end_time: to,
      livemode: false,
      meter: meter.id,
      start_time: from,
    });
  }
  const url = `/v1/billing/meters/${meter.id}/event_summaries`;
  return { status: 200, body: listPage(summaries.reverse(), params, 'billing.meter_event_summary', url, (s) => s) };
}
