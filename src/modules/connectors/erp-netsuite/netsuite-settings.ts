import { DeliveryFailure, type TargetDefinition } from '../connector.js';
import { readSecretObject } from '../secret-json.js';

// A NetSuite target's settings and secret, read defensively. The catalog has already checked settings
// against TARGET_KIND_SPECS.netsuite, but a connector can also be built by hand (tests, the CLI), and the
// secret is only JSON text from a file or the environment: both are checked here, and a problem is an
// `auth` failure (a person must fix the target or its secret) that never quotes a secret's value.

export type NetSuiteAuthSettings =
  | { method: 'oauth2-m2m'; clientId: string; certificateId: string; tokenUrl: string }
  | { method: 'tba'; realm: string };

export interface NetSuiteSettings {
  accountId: string;
  /** `<baseUrl>/services/rest/`, where every path of the REST web services starts. */
  restUrl: string;
  auth: NetSuiteAuthSettings;
  timeoutMs: number | undefined;
  /** ISO currency code -> NetSuite currency internal id; a code not listed is sent as the id itself. */
  currencies: Readonly<Record<string, string>>;
  /** Charge key -> NetSuite item internal id, for invoice mode. */
  items: Readonly<Record<string, string>>;
  /** The item a document's tax is posted with, for invoice mode (none: a document with tax is refused). */
  taxItem?: string;
}

export type NetSuiteSecret =
  | { method: 'oauth2-m2m'; privateKey: string }
  | { method: 'tba'; consumerKey: string; consumerSecret: string; tokenId: string; tokenSecret: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

function settingsProblem(target: TargetDefinition, what: string): DeliveryFailure {
  return new DeliveryFailure('auth', `the settings of NetSuite target ${target.key} are not usable: ${what}`);
}

/**
 * TBA's realm is the account id in upper case with `_` (1234567_SB1), while the account's URLs write it
 * in lower case with `-` (1234567-sb1): accept either spelling of the account id.
 */
export const realmOf = (accountId: string): string => accountId.toUpperCase().replace(/-/g, '_');

/** The target's settings, or an `auth` failure naming what is wrong (settings hold no secret). */
export function readSettings(target: TargetDefinition): NetSuiteSettings {
  const { settings } = target;
  const accountId = text(settings.accountId);
  const baseUrl = text(settings.baseUrl);
  if (!accountId) throw settingsProblem(target, 'accountId is missing');
  if (!baseUrl || !URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol))
    throw settingsProblem(target, 'baseUrl must be an http:// or https:// URL');
  const restUrl = `${baseUrl.replace(/\/+$/, '')}/services/rest/`;
  const auth = settings.auth;
  if (!isObject(auth)) throw settingsProblem(target, 'auth is missing');
  let authSettings: NetSuiteAuthSettings;
  if (auth.method === 'oauth2-m2m') {
    const clientId = text(auth.clientId);
    const certificateId = text(auth.certificateId);
    if (!clientId || !certificateId)
      throw settingsProblem(target, 'oauth2-m2m needs auth.clientId and auth.certificateId');
    const tokenUrl = text(auth.tokenUrl) ?? `${restUrl}auth/oauth2/v1/token`;
    authSettings = { method: 'oauth2-m2m', clientId, certificateId, tokenUrl };
  } else if (auth.method === 'tba') {
    authSettings = { method: 'tba', realm: text(auth.realm) ?? realmOf(accountId) };
  } else {
    throw settingsProblem(target, 'auth.method must be oauth2-m2m or tba');
  }
  const timeoutMs = typeof settings.timeoutMs === 'number' && settings.timeoutMs > 0 ? settings.timeoutMs : undefined;
  return {
    accountId,
    restUrl,
    auth: authSettings,
    timeoutMs,
    currencies: idMap(settings.currencies),
    items: idMap(settings.items),
    ...(text(settings.taxItem) === undefined ? {} : { taxItem: text(settings.taxItem) }),
  };
}

/** A map of our names (currency codes, charge keys) to NetSuite internal ids, as the catalog checked it. */
function idMap(value: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  if (isObject(value)) for (const [name, id] of Object.entries(value)) if (text(id)) map[name] = String(id).trim();
  return map;
}

/** The target's secret, parsed for its auth method; an `auth` failure that names fields, never values. */
export async function readSecret(
  target: TargetDefinition,
  method: NetSuiteAuthSettings['method'],
  resolve: (name: string) => Promise<string>,
): Promise<NetSuiteSecret> {
  const expected =
    method === 'oauth2-m2m' ? '{"privateKey": "<PEM>"}' : '{"consumerKey", "consumerSecret", "tokenId", "tokenSecret"}';
  const { fields: parsed, problem } = await readSecretObject(
    target,
    resolve,
    'NetSuite',
    `for ${method} it holds JSON ${expected}`,
  );
  if (method === 'oauth2-m2m') {
    const privateKey = text(parsed.privateKey);
    if (!privateKey) throw problem('has no privateKey');
    return { method, privateKey };
  }
  const fields = ['consumerKey', 'consumerSecret', 'tokenId', 'tokenSecret'] as const;
  const missing = fields.filter((field) => !text(parsed[field]));
  if (missing.length > 0) throw problem(`lacks ${missing.join(', ')}`);
  return {
    method,
    consumerKey: text(parsed.consumerKey) ?? '',
    consumerSecret: text(parsed.consumerSecret) ?? '',
    tokenId: text(parsed.tokenId) ?? '',
    tokenSecret: text(parsed.tokenSecret) ?? '',
  };
}
