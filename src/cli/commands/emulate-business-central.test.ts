import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { bcPeriodEntries, bcSecret, bcTarget } from '../../../test/harness/business-central-test-ledger.js';
import { runCommand } from '../../../test/harness/run-command.js';
import type { BusinessCentralEmulator } from '../../emulators/business-central/index.js';
import {
  createBusinessCentralConnector,
  createBusinessCentralContext,
} from '../../modules/connectors/erp-business-central/business-central-connector.js';
import { businessCentralCommand } from './emulate-business-central.js';

// The command runs in this process; instead of waiting for a signal it hands the running emulator to
// the test, which posts to it with the connector, and then the command closes it as a signal would.

async function run(
  args: string[],
  drive: (emulator: BusinessCentralEmulator) => Promise<void> = async () => undefined,
) {
  let driven: BusinessCentralEmulator | undefined;
  const emulate = new Command('emulate').addCommand(
    businessCentralCommand(async (emulator) => {
      driven = emulator;
      await drive(emulator);
    }),
  );
  const result = await runCommand(emulate, ['business-central', '--port', '0', ...args]);
  return { ...result, emulator: driven };
}

describe('meterbridge emulate business-central', () => {
  it('listens on 127.0.0.1, prints the URLs and the credentials it admits, takes postings, and stops', async () => {
    const { code, stdout, emulator } = await run(
      ['--concurrency', '7', '--retry-after', '2', '--seed', '3'],
      async (running) => {
        const [entry] = bcPeriodEntries(1);
        const connector = createBusinessCentralConnector(
          bcTarget(running),
          bcSecret(running),
          createBusinessCentralContext(),
        );
        const posted = await connector.deliver(entry!, AbortSignal.timeout(5000));
        expect(posted.id).toBe('1');
        expect(running.faults()).toMatchObject({ concurrency: 7, retryAfterSeconds: 2, windowRequests: 6000 });
      },
    );
    expect(code).toBe(0);
    expect(emulator?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout).toContain(`Business Central emulator listening on ${emulator?.url}`);
    expect(stdout).toContain(`Entra ID token endpoint: ${emulator?.tokenEndpoint}`);
    expect(stdout).toContain('client secret emulator-client-secret');
    expect(stdout).toContain('6000 requests per 300000 ms, concurrency 7, Retry-After 2');
    expect(stdout).toContain('Business Central emulator stopped');
    await expect(fetch(`${emulator?.url}/__emulator/stats`)).rejects.toThrow();
  });

  it('takes fault flags, --rate as a one-second window', async () => {
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
        '--page-size',
        '3',
      ],
      async (running) => {
        expect(running.faults()).toMatchObject({
          windowRequests: 2,
          windowMs: 1000,
          latencyMs: 5,
          slowMs: 6,
          errorRate: 0.5,
          dropAfterCommitRate: 0.25,
        });
      },
    );
  });

  it('reads a YAML config file: the company, the chart, the credentials and faults, flags winning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-emulate-bc-'));
    const config = join(dir, 'bc.yaml');
    writeFileSync(
      config,
      [
        'company:',
        '  id: 11111111-2222-4333-8444-555555555555',
        '  name: Meterbridge Test',
        'chart:',
        '  accounts: [{ number: "1000", name: Cash }, { number: "4000", name: Revenue }]',
        '  localCurrency: EUR',
        'credentials:',
        '  environment: Production',
        '  clientSecret: a-config-secret',
        'faults:',
        '  concurrency: 15',
        '  windowRequests: 600',
      ].join('\n'),
    );
    const { code, stdout } = await run(['--config', config, '--concurrency', '16'], async (running) => {
      expect(running.company).toMatchObject({ id: '11111111-2222-4333-8444-555555555555', name: 'Meterbridge Test' });
      expect(running.chart.accounts.map((account) => account.number)).toEqual(['1000', '4000']);
      expect(running.faults()).toMatchObject({ concurrency: 16, windowRequests: 600 });
    });
    expect(code).toBe(0);
    expect(stdout).toContain('local currency EUR');
    expect(stdout).toContain('client secret a-config-secret');
  });

  it('refuses a bad flag or config with every problem named', async () => {
    const bad = await run(['--error-rate', '2', '--window-ms', '0']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/errorRate must be a number from 0 to 1/);
    expect(bad.stderr).toMatch(/windowMs must be a number from 1/);
    const dir = mkdtempSync(join(tmpdir(), 'mb-emulate-bc-'));
    const config = join(dir, 'bad.json');
    writeFileSync(
      config,
      JSON.stringify({ chart: { accounts: [{ name: 'x' }], colours: [] }, company: { id: 'nope' } }),
    );
    const refused = await run(['--config', config]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/chart.accounts\[0\].number must be non-empty text/);
    expect(refused.stderr).toMatch(/chart.colours is not a list this emulator knows/);
    expect(refused.stderr).toMatch(/company.id must be a GUID/);
  });
});
