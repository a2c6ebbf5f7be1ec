import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../test/harness/run-command.js';
import { sapPeriodEntries, sapSecrets, sapTarget } from '../../../test/harness/sap-test-ledger.js';
import type { SapEmulator } from '../../emulators/sap-s4hana/index.js';
import { createSapConnector } from '../../modules/connectors/erp-sap/sap-connector.js';
import { sapS4HanaCommand } from './emulate-sap.js';

// The command runs in this process; instead of waiting for a signal it hands the running emulator to
// the test, which posts to it with the connector, and then the command closes it as a signal would.

async function run(args: string[], drive: (emulator: SapEmulator) => Promise<void> = async () => undefined) {
  let driven: SapEmulator | undefined;
  const emulate = new Command('emulate').addCommand(
    sapS4HanaCommand(async (emulator) => {
      driven = emulator;
      await drive(emulator);
    }),
  );
  const result = await runCommand(emulate, ['sap-s4hana', '--port', '0', ...args]);
  return { ...result, emulator: driven };
}

describe('meterbridge emulate sap-s4hana', () => {
  it('listens on 127.0.0.1, prints the URL, the user and the company codes, takes postings, and stops', async () => {
    const { code, stdout, emulator } = await run(
      ['--concurrency', '3', '--retry-after', '2', '--seed', '9'],
      async (running) => {
        const [entry] = sapPeriodEntries(1);
        const posted = await createSapConnector(sapTarget(running), sapSecrets(running)).deliver(
          entry!,
          AbortSignal.timeout(5000),
        );
        expect(posted.id).toBe('1710/2026/0100000001');
        expect(running.faults()).toMatchObject({ concurrency: 3, retryAfterSeconds: 2 });
      },
    );
    expect(code).toBe(0);
    expect(emulator?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout).toContain(`SAP S/4HANA Cloud emulator listening on ${emulator?.url}`);
    expect(stdout).toContain('/sap/bc/srt/scs_ext/sap/journalentrycreaterequestconfi');
    expect(stdout).toContain('user MB_COMM_USER, password emulator-password');
    expect(stdout).toContain('1710 (USD, YCOA)');
    expect(stdout).toContain('SAP S/4HANA Cloud emulator stopped');
    await expect(fetch(`${emulator?.url}/__emulator/stats`)).rejects.toThrow();
  });

  it('takes fault flags and a config file, the flags winning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sap-emulator-'));
    const file = join(dir, 'sap.yaml');
    writeFileSync(
      file,
      [
        'chart:',
        '  companyCodes: { "2010": { currency: GBP, chartOfAccounts: ZCOA, controllingArea: B000 } }',
        '  chartsOfAccounts: { ZCOA: ["400000"] }',
        'credentials: { user: ME, password: secret-of-the-test }',
        'faults: { latencyMs: 3, errorRate: 0.1 }',
      ].join('\n'),
    );
    await run(
      ['--config', file, '--error-rate', '0.5', '--rate', '2', '--slow-ms', '4', '--drop-after-commit', '0.25'],
      async (running) => {
        expect(running.faults()).toMatchObject({
          latencyMs: 3,
          errorRate: 0.5,
          ratePerSecond: 2,
          slowMs: 4,
          dropAfterCommitRate: 0.25,
        });
        expect(running.credentials.user).toBe('ME');
        expect(Object.keys(running.chart.companyCodes)).toEqual(['2010']);
      },
    );
  });

  it('refuses bad flags and a bad config file, naming each problem', async () => {
    const bad = await run(['--error-rate', '2']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/errorRate must be a number from 0 to 1/);
    const dir = mkdtempSync(join(tmpdir(), 'sap-emulator-'));
    const file = join(dir, 'sap.json');
    writeFileSync(file, JSON.stringify({ chart: { ledgers: [] }, credentials: { user: 1 } }));
    const config = await run(['--config', file]);
    expect(config.code).not.toBe(0);
    expect(config.stderr).toMatch(/chart\.ledgers is not a section this emulator knows/);
    expect(config.stderr).toMatch(/credentials\.user must be non-empty text/);
  });
});
