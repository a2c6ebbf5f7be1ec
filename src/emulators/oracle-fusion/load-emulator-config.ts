import { EmulatorConfigError, readConfigFile, readSection } from '../common/emulator-config-file.js';
import type { OracleFusionEmulatorOptions, OracleLedger } from './emulator-options.js';
import { parseRuntimeSettings } from './fault-settings.js';

// `meterbridge emulate oracle-fusion --config <file>`: a JSON or YAML file naming the pod's ledgers (with
// their chart of account combinations), journal sources and categories, the integration user and the
// start faults. Every field is checked and every problem reported together with its place in the file.
//
//   ledgers: [{ id: "300000046975971", name: "US Primary Ledger", currency: USD, currencies: [USD],
//               dataAccessSets: ["300000046975980"], combinations: ["101.4000.000"], suspense: "101.9999.000",
//               closedPeriods: ["2026-09"] }]
//   sources: [Meterbridge]   categories: [Usage]
//   credentials: { username: ..., password: ... }
//   faults: { concurrency: 5, jobMs: 2000, ... }

export { EmulatorConfigError };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const texts = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string' && item.trim() !== '');

function readLedger(value: unknown, at: string, problems: string[]): OracleLedger | undefined {
  if (!isRecord(value)) return void problems.push(`${at} must be an object`);
  const known = ['id', 'name', 'currency', 'currencies', 'dataAccessSets', 'combinations', 'suspense', 'closedPeriods'];
  for (const key of Object.keys(value)) if (!known.includes(key)) problems.push(`${at}.${key} is not a ledger field`);
  const id = typeof value.id === 'number' ? String(value.id) : value.id;
  if (typeof id !== 'string' || !/^\d{1,18}$/.test(id)) problems.push(`${at}.id must be a ledger id (digits)`);
  if (typeof value.currency !== 'string' || !/^[A-Z]{3}$/.test(value.currency))
    problems.push(`${at}.currency must be an ISO currency code`);
  for (const list of ['currencies', 'dataAccessSets', 'closedPeriods'] as const)
    if (value[list] !== undefined && !texts(value[list])) problems.push(`${at}.${list} must be a list of text`);
  if (!texts(value.combinations) || value.combinations.length === 0)
    problems.push(`${at}.combinations must list the chart's valid combinations, such as "101.4000.000"`);
  else if (new Set(value.combinations.map((combination) => combination.split('.').length)).size > 1)
    problems.push(`${at}.combinations must all have the same number of segments`);
  if (value.suspense !== undefined && typeof value.suspense !== 'string')
    problems.push(`${at}.suspense must be a combination`);
  if (problems.length > 0) return undefined;
  const currency = value.currency as string;
  return {
    id: id as string,
    name: typeof value.name === 'string' ? value.name : `Ledger ${String(id)}`,
    currency,
    currencies: (value.currencies as string[] | undefined) ?? [currency],
    dataAccessSets: (value.dataAccessSets as string[] | undefined) ?? [],
    combinations: value.combinations as string[],
    ...(typeof value.suspense === 'string' ? { suspense: value.suspense } : {}),
    closedPeriods: (value.closedPeriods as string[] | undefined) ?? [],
  };
}

/** The options a config file sets; throws an EmulatorConfigError naming every problem. */
export function loadOracleEmulatorConfig(file: string, now: number): OracleFusionEmulatorOptions {
  const { value, problems } = readConfigFile(file, ['ledgers', 'sources', 'categories', 'credentials', 'faults']);
  const options: OracleFusionEmulatorOptions = {};
  if (value.ledgers !== undefined) {
    if (!Array.isArray(value.ledgers) || value.ledgers.length === 0) problems.push('ledgers must be a non-empty list');
    else
      options.ledgers = value.ledgers.flatMap(
        (ledger, index) => readLedger(ledger, `ledgers[${index}]`, problems) ?? [],
      );
  }
  for (const list of ['sources', 'categories'] as const) {
    if (value[list] === undefined) continue;
    if (!texts(value[list])) problems.push(`${list} must be a list of names`);
    else options[list] = value[list];
  }
  if (value.credentials !== undefined) {
    const credentials = value.credentials;
    if (!isRecord(credentials) || Object.keys(credentials).some((key) => !['username', 'password'].includes(key)))
      problems.push('credentials must be {username, password}');
    else if (Object.values(credentials).some((field) => typeof field !== 'string' || field === ''))
      problems.push('credentials.username and credentials.password must be non-empty text');
    else options.credentials = credentials as { username?: string; password?: string };
  }
  const runtime =
    value.faults === undefined
      ? undefined
      : readSection('faults', () => parseRuntimeSettings(value.faults, now), problems);
  if (runtime !== undefined) {
    const { jobMs, ...faults } = runtime;
    options.faults = faults;
    if (jobMs !== undefined) options.jobMs = jobMs;
  }
  if (problems.length > 0) throw new EmulatorConfigError(file, problems);
  return options;
}
