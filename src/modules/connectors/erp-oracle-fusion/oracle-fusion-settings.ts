import { DeliveryFailure, type SecretResolver, type TargetDefinition } from '../connector.js';
import { readSecretObject } from '../secret-json.js';
import { ORACLE_DEFAULTS } from './oracle-fusion-settings-schema.js';

// An Oracle Fusion target's settings and secret, read defensively at every use. The catalog has checked
// settings against ORACLE_FUSION_SETTINGS, but a connector can be built by hand (tests, the CLI), and the
// secret is only JSON text: both are checked here, and a problem is an `auth` failure (a person must fix
// the target or its secret) that never quotes a secret's value.

/** Where one segment of the chart of accounts takes its value from, for every line. */
export type SegmentSource =
  | { source: 'account' }
  | { source: 'dimension'; dimension: string; default?: string }
  | { source: 'constant'; value: string };

export interface OracleFusionSettings {
  /** `<baseUrl>/fscmRestApi/resources/11.13.18.05/`, where every resource path starts. */
  restUrl: string;
  ledgerId: string;
  /** Journal Import's first parameter; `#NULL` (the user's default) when not set. */
  dataAccessSetId: string | undefined;
  source: string;
  category: string;
  /** SEGMENT1..n, in order. */
  segments: readonly SegmentSource[];
  postErrorsToSuspense: boolean;
  pollIntervalMs: number;
  timeoutMs: number;
}

export interface OracleFusionSecret {
  username: string;
  password: string;
}

/** The REST framework version of the resources used (erpintegrations, journalBatches). */
export const REST_VERSION = '11.13.18.05';

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
const whole = (value: unknown, fallback: number): number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;

function settingsProblem(target: TargetDefinition, what: string): DeliveryFailure {
  return new DeliveryFailure('auth', `the settings of Oracle Fusion target ${target.key} are not usable: ${what}`);
}

function readSegment(value: unknown, index: number, target: TargetDefinition): SegmentSource {
  const at = `segments[${index}]`;
  if (!isObject(value)) throw settingsProblem(target, `${at} must be an object`);
  if (value.source === 'account') return { source: 'account' };
  if (value.source === 'constant') {
    const constant = text(value.value);
    if (!constant) throw settingsProblem(target, `${at} needs a value`);
    return { source: 'constant', value: constant };
  }
  if (value.source === 'dimension') {
    const dimension = text(value.dimension);
    if (!dimension) throw settingsProblem(target, `${at} needs the dimension it takes its value from`);
    const fallback = text(value.default);
    return fallback === undefined
      ? { source: 'dimension', dimension }
      : { source: 'dimension', dimension, default: fallback };
  }
  throw settingsProblem(target, `${at}.source must be account, dimension or constant`);
}

/** The target's settings, or an `auth` failure naming what is wrong. */
export function readSettings(target: TargetDefinition): OracleFusionSettings {
  const { settings } = target;
  const baseUrl = text(settings.baseUrl);
  if (!baseUrl || !URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol))
    throw settingsProblem(target, 'baseUrl must be an http:// or https:// URL');
  const ledgerId = text(settings.ledgerId);
  if (!ledgerId || !/^\d{1,18}$/.test(ledgerId)) throw settingsProblem(target, 'ledgerId must be an Oracle id');
  const dataAccessSetId = text(settings.dataAccessSetId);
  if (dataAccessSetId !== undefined && !/^\d{1,18}$/.test(dataAccessSetId))
    throw settingsProblem(target, 'dataAccessSetId must be an Oracle id');
  const source = text(settings.source);
  const category = text(settings.category);
  if (!source || !category) throw settingsProblem(target, 'source and category are required');
  if (!Array.isArray(settings.segments) || settings.segments.length === 0 || settings.segments.length > 30)
    throw settingsProblem(target, 'segments must list 1 to 30 segments');
  return {
    restUrl: `${baseUrl.replace(/\/+$/, '')}/fscmRestApi/resources/${REST_VERSION}/`,
    ledgerId,
    dataAccessSetId,
    source,
    category,
    segments: settings.segments.map((segment, index) => readSegment(segment, index, target)),
    postErrorsToSuspense: settings.postErrorsToSuspense === true,
    pollIntervalMs: whole(settings.pollIntervalMs, ORACLE_DEFAULTS.pollIntervalMs),
    timeoutMs: whole(settings.timeoutMs, ORACLE_DEFAULTS.timeoutMs),
  };
}

/** The target's secret: `{"username", "password"}`; an `auth` failure that names fields, never values. */
export async function readSecret(target: TargetDefinition, resolve: SecretResolver): Promise<OracleFusionSecret> {
  const { fields: parsed, problem } = await readSecretObject(
    target,
    resolve,
    'Oracle Fusion',
    'it holds JSON {"username", "password"}',
  );
  const username = typeof parsed.username === 'string' ? parsed.username : '';
  const password = typeof parsed.password === 'string' ? parsed.password : '';
  const missing = [username.trim() === '' && 'username', password === '' && 'password'].filter(Boolean);
  if (missing.length > 0) throw problem(`lacks ${missing.join(' and ')}`);
  // Basic authentication joins them with a colon: a user name holding one could not be told apart.
  if (username.includes(':')) throw problem('has a username with a colon, which basic authentication cannot carry');
  return { username: username.trim(), password };
}
