import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EmulatorConfigError, readConfigFile, readSection } from '../common/emulator-config-file.js';
import type { NetSuiteChart, NetSuiteCredentials, NetSuiteEmulatorOptions } from './emulator-options.js';
import { parseFaultSettings } from './fault-settings.js';

// `meterbridge emulate netsuite --config <file>`: a JSON or YAML file naming the account's chart, the
// credentials it expects and its start faults. Every field is checked and every problem reported
// together with its place in the file. A certificate is given as PEM text or as the path of a PEM
// file, relative to the config file.
//
//   chart: { accounts: ["58", "4"], subsidiaries: ["1"], ... }
//   credentials: { accountId: "1234567_SB1", clientId: "...", certificates: { "<kid>": "keys/public.pem" }, ... }
//   faults: { concurrency: 5, latencyMs: 0, ... }

export { EmulatorConfigError };

const CHART_KEYS: ReadonlyArray<keyof NetSuiteChart> = [
  'subsidiaries',
  'currencies',
  'accounts',
  'departments',
  'classes',
  'locations',
  'customers',
  'items',
  'taxItems',
];
const TEXT_CREDENTIALS = ['accountId', 'clientId', 'consumerKey', 'consumerSecret', 'tokenId', 'tokenSecret'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function readChart(value: unknown, problems: string[]): Partial<NetSuiteChart> {
  const chart: Partial<NetSuiteChart> = {};
  if (value === undefined) return chart;
  if (!isRecord(value)) return (problems.push('chart must be an object'), chart);
  for (const key of Object.keys(value)) {
    const name = CHART_KEYS.find((known) => known === key);
    const ids = value[key];
    if (name === undefined) problems.push(`chart.${key} is not a list this emulator knows`);
    else if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' || Number.isInteger(id)))
      problems.push(`chart.${key} must be a list of internal ids`);
    else chart[name] = ids.map(String);
  }
  return chart;
}

function readCertificate(text: string, base: string): string {
  return text.includes('-----BEGIN') ? text : readFileSync(resolve(base, text), 'utf8');
}

function readCredentials(value: unknown, base: string, problems: string[]): Partial<NetSuiteCredentials> {
  const credentials: Partial<NetSuiteCredentials> = {};
  if (value === undefined) return credentials;
  if (!isRecord(value)) return (problems.push('credentials must be an object'), credentials);
  for (const key of Object.keys(value)) {
    const name = TEXT_CREDENTIALS.find((known) => known === key);
    const text = value[key];
    if (key === 'certificates') continue;
    if (name === undefined) problems.push(`credentials.${key} is not a credential this emulator knows`);
    else if (typeof text !== 'string' || text === '') problems.push(`credentials.${key} must be non-empty text`);
    else credentials[name] = text;
  }
  if (value.certificates === undefined) return credentials;
  if (!isRecord(value.certificates))
    return (problems.push('credentials.certificates must map ids to PEM'), credentials);
  credentials.certificates = {};
  for (const [kid, pem] of Object.entries(value.certificates)) {
    if (typeof pem !== 'string') problems.push(`credentials.certificates.${kid} must be PEM text or a file path`);
    else {
      try {
        credentials.certificates[kid] = readCertificate(pem, base);
      } catch (error) {
        problems.push(`credentials.certificates.${kid}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  return credentials;
}

/** The options a config file sets; throws an EmulatorConfigError naming every problem. */
export function loadEmulatorConfig(file: string, now: number): NetSuiteEmulatorOptions {
  const { value, problems } = readConfigFile(file, ['chart', 'credentials', 'faults']);
  const options: NetSuiteEmulatorOptions = {
    chart: readChart(value.chart, problems),
    credentials: readCredentials(value.credentials, dirname(file), problems),
  };
  if (value.faults !== undefined)
    options.faults = readSection('faults', () => parseFaultSettings(value.faults, now), problems);
  if (problems.length > 0) throw new EmulatorConfigError(file, problems);
  return options;
}
