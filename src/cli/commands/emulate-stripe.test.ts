import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../test/harness/run-command.js';
import { stripeNodeClient } from '../../../test/harness/stripe-node.js';
import type { StripeEmulator } from '../../emulators/stripe/index.js';
import { stripeCommand } from './emulate-stripe.js';

// The command runs in this process; instead of waiting for a signal it hands the running emulator to
// the test, which drives it with the official client, and then the command closes it as a signal would.

async function run(args: string[], drive: (emulator: StripeEmulator) => Promise<void> = async () => undefined) {
  let driven: StripeEmulator | undefined;
  const result = await runCommand(
    stripeCommand(async (emulator) => {
      driven = emulator;
      await drive(emulator);
    }),
    ['--port', '0', ...args],
  );
  return { ...result, emulator: driven };
}

describe('meterbridge emulate stripe', () => {
  it('listens on 127.0.0.1, prints the URL, key and version, serves the official client, and stops', async () => {
    const { code, stdout, emulator } = await run(
      ['--key', 'sk_test_cli000000', '--customer', 'cus_CliCustomer1', '--meter', 'mtr_Cli1:api_calls', '--seed', '3'],
      async (running) => {
        const stripe = stripeNodeClient(running, 'sk_test_cli000000');
        const item = await stripe.invoiceItems.create(
          { customer: 'cus_CliCustomer1', amount: 700, currency: 'usd' },
          { idempotencyKey: 'cli-1' },
        );
        expect(item.amount).toBe(700);
        expect((await stripe.billing.meters.list()).data[0]?.event_name).toBe('api_calls');
        const refused = await stripeNodeClient(running)
          .customers.retrieve('cus_CliCustomer1')
          .catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
      },
    );
    expect(code).toBe(0);
    expect(emulator?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout).toContain(`Stripe emulator listening on ${emulator?.url} (API version 2024-04-10`);
    expect(stdout).toContain('secret key: sk_test_cli000000');
    expect(stdout).toContain('cus_CliCustomer1');
    expect(stdout).toContain('Stripe emulator stopped');
    await expect(fetch(`${emulator?.url}/__emulator/stats`)).rejects.toThrow();
  });

  it('takes fault flags', async () => {
    await run(
      [
        '--rate',
        '2',
        '--latency-ms',
        '5',
        '--slow-ms',
        '6',
        '--error-rate',
        '0.5',
        '--drop-after-commit',
        '0.25',
        '--stored-error-rate',
        '0.1',
        '--lock-timeout-rate',
        '0.2',
        '--retry-after',
        '3',
        '--concurrency',
        '9',
      ],
      async (running) => {
        expect(running.faults()).toMatchObject({
          ratePerSecond: 2,
          latencyMs: 5,
          slowMs: 6,
          errorRate: 0.5,
          dropAfterCommitRate: 0.25,
          storedErrorRate: 0.1,
          lockTimeoutRate: 0.2,
          retryAfterSeconds: 3,
          concurrency: 9,
        });
      },
    );
  });

  it('refuses bad flags with every fault problem, starting nothing', async () => {
    const bad = await run(['--error-rate', '2', '--concurrency', '0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/errorRate.*concurrency/s);
    expect(bad.emulator).toBeUndefined();
    expect((await run(['--key', 'pk_test_x'])).stderr).toContain('--key must be');
    expect((await run(['--meter', 'bad meter'])).stderr).toContain('--meter must be');
    expect((await run(['--port', 'x'])).stderr).toContain('--port must be');
  });
});
