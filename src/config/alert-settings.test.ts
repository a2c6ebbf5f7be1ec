import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS } from '../modules/alerts/index.js';
import { DEFAULT_SERVICE_LEVEL_SETTINGS } from '../modules/service-levels/index.js';
import { ValidationError, type FieldError } from '../platform/errors.js';
import { loadConfig } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-alert-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function file(content: string): string {
  files += 1;
  const path = join(dir, `config-${files}.yaml`);
  writeFileSync(path, content);
  return path;
}

function errorsOf(path: string): FieldError[] {
  try {
    loadConfig({ file: path });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).errors;
  }
  throw new Error('expected the configuration to be refused');
}

describe('the alerts and serviceLevels sections of the config file', () => {
  it('default every rule and objective when absent', () => {
    const config = loadConfig();
    expect(config.alerts).toEqual(DEFAULT_ALERT_SETTINGS);
    expect(config.serviceLevels).toEqual(DEFAULT_SERVICE_LEVEL_SETTINGS);
  });

  it('read thresholds, the webhook and objectives, keeping shares and rates as exact text', () => {
    const config = loadConfig({
      file: file(
        [
          'alerts:',
          '  evaluateEverySeconds: 30',
          '  webhook: { url: "https://hooks.example/alerts", secret: ALERTS_HOOK }',
          '  rules:',
          '    unbilledUsage: { afterHours: 48 }',
          '    deadLetters: { enabled: false }',
          '    schemaRejections: { perMinute: 2.5, windowMinutes: 15 }',
          '    silentMeter: { dropBelow: "0.05", baselineDays: 14 }',
          'serviceLevels:',
          '  usageLatency: { seconds: 2, target: 0.999, windowDays: 7 }',
          '  invoicing: { enabled: false }',
          '',
        ].join('\n'),
      ),
    });
    expect(config.alerts).toMatchObject({
      evaluateEverySeconds: 30,
      webhook: { url: 'https://hooks.example/alerts', secret: 'ALERTS_HOOK', timeoutMs: 10_000 },
      rules: {
        unbilledUsage: { enabled: true, afterHours: 48 },
        deadLetters: { enabled: false },
        schemaRejections: { enabled: true, perMinute: '2.5', windowMinutes: 15 },
        silentMeter: { ...DEFAULT_ALERT_SETTINGS.rules.silentMeter, dropBelow: '0.05', baselineDays: 14 },
      },
    });
    expect(config.serviceLevels).toEqual({
      ...DEFAULT_SERVICE_LEVEL_SETTINGS,
      usageLatency: { enabled: true, seconds: 2, target: '0.999', windowDays: 7 },
      invoicing: { ...DEFAULT_SERVICE_LEVEL_SETTINGS.invoicing, enabled: false },
    });
  });

  it('refuse every invalid threshold at once, each with its path and why', () => {
    const path = file(
      [
        'server: { port: 70000 }',
        'alerts:',
        '  evaluateEverySeconds: 0',
        '  webhook: { secret: lower-case, timeoutMs: 5 }',
        '  rules:',
        '    unbilledUsage: { afterHours: -1 }',
        '    stuckPostings: { olderThanMinutes: 1.5 }',
        '    exceptionsGrowing: { by: "ten" }',
        '    schemaRejections: { perMinute: "1e3" }',
        '    silentMeter: { dropBelow: 2, windowMinutes: 30, settleMinutes: 30, enabled: maybe }',
        '    mismatches: { enabled: true }',
        'serviceLevels:',
        '  usageLatency: { target: 0, seconds: 99999999999999999999 }',
        '  invoicing: { target: "1.5", windowDays: 400 }',
        '  reconciled: {}',
        '',
      ].join('\n'),
    );
    const at = `file ${path}: `;
    expect(errorsOf(path)).toEqual([
      { path: `${at}server.port`, message: 'must be an integer from 0 to 65535, got 70000' },
      { path: `${at}alerts.evaluateEverySeconds`, message: 'must be an integer from 1 to 86400, got 0' },
      {
        path: `${at}alerts.rules.mismatches`,
        message: expect.stringMatching(/^is not a known setting \(known: unbilledUsage, /),
      },
      { path: `${at}alerts.rules.unbilledUsage.afterHours`, message: 'must be an integer from 0 to 8784, got -1' },
      {
        path: `${at}alerts.rules.stuckPostings.olderThanMinutes`,
        message: 'must be an integer from 1 to 527040, got 1.5',
      },
      { path: `${at}alerts.rules.exceptionsGrowing.by`, message: 'must be an integer from 0 to 1000000000, got "ten"' },
      {
        path: `${at}alerts.rules.schemaRejections.perMinute`,
        message: expect.stringContaining('must be a decimal number from 0 to 1000000000, got "1e3"'),
      },
      { path: `${at}alerts.rules.silentMeter.dropBelow`, message: 'must be a decimal number from 0 to 1, got 2' },
      { path: `${at}alerts.rules.silentMeter.enabled`, message: 'must be true or false (or on, off), got "maybe"' },
      {
        path: `${at}alerts.rules.silentMeter.settleMinutes`,
        message: 'must be shorter than windowMinutes (30), got 30',
      },
      { path: `${at}alerts.webhook.url`, message: 'is required' },
      { path: `${at}alerts.webhook.secret`, message: expect.stringContaining('must be a secret name') },
      { path: `${at}alerts.webhook.timeoutMs`, message: 'must be an integer from 100 to 120000, got 5' },
      { path: `${at}serviceLevels.reconciled`, message: expect.stringContaining('is not a known setting') },
      { path: `${at}serviceLevels.usageLatency.target`, message: 'must be a decimal number above 0 up to 1, got 0' },
      {
        path: `${at}serviceLevels.usageLatency.seconds`,
        message: expect.stringContaining('must be an integer from 1 to 604800'),
      },
      { path: `${at}serviceLevels.invoicing.target`, message: 'must be a decimal number above 0 up to 1, got "1.5"' },
      { path: `${at}serviceLevels.invoicing.windowDays`, message: 'must be an integer from 1 to 366, got 400' },
    ]);
  });

  it('refuse a section that is not a mapping', () => {
    const path = file('alerts: [1, 2]\nserviceLevels: 5\n');
    expect(errorsOf(path)).toEqual([
      { path: `file ${path}: alerts`, message: 'must be a mapping' },
      { path: `file ${path}: serviceLevels`, message: 'must be a mapping' },
    ]);
  });
});
