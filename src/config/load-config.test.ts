import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS } from '../modules/alerts/index.js';
import { DEFAULT_SERVICE_LEVEL_SETTINGS } from '../modules/service-levels/index.js';
import { ValidationError, type FieldError } from '../platform/errors.js';
import type { Config } from './config.js';
import {
  DEFAULT_ACCOUNTING_SETTINGS,
  DEFAULT_BILLING_SETTINGS,
  DEFAULT_INGESTION_LIMITS,
  DEFAULT_METERING_SETTINGS,
} from './config-defaults.js';
import { loadConfig, type ConfigSources } from './load-config.js';
import { SETTINGS, type SettingKey } from './settings.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function writeConfigFile(content: string, extension = 'yaml'): string {
  files += 1;
  const path = join(dir, `config-${files}.${extension}`);
  writeFileSync(path, content);
  return path;
}

/** A JSON config file holding `value` at the setting's dotted path. */
function fileWith(filePath: string, value: unknown): string {
  const [section, name] = filePath.split('.') as [string, string];
  return writeConfigFile(JSON.stringify({ [section]: { [name]: value } }), 'json');
}

function errorsOf(sources: ConfigSources): FieldError[] {
  try {
    loadConfig(sources);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).errors;
  }
  throw new Error('expected loadConfig to refuse the configuration');
}

const METERING_FIELDS: Partial<Record<SettingKey, keyof Config['metering']>> = {
  meteringWorker: 'worker',
  meteringBatchSize: 'batchSize',
  meteringPollMs: 'pollIntervalMs',
  meteringHorizonDays: 'horizonDays',
};

function valueOf(config: Readonly<Config>, key: SettingKey): unknown {
  const metering = METERING_FIELDS[key];
  if (metering) return config.metering[metering];
  if (key === 'billingGraceHours') return config.billing.graceHours;
  if (key === 'autoAccrue') return config.accounting?.autoAccrue;
  if (key === 'accrualDelayMinutes') return config.accounting?.accrualDelayMinutes;
  if (key === 'reconcileEveryHours') return config.reconciliation?.everyHours;
  return key in config.ingestion ? config.ingestion[key as keyof Config['ingestion']] : config[key as keyof Config];
}

// Three distinct valid values per setting, as each source would carry them (flags and env as strings,
// the file as typed YAML/JSON), and the value each should produce.
const CASES: Record<SettingKey, { flag: unknown; env: string; file: unknown; expected: [unknown, unknown, unknown] }> =
  {
    databaseUrl: {
      flag: 'postgres://flag/db',
      env: 'postgresql://env/db',
      file: 'postgres://file/db',
      expected: ['postgres://flag/db', 'postgresql://env/db', 'postgres://file/db'],
    },
    dataDir: {
      flag: '/data/flag',
      env: '/data/env',
      file: '/data/file',
      expected: ['/data/flag', '/data/env', '/data/file'],
    },
    host: {
      flag: 'flag.example',
      env: 'env.example',
      file: 'file.example',
      expected: ['flag.example', 'env.example', 'file.example'],
    },
    port: { flag: '1001', env: '1002', file: 1003, expected: [1001, 1002, 1003] },
    logLevel: { flag: 'debug', env: 'warn', file: 'error', expected: ['debug', 'warn', 'error'] },
    bootstrapAdminKey: {
      flag: 'f'.repeat(32),
      env: 'e'.repeat(33),
      file: 'g'.repeat(40),
      expected: ['f'.repeat(32), 'e'.repeat(33), 'g'.repeat(40)],
    },
    unknownTypes: { flag: 'reject', env: 'accept', file: 'reject', expected: ['reject', 'accept', 'reject'] },
    maxEventBytes: { flag: '1000', env: '2000', file: 3000, expected: [1000, 2000, 3000] },
    maxBodyBytes: { flag: '10000', env: '20000', file: 30000, expected: [10000, 20000, 30000] },
    maxBatchEvents: { flag: '10', env: '20', file: 30, expected: [10, 20, 30] },
    maxFutureSeconds: { flag: '0', env: '60', file: 120, expected: [0, 60, 120] },
    meteringWorker: { flag: 'off', env: 'on', file: 'off', expected: [false, true, false] },
    meteringBatchSize: { flag: '100', env: '200', file: 300, expected: [100, 200, 300] },
    meteringPollMs: { flag: '50', env: '60', file: 70, expected: [50, 60, 70] },
    meteringHorizonDays: { flag: '30', env: '60', file: 120, expected: [30, 60, 120] },
    billingGraceHours: { flag: '0', env: '24', file: 48, expected: [0, 24, 48] },
    autoAccrue: { flag: 'on', env: 'off', file: 'on', expected: [true, false, true] },
    accrualDelayMinutes: { flag: '0', env: '30', file: 90, expected: [0, 30, 90] },
    reconcileEveryHours: { flag: '0', env: '12', file: 24, expected: [0, 12, 24] },
    secretsFile: {
      flag: '/run/flag.yaml',
      env: '/run/env.yaml',
      file: '/run/file.yaml',
      expected: ['/run/flag.yaml', '/run/env.yaml', '/run/file.yaml'],
    },
  };

