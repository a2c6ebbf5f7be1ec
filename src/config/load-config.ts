import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ValidationError, type FieldError } from '../platform/errors.js';
import { readAlertSettings } from '../modules/alerts/index.js';
import { readServiceLevelSettings } from '../modules/service-levels/index.js';
import type { Config } from './config.js';
import { CONFIG_FILE, defaultConfig, settingConflicts, SETTINGS, type SettingKey } from './settings.js';

export interface ConfigSources {
  /** Parsed command-line options, keyed by setting key (commander's camelCase names). */
  flags?: Partial<Record<SettingKey, unknown>>;
  env?: Record<string, string | undefined>;
  /** Optional YAML or JSON file; named by `--config` or `MB_CONFIG`. */
  file?: string;
}

function readFile(path: string, errors: FieldError[]): Record<string, unknown> {
  try {
    const parsed: unknown = parseYaml(readFileSync(path, 'utf8'));
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      errors.push({ path: `file ${path}`, message: 'must hold a mapping of sections' });
      return {};
    }
    return parsed as Record<string, unknown>;
  } catch (error) {
    errors.push({ path: `file ${path}`, message: `cannot be read: ${(error as Error).message}` });
    return {};
  }
}

function lookup(tree: Record<string, unknown>, dotted: string): unknown {
  let node: unknown = tree;
  for (const part of dotted.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Names every setting in the file that Meterbridge does not know, so a typo is not silently ignored. */
function unknownFileSettings(tree: Record<string, unknown>, fileName: string): FieldError[] {
  const known = new Set(SETTINGS.map((setting) => setting.filePath));
  const sections = new Set(SETTINGS.map((setting) => setting.filePath.split('.')[0]));
  const errors: FieldError[] = [];
  for (const [section, body] of Object.entries(tree)) {
    if (Object.hasOwn(NESTED_SECTIONS, section)) continue;
    if (!sections.has(section) || body === null || typeof body !== 'object' || Array.isArray(body)) {
      errors.push({
        path: `file ${fileName}: ${section}`,
        message: sections.has(section) ? 'must be a mapping' : 'is not a known section',
      });
      continue;
    }
    for (const name of Object.keys(body)) {
      if (!known.has(`${section}.${name}`))
        errors.push({ path: `file ${fileName}: ${section}.${name}`, message: 'is not a known setting' });
    }
  }
  return errors;
}

/** Sections of the file only (no flag or environment variable), each read and checked whole by its module. */
const NESTED_SECTIONS = {
  alerts: (config: Config, raw: unknown, at: string, errors: FieldError[]) =>
    (config.alerts = readAlertSettings(raw, at, errors)),
  serviceLevels: (config: Config, raw: unknown, at: string, errors: FieldError[]) =>
    (config.serviceLevels = readServiceLevelSettings(raw, at, errors)),
} as const;

/**
 * Loads configuration once: flags override environment, which overrides the file, which overrides
 * defaults. Every invalid value is reported together, each with the source it came from.
 */
export function loadConfig(sources: ConfigSources = {}): Readonly<Config> {
  const env = sources.env ?? {};
  const flags = sources.flags ?? {};
  const errors: FieldError[] = [];
  const fileName = sources.file ?? env[CONFIG_FILE.env];
  const file = fileName ? readFile(fileName, errors) : {};
  if (fileName) errors.push(...unknownFileSettings(file, fileName));

  const config = defaultConfig();
  // Where each configured value came from, so that a rule between settings names the source at fault.
  const origins = new Map<SettingKey, string>();

  for (const setting of SETTINGS) {
    const candidates: Array<[string, unknown]> = [
      [`flag ${setting.flag}`, flags[setting.key]],
      [`env ${setting.env}`, env[setting.env]],
      [`file ${fileName ?? ''}: ${setting.filePath}`, lookup(file, setting.filePath)],
    ];
    const found = candidates.find(([, raw]) => raw !== undefined && raw !== '');
    if (!found) continue;
    const [origin, raw] = found;
    const parsed = setting.parse(raw);
    if ('error' in parsed) errors.push({ path: origin, message: parsed.error });
    else {
      setting.apply(config, parsed.value);
      origins.set(setting.key, origin);
    }
  }
  for (const [section, read] of Object.entries(NESTED_SECTIONS))
    read(
      config,
      fileName ? lookup(file, section) : undefined,
      `${fileName ? `file ${fileName}: ` : ''}${section}`,
      errors,
    );
  // Only between valid values: a value already refused would be reported twice.
  if (errors.length === 0) {
    for (const { key, message } of settingConflicts(config)) {
      const setting = SETTINGS.find((candidate) => candidate.key === key);
      errors.push({ path: origins.get(key) ?? `${setting?.filePath ?? key} (default)`, message });
    }
  }

  if (errors.length > 0) {
    throw new ValidationError(`invalid configuration (${errors.length} error${errors.length > 1 ? 's' : ''})`, errors);
  }
  return Object.freeze({
    ...config,
    ingestion: Object.freeze(config.ingestion),
    metering: Object.freeze(config.metering),
    billing: Object.freeze(config.billing),
    ...(config.accounting && { accounting: Object.freeze(config.accounting) }),
    ...(config.alerts && { alerts: Object.freeze(config.alerts) }),
    ...(config.serviceLevels && { serviceLevels: Object.freeze(config.serviceLevels) }),
    ...(config.reconciliation && { reconciliation: Object.freeze(config.reconciliation) }),
  });
}
