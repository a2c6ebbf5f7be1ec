import { EmulatorConfigError, readConfigFile, readSection } from '../common/emulator-config-file.js';
import type {
  BusinessCentralChart,
  BusinessCentralCompany,
  BusinessCentralCredentials,
  BusinessCentralEmulatorOptions,
  Dimension,
} from './emulator-options.js';
import { parseFaultSettings } from './fault-settings.js';

// `meterbridge emulate business-central --config <file>`: a JSON or YAML file naming the company, its
// chart, the credentials it admits and its start faults. Every field is checked and every problem
// reported together with its place in the file.
//
//   company: { id: "<guid>", name: "CRONUS USA, Inc." }
//   chart: { accounts: [{ number: "40100", name: "Usage Revenue" }], customers: [...], items: [...], currencies: ["EUR"], localCurrency: USD,
//            dimensions: [{ code: DEPARTMENT, values: [{ code: SALES }] }] }
//   credentials: { tenant: "<guid>", environment: Sandbox, clientId: "<guid>", clientSecret: "..." }
//   faults: { concurrency: 100, windowRequests: 6000, windowMs: 300000, latencyMs: 0, ... }
//   pageSize: 20000

export { EmulatorConfigError };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A list of `{number, name, ...}` entries whose text fields are all given. */
function readEntries<T>(
  value: unknown,
  name: string,
  required: readonly string[],
  problems: string[],
): T[] | undefined {
  if (!Array.isArray(value) || !value.every(isRecord)) {
    problems.push(`chart.${name} must be a list of objects`);
    return undefined;
  }
  value.forEach((entry, index) => {
    for (const field of required)
      if (!isText(entry[field])) problems.push(`chart.${name}[${index}].${field} must be non-empty text`);
  });
  return value as T[];
}

/** `[{ code, name?, values: [{ code, name? }] }]`: the company's dimensions and their values. */
function readDimensions(value: unknown, problems: string[]): Dimension[] | undefined {
  if (!Array.isArray(value) || !value.every(isRecord)) {
    problems.push('chart.dimensions must be a list of objects');
    return undefined;
  }
  value.forEach((dimension, index) => {
    const at = `chart.dimensions[${index}]`;
    if (!isText(dimension.code) || dimension.code.length > 20)
      problems.push(`${at}.code must be a code of 1 to 20 characters`);
    if (dimension.name !== undefined && !isText(dimension.name)) problems.push(`${at}.name must be non-empty text`);
    const values = dimension.values;
    if (!Array.isArray(values) || !values.every(isRecord)) problems.push(`${at}.values must be a list of objects`);
    else
      values.forEach((entry, valueIndex) => {
        if (!isText(entry.code) || entry.code.length > 20)
          problems.push(`${at}.values[${valueIndex}].code must be a code of 1 to 20 characters`);
        if (entry.name !== undefined && !isText(entry.name))
          problems.push(`${at}.values[${valueIndex}].name must be non-empty text`);
      });
  });
  return value as unknown as Dimension[];
}

function readChart(value: unknown, problems: string[]): Partial<BusinessCentralChart> {
  const chart: Partial<BusinessCentralChart> = {};
  if (value === undefined) return chart;
  if (!isRecord(value)) return (problems.push('chart must be an object'), chart);
  for (const [key, entry] of Object.entries(value)) {
    switch (key) {
      case 'accounts':
        chart.accounts = readEntries(entry, key, ['number', 'name'], problems);
        break;
      case 'customers':
        chart.customers = readEntries(entry, key, ['number', 'name'], problems);
        break;
      case 'items':
        chart.items = readEntries(entry, key, ['number', 'name', 'salesAccount'], problems);
        break;
      case 'bankAccounts':
        chart.bankAccounts = readEntries(entry, key, ['number', 'glAccount'], problems);
        break;
      case 'currencies':
      case 'journalTemplates':
        if (!Array.isArray(entry) || !entry.every(isText)) problems.push(`chart.${key} must be a list of codes`);
        else chart[key] = entry.map((code) => code.toUpperCase());
        break;
      case 'dimensions':
        chart.dimensions = readDimensions(entry, problems);
        break;
      case 'localCurrency':
      case 'receivablesAccount':
      case 'salesTaxAccount':
        if (!isText(entry)) problems.push(`chart.${key} must be non-empty text`);
        else chart[key] = entry;
        break;
      default:
        problems.push(`chart.${key} is not a list this emulator knows`);
    }
  }
  return chart;
}

function readTextSection<T extends string>(
  value: unknown,
  name: string,
  known: readonly T[],
  problems: string[],
): Partial<Record<T, string>> {
  const section: Partial<Record<T, string>> = {};
  if (value === undefined) return section;
  if (!isRecord(value)) return (problems.push(`${name} must be an object`), section);
  for (const [key, text] of Object.entries(value)) {
    const field = known.find((one) => one === key);
    if (field === undefined) problems.push(`${name}.${key} is not a setting this emulator knows`);
    else if (!isText(text)) problems.push(`${name}.${key} must be non-empty text`);
    else section[field] = text;
  }
  return section;
}

/** The options a config file sets; throws an EmulatorConfigError naming every problem. */
export function loadEmulatorConfig(file: string, now: number): BusinessCentralEmulatorOptions {
  const { value, problems } = readConfigFile(file, ['company', 'chart', 'credentials', 'faults', 'pageSize']);
  const company: Partial<BusinessCentralCompany> = readTextSection(value.company, 'company', ['id', 'name'], problems);
  if (company.id !== undefined && !GUID.test(company.id)) problems.push('company.id must be a GUID');
  const credentials: Partial<BusinessCentralCredentials> = readTextSection(
    value.credentials,
    'credentials',
    ['tenant', 'environment', 'clientId', 'clientSecret'],
    problems,
  );
  const options: BusinessCentralEmulatorOptions = { company, chart: readChart(value.chart, problems), credentials };
  if (value.faults !== undefined)
    options.faults = readSection('faults', () => parseFaultSettings(value.faults, now), problems);
  if (value.pageSize !== undefined) {
    if (typeof value.pageSize !== 'number' || !Number.isInteger(value.pageSize) || value.pageSize < 1)
      problems.push('pageSize must be a whole number of at least 1');
    else options.pageSize = value.pageSize;
  }
  if (problems.length > 0) throw new EmulatorConfigError(file, problems);
  return options;
}
