import { EmulatorConfigError, readConfigFile, readSection } from '../common/emulator-config-file.js';
import type { SapChart, SapCompanyCode, SapCredentials, SapEmulatorOptions } from './emulator-options.js';
import { parseFaultSettings } from './fault-settings.js';

// `meterbridge emulate sap-s4hana --config <file>`: a JSON or YAML file naming the tenant's chart (company
// codes, charts of accounts, currencies, cost and profit centers), the communication user and the start
// faults. Every field is checked and every problem reported together with its place in the file.
//
//   chart:
//     companyCodes: { "1010": { currency: EUR, chartOfAccounts: YCOA, controllingArea: A000 } }
//     chartsOfAccounts: { YCOA: ["41000000", "12100000"] }
//     currencies: { EUR: 2, JPY: 0 }
//     costCenters: { A000: ["10101101"] }
//     profitCenters: { A000: ["YB101"] }
//   credentials: { user: MB_COMM_USER, password: ... }
//   faults: { concurrency: 4, retryAfterSeconds: 2, ... }
//   maxPageRows: 5000   # the OData service pages on its own past this many rows (none by default)

export { EmulatorConfigError };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const ids = (value: unknown): value is Array<string | number> =>
  Array.isArray(value) && value.every((id) => typeof id === 'string' || Number.isInteger(id));

function readLists(value: unknown, name: string, problems: string[]): Record<string, string[]> | undefined {
  if (!isRecord(value)) return void problems.push(`chart.${name} must map names to lists of ids`);
  const lists: Record<string, string[]> = {};
  for (const [key, list] of Object.entries(value)) {
    if (ids(list)) lists[key] = list.map(String);
    else problems.push(`chart.${name}.${key} must be a list of ids`);
  }
  return lists;
}

function readChart(value: unknown, problems: string[]): Partial<SapChart> {
  const chart: Partial<SapChart> = {};
  if (value === undefined) return chart;
  if (!isRecord(value)) return (problems.push('chart must be an object'), chart);
  for (const [key, section] of Object.entries(value)) {
    if (key === 'companyCodes') {
      if (!isRecord(section)) {
        problems.push('chart.companyCodes must map company codes to {currency, chartOfAccounts, controllingArea}');
        continue;
      }
      const codes: Record<string, SapCompanyCode> = {};
      for (const [code, entry] of Object.entries(section)) {
        const fields = isRecord(entry) ? entry : {};
        const { currency, chartOfAccounts, controllingArea } = fields;
        if (typeof currency !== 'string' || typeof chartOfAccounts !== 'string' || typeof controllingArea !== 'string')
          problems.push(`chart.companyCodes.${code} must be {currency, chartOfAccounts, controllingArea} as text`);
        else codes[code] = { currency, chartOfAccounts, controllingArea };
      }
      chart.companyCodes = codes;
    } else if (key === 'currencies') {
      if (
        !isRecord(section) ||
        !Object.values(section).every((n) => Number.isInteger(n) && Number(n) >= 0 && Number(n) <= 6)
      )
        problems.push('chart.currencies must map currency keys to their decimals (0 to 6)');
      else chart.currencies = section as Record<string, number>;
    } else if (key === 'chartsOfAccounts' || key === 'costCenters' || key === 'profitCenters') {
      const lists = readLists(section, key, problems);
      if (lists) chart[key] = lists;
    } else {
      problems.push(`chart.${key} is not a section this emulator knows`);
    }
  }
  return chart;
}

function readCredentials(value: unknown, problems: string[]): Partial<SapCredentials> {
  const credentials: Partial<SapCredentials> = {};
  if (value === undefined) return credentials;
  if (!isRecord(value)) return (problems.push('credentials must be an object'), credentials);
  for (const [key, text] of Object.entries(value)) {
    if (key !== 'user' && key !== 'password')
      problems.push(`credentials.${key} is not a credential this emulator knows`);
    else if (typeof text !== 'string' || text === '') problems.push(`credentials.${key} must be non-empty text`);
    else credentials[key] = text;
  }
  return credentials;
}

/** The options a config file sets; throws an EmulatorConfigError naming every problem. */
export function loadEmulatorConfig(file: string, now: number): SapEmulatorOptions {
  const { value, problems } = readConfigFile(file, ['chart', 'credentials', 'faults', 'maxPageRows']);
  const options: SapEmulatorOptions = {
    chart: readChart(value.chart, problems),
    credentials: readCredentials(value.credentials, problems),
  };
  const { maxPageRows } = value;
  if (maxPageRows !== undefined) {
    if (typeof maxPageRows === 'number' && Number.isInteger(maxPageRows) && maxPageRows > 0 && maxPageRows <= 1e6)
      options.maxPageRows = maxPageRows;
    else problems.push('maxPageRows must be a whole number from 1 to 1000000 (the OData page size)');
  }
  if (value.faults !== undefined)
    options.faults = readSection('faults', () => parseFaultSettings(value.faults, now), problems);
  if (problems.length > 0) throw new EmulatorConfigError(file, problems);
  return options;
}