describe('loadConfig', () => {
  it('uses the defaults when nothing is configured, with no database URL and no admin key', () => {
    const config = loadConfig();
    expect(config).toEqual({
      dataDir: './.meterbridge',
      host: '127.0.0.1',
      port: 8080,
      logLevel: 'info',
      ingestion: DEFAULT_INGESTION_LIMITS,
      metering: DEFAULT_METERING_SETTINGS,
      billing: DEFAULT_BILLING_SETTINGS,
      accounting: DEFAULT_ACCOUNTING_SETTINGS,
      alerts: DEFAULT_ALERT_SETTINGS,
      serviceLevels: DEFAULT_SERVICE_LEVEL_SETTINGS,
      reconciliation: { everyHours: 6 },
    });
    expect(config.accounting).toEqual({ autoAccrue: false, accrualDelayMinutes: 60 });
    expect(config).not.toHaveProperty('databaseUrl');
    expect(config).not.toHaveProperty('bootstrapAdminKey');
  });

  it('has a precedence case for every setting', () => {
    expect(Object.keys(CASES).sort()).toEqual(SETTINGS.map((setting) => setting.key).sort());
  });

  describe.each(SETTINGS.map((setting) => [setting.key, setting] as const))('precedence of %s', (key, setting) => {
    const { flag, env, file, expected } = CASES[key];
    const configFile = fileWith(setting.filePath, file);

    it(`takes ${setting.flag} over ${setting.env} over the file`, () => {
      expect(
        valueOf(loadConfig({ flags: { [key]: flag }, env: { [setting.env]: env }, file: configFile }), key),
      ).toEqual(expected[0]);
    });

    it(`takes ${setting.env} over the file when there is no flag`, () => {
      expect(valueOf(loadConfig({ env: { [setting.env]: env }, file: configFile }), key)).toEqual(expected[1]);
    });

    it(`takes ${setting.filePath} from the file when there is neither flag nor env, and skips an empty env value`, () => {
      expect(valueOf(loadConfig({ file: configFile }), key)).toEqual(expected[2]);
      expect(valueOf(loadConfig({ env: { [setting.env]: '' }, file: configFile }), key)).toEqual(expected[2]);
    });
  });

  it('reads a YAML file with every section', () => {
    const path = writeConfigFile(
      [
        '# Meterbridge configuration',
        'server:',
        '  host: 0.0.0.0',
        '  port: 9090',
        'log:',
        '  level: warn',
        'database:',
        '  url: postgresql://db.internal:5432/meterbridge',
        'auth:',
        `  bootstrapAdminKey: ${'k'.repeat(32)}`,
        'ingestion:',
        '  unknownTypes: reject',
        '  maxBatchEvents: 500',
        '',
      ].join('\n'),
    );
    const config = loadConfig({ file: path });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9090,
      logLevel: 'warn',
      databaseUrl: 'postgresql://db.internal:5432/meterbridge',
      bootstrapAdminKey: 'k'.repeat(32),
      ingestion: { ...DEFAULT_INGESTION_LIMITS, unknownTypes: 'reject', maxBatchEvents: 500 },
    });
  });

  it('reads a JSON file, named by --config or by MB_CONFIG', () => {
    const path = writeConfigFile(
      JSON.stringify({ server: { port: 7070 }, database: { dataDir: '/var/lib/meterbridge' } }),
      'json',
    );
    expect(loadConfig({ file: path })).toMatchObject({ port: 7070, dataDir: '/var/lib/meterbridge' });
    expect(loadConfig({ env: { MB_CONFIG: path } })).toMatchObject({ port: 7070, dataDir: '/var/lib/meterbridge' });
    const other = writeConfigFile(JSON.stringify({ server: { port: 6060 } }), 'json');
    expect(loadConfig({ file: other, env: { MB_CONFIG: path } }).port).toBe(6060);
  });

  it('treats an empty file as no settings', () => {
    expect(loadConfig({ file: writeConfigFile('') }).port).toBe(8080);
  });

  it('reports every invalid value together, each with its origin', () => {
    const path = fileWith('server.host', 5);
    const env = { MB_LOG_LEVEL: 'loud', MB_MAX_BATCH_EVENTS: '0', MB_PORT: '9000' };

    let thrown: unknown;
    try {
      loadConfig({ flags: { port: 'eighty' }, env, file: path });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).message).toBe('invalid configuration (4 errors)');
    // The bad flag is reported, not silently replaced by the valid MB_PORT below it.
    expect((thrown as ValidationError).errors).toEqual([
      { path: `file ${path}: server.host`, message: 'must be a non-empty string' },
      { path: 'flag --port', message: 'must be an integer from 0 to 65535, got "eighty"' },
      {
        path: 'env MB_LOG_LEVEL',
        message: 'must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      },
      { path: 'env MB_MAX_BATCH_EVENTS', message: 'must be an integer from 1 to 1000000, got "0"' },
    ]);
  });

  it('refuses out-of-range and non-integer numbers from every source', () => {
    const path = fileWith('server.port', 80.5);
    expect(errorsOf({ file: path })).toEqual([
      { path: `file ${path}: server.port`, message: 'must be an integer from 0 to 65535, got 80.5' },
    ]);
    expect(errorsOf({ env: { MB_PORT: '65536' } })).toEqual([
      { path: 'env MB_PORT', message: expect.stringContaining('got "65536"') },
    ]);
    expect(errorsOf({ env: { MB_PORT: '-1' } })).toEqual([
      { path: 'env MB_PORT', message: expect.stringContaining('got "-1"') },
    ]);
    expect(errorsOf({ flags: { port: '80abc' } })).toEqual([
      { path: 'flag --port', message: expect.stringContaining('got "80abc"') },
    ]);
    expect(errorsOf({ flags: { maxEventBytes: '255' } })).toEqual([
      { path: 'flag --max-event-bytes', message: expect.stringContaining('from 256') },
    ]);
  });

  it('names unknown sections and settings in the file, and a section that is not a mapping', () => {
    const path = writeConfigFile(
      ['servr:', '  port: 1', 'server:', '  prot: 1', '  port: 1234', 'database: here', ''].join('\n'),
    );
    expect(errorsOf({ file: path })).toEqual([
      { path: `file ${path}: servr`, message: 'is not a known section' },
      { path: `file ${path}: server.prot`, message: 'is not a known setting' },
      { path: `file ${path}: database`, message: 'must be a mapping' },
    ]);
  });

  it('reports a file that does not exist, is a directory, is not YAML or holds no mapping', () => {
    const missing = join(dir, 'missing.yaml');
    expect(errorsOf({ file: missing })).toEqual([
      { path: `file ${missing}`, message: expect.stringMatching(/^cannot be read: .*ENOENT/) },
    ]);

    const directory = join(dir, 'a-directory');
    mkdirSync(directory);
    expect(errorsOf({ file: directory })).toEqual([
      { path: `file ${directory}`, message: expect.stringMatching(/^cannot be read: .*EISDIR/) },
    ]);

    const broken = writeConfigFile('server: [unclosed\n');
    expect(errorsOf({ file: broken })).toEqual([
      { path: `file ${broken}`, message: expect.stringMatching(/^cannot be read: /) },
    ]);

    const scalar = writeConfigFile('just a string\n');
    expect(errorsOf({ file: scalar })).toEqual([
      { path: `file ${scalar}`, message: 'must hold a mapping of sections' },
    ]);
  });

  it('refuses a bootstrap admin key under 32 characters and accepts one of exactly 32', () => {
    expect(errorsOf({ env: { MB_BOOTSTRAP_ADMIN_KEY: 'k'.repeat(31) } })).toEqual([
      { path: 'env MB_BOOTSTRAP_ADMIN_KEY', message: 'must be at least 32 characters long' },
    ]);
    // Surrounding whitespace does not count towards the length.
    expect(errorsOf({ flags: { bootstrapAdminKey: `  ${'k'.repeat(31)}  ` } })).toEqual([
      { path: 'flag --bootstrap-admin-key', message: 'must be at least 32 characters long' },
    ]);
    expect(loadConfig({ env: { MB_BOOTSTRAP_ADMIN_KEY: 'k'.repeat(32) } }).bootstrapAdminKey).toBe('k'.repeat(32));
  });

  it('accepts only postgres:// and postgresql:// database URLs', () => {
    for (const url of [
      'mysql://localhost/db',
      'http://localhost:5432/db',
      'localhost:5432',
      'postgres:/missing-slash',
    ]) {
      expect(errorsOf({ env: { MB_DATABASE_URL: url } }), url).toEqual([
        { path: 'env MB_DATABASE_URL', message: 'must be a postgres:// or postgresql:// URL' },
      ]);
    }
    expect(loadConfig({ env: { MB_DATABASE_URL: 'postgres://u@h/d' } }).databaseUrl).toBe('postgres://u@h/d');
    expect(loadConfig({ env: { MB_DATABASE_URL: 'postgresql://u@h/d' } }).databaseUrl).toBe('postgresql://u@h/d');
  });

  it('returns a frozen configuration, ingestion limits included', () => {
    const config = loadConfig({ env: { MB_PORT: '9000' } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.ingestion)).toBe(true);
    expect(() => {
      (config as Config).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.ingestion as Config['ingestion']).maxBatchEvents = 1;
    }).toThrow(TypeError);
    expect(config.port).toBe(9000);
  });

  it('does not share state between loads', () => {
    loadConfig({ env: { MB_MAX_BATCH_EVENTS: '5' } });
    expect(loadConfig().ingestion.maxBatchEvents).toBe(DEFAULT_INGESTION_LIMITS.maxBatchEvents);
  });
});
