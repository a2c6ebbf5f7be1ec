import { DEFAULT_SECRET_KEY, EMULATED_API_VERSION } from '../../src/emulators/stripe/index.js';

// A bare client of the Stripe emulator (or any Stripe base URL) for tests that must see exactly what
// comes back: status, headers and body as they came, and form bodies encoded the way Stripe's clients
// encode them (bracket notation, arrays indexed).

export interface StripeAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or the text when it is not JSON. */
  body: unknown;
}

export type FormValue = string | number | boolean | null | undefined | FormValue[] | { [key: string]: FormValue };

/** `{period: {start: 1}}` as `period[start]=1`; undefined leaves a key out, null sends it empty. */
export function encodeForm(value: Record<string, FormValue>): string {
  const pairs: string[] = [];
  const walk = (prefix: string, item: FormValue) => {
    if (item === undefined) return;
    if (item === null) pairs.push(`${encodeURIComponent(prefix)}=`);
    else if (Array.isArray(item)) item.forEach((child, index) => walk(`${prefix}[${index}]`, child));
    else if (typeof item === 'object')
      for (const [key, child] of Object.entries(item)) walk(`${prefix}[${key}]`, child);
    else pairs.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(String(item))}`);
  };
  for (const [key, item] of Object.entries(value)) walk(key, item);
  return pairs.join('&');
}

export interface StripeCall {
  method?: string;
  /** `/v1/invoiceitems?customer=...` */
  path: string;
  form?: Record<string, FormValue>;
  json?: unknown;
  raw?: string;
  /** The secret key; null sends no Authorization at all. */
  key?: string | null;
  idempotencyKey?: string;
  /** The Stripe-Version header; null sends none. */
  version?: string | null;
  headers?: Record<string, string>;
}

export async function stripeCall(baseUrl: string, call: StripeCall): Promise<StripeAnswer> {
  const body =
    call.raw ?? (call.form ? encodeForm(call.form) : call.json === undefined ? undefined : JSON.stringify(call.json));
  const headers: Record<string, string> = { ...call.headers };
  const key = call.key === undefined ? DEFAULT_SECRET_KEY : call.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const version = call.version === undefined ? EMULATED_API_VERSION : call.version;
  if (version !== null) headers['stripe-version'] = version;
  if (call.idempotencyKey !== undefined) headers['idempotency-key'] = call.idempotencyKey;
  if (body !== undefined && headers['content-type'] === undefined)
    headers['content-type'] = call.json === undefined ? 'application/x-www-form-urlencoded' : 'application/json';
  const response = await fetch(`${baseUrl}${call.path}`, {
    method: call.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // An HTML page from an injected 502/503: the text is the body.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** The error object of a Stripe error answer (`body.error`). */
export function stripeErrorOf(answer: StripeAnswer): Record<string, unknown> {
  return ((answer.body as { error?: Record<string, unknown> } | undefined)?.error ?? {}) as Record<string, unknown>;
}
