import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportSPKI, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../test/harness/run-command.js';
import { journalEntryBody, tbaRequest } from '../../../test/harness/netsuite-emulator-client.js';
import type { NetSuiteEmulator } from '../../emulators/netsuite/index.js';
import { emulateCommand } from './emulate.js';

// The command runs in this process; instead of waiting for a signal it hands the running emulator to
// the test, which drives it over HTTP, and then the command closes it as a signal would.

async function run(args: string[], drive: (emulator: NetSuiteEmulator) => Promise<void> = async () => undefined) {
  let driven: NetSuiteEmulator | undefined;
  const result = await runCommand(
    emulateCommand(async (emulator) => {
      driven = emulator;
      await drive(emulator);
    }),
    ['netsuite', '--port', '0', ...args],
  );
  return { ...result, emulator: driven };
}

describe('meterbridge emulate netsuite', () => {
  it('listens on 127.0.0.1, prints the URL and the credentials it expects, serves records, and stops', async () => {
    const { code, stdout, emulator } = await run(['--concurrency', '7', '--seed', '3'], async (running) => {
      const created = await tbaRequest(running.url, running.credentials, {
        path: 'record/v1/journalEntry',
        json: journalEntryBody('cli-1'),
      });
      expect(created.status).toBe(204);
      expect(running.faults().concurrency).toBe(7);
    });
    expect(code).toBe(0);
    expect(emulator?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout).toContain(`NetSuite emulator listening on ${emulator?.url}`);
    expect(stdout).toContain('consumer key emulator-consumer-key');
    expect(stdout).toContain('realm 1234567_SB1');
    expect(stdout).toContain('concurrency 7');
    expect(stdout).toContain('NetSuite emulator stopped');
    // Closed: the port no longer answers.
    await expect(fetch(`${emulator?.url}/__emulator/stats`)).rejects.toThrow();
  });

  it('takes fault flags', async () => {
    await run(
      ['--rate', '2', '--latency-ms', '5', '--slow-ms', '6', '--error-rate', '0.5', '--drop-after-commit', '0.25'],
      async (running) => {
        expect(running.faults()).toMatchObject({
          ratePerSecond: 2,
          latencyMs: 5,
          slowMs: 6,
          errorRate: 0.5,
          dropAfterCommitRate: 0.25,
        });
      },
    );
  });

  it('reads a YAML config file with the chart, the credentials and a certificate file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-emulate-'));
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    writeFileSync(join(dir, 'cert.pem'), await exportSPKI(publicKey));
    const config = join(dir, 'netsuite.yaml');
    writeFileSync(
      config,
      [
        'chart:',
        '  accounts: ["700", 701]',
        'credentials:',
        '  accountId: TSTDRV1',
        '  certificates:',
        '    kid-1: cert.pem',
        'faults:',
        '  concurrency: 15',
      ].join('\n'),
    );
    const { code, stdout } = await run(['--config', config, '--concurrency', '16'], async (running) => {
      expect(running.chart.accounts).toEqual(['700', '701']);
      expect(running.credentials.certificates['kid-1']).toContain('BEGIN PUBLIC KEY');
      expect(running.faults().concurrency).toBe(16);
    });
    expect(code).toBe(0);
    expect(stdout).toContain('realm TSTDRV1');
    expect(stdout).toContain('certificate ids: kid-1');
  });

  it('refuses bad flags and a bad config file with every problem, starting nothing', async () => {
    const badFlags = await run(['--error-rate', '2', '--concurrency', '0']);
    expect(badFlags.code).toBe(1);
    expect(badFlags.stderr).toMatch(/errorRate.*concurrency/s);
    expect(badFlags.emulator).toBeUndefined();

    const dir = mkdtempSync(join(tmpdir(), 'mb-emulate-'));
    const config = join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ chart: { acounts: ['1'] }, credentials: { tokenId: 5 }, extra: 1 }));
    const badConfig = await run(['--config', config]);
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr).toMatch(/extra.*acounts.*tokenId/s);

    expect((await run(['--port', 'x'])).stderr).toContain('--port must be');
  });
});
