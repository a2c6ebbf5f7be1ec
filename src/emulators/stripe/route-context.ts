import type { ParamObject } from './form-params.js';
import type { StripeStore } from './stripe-store.js';

// What a route handler is given and answers. Handlers are synchronous: they validate, then change the
// store in one step, so a refusal never leaves half a write behind.

export interface RouteContext {
  store: StripeStore;
  /** The emulator's clock, ms since the epoch. */
  now(): number;
  meterEventSessionMs: number;
}

export interface ApiCall {
  /** Path segments after the version (`['invoiceitems', 'ii_1...']`), percent-decoded. */
  ids: string[];
  /** Form or query parameters (v1); empty for v2. */
  params: ParamObject;
  /** The parsed JSON body (v2). */
  json: unknown;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** The request changed the store: what a dropped answer leaves behind. */
  committed?: boolean;
}

export const seconds = (ms: number): number => Math.floor(ms / 1000);
