import { DeliveryFailure } from '../connector.js';

// Where and how the Stripe client core talks to Stripe: the API's base URL (Stripe's own, or an emulator
// on this machine), the API version every request pins (the shapes the core reads are that version's;
// the client's own default reshaped invoice items) and how long one request may take. The secret key is
// never a setting: it is given at use, and no message quotes it.

/** The API version the core's requests and the Stripe emulator's answers are written for. */
export const STRIPE_API_VERSION = '2024-04-10';
export const STRIPE_API_BASE = 'https://api.stripe.com';
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface StripeClientSettings {
  /** `https://api.stripe.com` (the default), or `http://127.0.0.1:<port>` for the emulator. */
  apiBaseUrl?: string;
  /** The pinned `Stripe-Version`; default 2024-04-10. */
  apiVersion?: string;
  /** How long one request may take before its outcome is unknown, ms. */
  timeoutMs?: number;
}

/** The settings as the `stripe` client takes them; `host` only when it is not Stripe's own. */
export interface ResolvedStripeSettings {
  apiVersion: string;
  timeoutMs: number;
  /** Undefined for Stripe itself: the client then picks each API's own host (meter events have one). */
  host?: string;
  port?: number;
  protocol: 'http' | 'https';
  /** For messages: where requests go. */
  origin: string;
}

const settingsProblem = (what: string) => new DeliveryFailure('auth', `the Stripe settings are not usable: ${what}`);

export function resolveStripeSettings(settings: StripeClientSettings = {}): ResolvedStripeSettings {
  const base = settings.apiBaseUrl ?? STRIPE_API_BASE;
  if (!URL.canParse(base)) throw settingsProblem(`apiBaseUrl ${JSON.stringify(base)} is not a URL`);
  const url = new URL(base);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw settingsProblem('apiBaseUrl must be an http:// or https:// URL');
  if (url.pathname !== '/' || url.search !== '' || url.username !== '')
    throw settingsProblem('apiBaseUrl is an origin only (scheme, host and port), such as https://api.stripe.com');
  const apiVersion = settings.apiVersion ?? STRIPE_API_VERSION;
  if (!/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/.test(apiVersion))
    throw settingsProblem(`apiVersion ${JSON.stringify(apiVersion)} is not a Stripe API version such as 2024-04-10`);
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 300_000)
    throw settingsProblem('timeoutMs must be a whole number of milliseconds from 100 to 300000');
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const own = url.origin === STRIPE_API_BASE;
  return {
    apiVersion,
    timeoutMs,
    protocol,
    origin: url.origin,
    ...(own
      ? {}
      : { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (protocol === 'http' ? 80 : 443)) }),
  };
}

/** A secret key as Stripe issues them: `sk_` or `rk_` (restricted), test or live. */
export function checkSecretKey(secret: string): string {
  const key = secret.trim();
  if (!/^(sk|rk)_(test|live)_[A-Za-z0-9_]{4,}$/.test(key))
    throw new DeliveryFailure('auth', 'the Stripe secret is not a secret key (sk_test_..., sk_live_... or rk_...)');
  return key;
}
