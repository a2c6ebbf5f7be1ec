import Stripe from 'stripe';
import type { Clock } from '../../../platform/clock.js';
import { DeliveryFailure, type ReadPace } from '../connector.js';
import { NonJsonAnswer, stripeFailure } from './stripe-errors.js';
import {
  checkSecretKey,
  resolveStripeSettings,
  type ResolvedStripeSettings,
  type StripeClientSettings,
} from './stripe-settings.js';

// One call through the official client, built for that call: the key resolved at use, the version
// pinned, no retries of its own (the outbox owns retries; with Node's fetch underneath it does not even
// resend after a reset connection), the caller's AbortSignal on the request, and the answer recorded as
// it came (its status, `Idempotent-Replayed`, and an error's body text whole) before the client parses it.
// A read's pace is awaited before each request the client sends, every page of a list included.

export interface CallOptions {
  settings: ResolvedStripeSettings;
  secret: string;
  /** `POST /v1/invoiceitems (mb1:invoice_item:INV-1:2)`, for messages. */
  what: string;
  now: () => Date;
  signal?: AbortSignal;
  /** Reconciliation's pace: awaited before each request of the call (each page of a list). */
  pace?: ReadPace;
}

export interface CallResult<T> {
  value: T;
  /** Stripe answered the saved answer of an earlier request with the same idempotency key. */
  replayed: boolean;
}

const looksJson = (text: string) => {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object';
  } catch {
    return false;
  }
};

/**
 * The client's HTTP client, awaiting the pace before each request it makes: before the request's timeout
 * starts (the fetch client arms it before calling fetch), so a wait for the pace is not taken from it.
 */
function pacedHttpClient(fetchFn: typeof fetch, pace?: ReadPace): Stripe.HttpClient {
  const http = Stripe.createFetchHttpClient(fetchFn);
  if (pace === undefined) return http;
  return {
    getClientName: () => http.getClientName(),
    makeRequest: async (...request) => {
      await pace();
      return http.makeRequest(...request);
    },
  };
}

export function stripeClient(
  settings: ResolvedStripeSettings,
  secret: string,
  fetchFn: typeof fetch,
  pace?: ReadPace,
): Stripe {
  return new Stripe(secret, {
    apiVersion: settings.apiVersion as Stripe.LatestApiVersion,
    maxNetworkRetries: 0,
    timeout: settings.timeoutMs,
    telemetry: false,
    httpClient: pacedHttpClient(fetchFn, pace),
    ...(settings.host === undefined ? {} : { host: settings.host, port: settings.port, protocol: settings.protocol }),
  });
}

export async function callStripe<T>(options: CallOptions, run: (stripe: Stripe) => Promise<T>): Promise<CallResult<T>> {
  if (options.signal?.aborted)
    throw new DeliveryFailure('unavailable', `${options.what}: cancelled before it was sent`);
  let answer: { status: number; headers: Headers; text?: string } | undefined;
  const fetchFn: typeof fetch = async (input, init) => {
    const signals = [init?.signal, options.signal].filter((signal): signal is AbortSignal => signal != null);
    const response = await fetch(input, {
      ...init,
      signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
    });
    answer = { status: response.status, headers: response.headers };
    if (response.status >= 400) {
      const text = await response.clone().text();
      answer.text = text;
      if (!looksJson(text)) throw new NonJsonAnswer(response.status, text, response.headers);
    }
    return response;
  };
  try {
    const value = await run(stripeClient(options.settings, options.secret, fetchFn, options.pace));
    return { value, replayed: answer?.headers.get('idempotent-replayed') === 'true' };
  } catch (error) {
    throw stripeFailure(error, {
      what: options.what,
      now: options.now(),
      answerText: answer?.text,
      secret: options.secret,
    });
  }
}

/** One call through the official client, named for messages; throws DeliveryFailure. */
export type StripeCall = <T>(
  what: string,
  signal: AbortSignal | undefined,
  run: (stripe: Stripe) => Promise<T>,
) => Promise<CallResult<T>>;

/**
 * Calls with the settings resolved and the key checked once, before anything is sent; `pace`, a read's,
 * is awaited before each request of every call.
 */
export function stripeCaller(
  settings: StripeClientSettings,
  secret: string,
  clock: Clock,
  pace?: ReadPace,
): StripeCall {
  const resolved = resolveStripeSettings(settings);
  const key = checkSecretKey(secret);
  return (what, signal, run) =>
    callStripe(
      { settings: resolved, secret: key, what, now: () => clock.now(), signal, ...(pace ? { pace } : {}) },
      run,
    );
}
