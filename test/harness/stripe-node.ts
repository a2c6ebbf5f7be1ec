import Stripe from 'stripe';
import { DEFAULT_SECRET_KEY, EMULATED_API_VERSION, type StripeEmulator } from '../../src/emulators/stripe/index.js';

// The official `stripe` client pointed at an emulator, configured as Meterbridge must use it: the API
// version pinned (the client's default reshaped invoice items), no retries of its own (the outbox owns
// retries), and a short timeout. Tests pass their own `idempotencyKey` on every POST.

export function stripeNodeClient(
  emulator: Pick<StripeEmulator, 'host' | 'port'>,
  key: string = DEFAULT_SECRET_KEY,
  options: { timeout?: number } = {},
): Stripe {
  return new Stripe(key, {
    apiVersion: EMULATED_API_VERSION as Stripe.LatestApiVersion,
    host: emulator.host,
    port: emulator.port,
    protocol: 'http',
    maxNetworkRetries: 0,
    timeout: options.timeout ?? 10_000,
    telemetry: false,
  });
}
