import { DeliveryFailure, type TargetDefinition } from '../connector.js';
import { readSecretObject } from '../secret-json.js';
import { dimensionFields } from './sap-entity-rules.js';
import { DEFAULT_ODATA_PATH, DEFAULT_SOAP_PATH, type SapAssignmentField } from './sap-settings-schema.js';

// An SAP target's settings and secret, read defensively at every use. The catalog has checked settings
// against SAP_S4HANA_SETTINGS, but a connector can be built by hand (tests, the CLI) and the secret is only
// text from a file or the environment: a problem with either is an `auth` failure (a person must fix the
// target or its secret) that names fields and never quotes a secret's value.

export type SapAuthMethod = 'basic' | 'certificate';

export interface SapSettings {
  /** `https://my123456-api.s4hana.cloud.sap`, without a trailing slash. */
  baseUrl: string;
  companyCode: string;
  /** Legal entity code -> company code. */
  companyCodes: Readonly<Record<string, string>>;
  auth: SapAuthMethod;
  timeoutMs: number | undefined;
  /** ISO code -> SAP currency key; a code not listed is sent as it is. */
  currencies: Readonly<Record<string, string>>;
  /** Meterbridge dimension -> the item's account assignment field. */
  dimensions: Readonly<Record<string, SapAssignmentField>>;
  documentType: string;
  createdByUser: string | undefined;
  soapPath: string;
  odataPath: string;
}

export type SapSecret =
  | { method: 'basic'; user: string; password: string }
  | { method: 'certificate'; certificate: string; privateKey: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

function settingsProblem(target: TargetDefinition, what: string): DeliveryFailure {
  return new DeliveryFailure('auth', `the settings of SAP target ${target.key} are not usable: ${what}`);
}

function textMap(value: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  if (isObject(value))
    for (const [key, entry] of Object.entries(value)) if (text(entry)) map[key] = String(entry).trim();
  return map;
}

export function readSettings(target: TargetDefinition): SapSettings {
  const { settings } = target;
  const baseUrl = text(settings.baseUrl);
  if (!baseUrl || !URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol))
    throw settingsProblem(target, 'baseUrl must be an http:// or https:// URL');
  const companyCode = text(settings.companyCode);
  if (!companyCode) throw settingsProblem(target, 'companyCode is missing');
  const auth = isObject(settings.auth) ? settings.auth.method : undefined;
  if (auth !== 'basic' && auth !== 'certificate')
    throw settingsProblem(target, 'auth.method must be basic or certificate');
  const timeoutMs = typeof settings.timeoutMs === 'number' && settings.timeoutMs > 0 ? settings.timeoutMs : undefined;
  return {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    companyCode,
    companyCodes: textMap(settings.companyCodes),
    auth,
    timeoutMs,
    currencies: textMap(settings.currencies),
    dimensions: dimensionFields(settings),
    documentType: text(settings.documentType) ?? 'SA',
    createdByUser: text(settings.createdByUser),
    soapPath: text(settings.soapPath) ?? DEFAULT_SOAP_PATH,
    odataPath: (text(settings.odataPath) ?? DEFAULT_ODATA_PATH).replace(/\/+$/, ''),
  };
}

/** The company code a legal entity's postings go to. */
export const companyCodeOf = (settings: SapSettings, legalEntity: string): string =>
  Object.hasOwn(settings.companyCodes, legalEntity) ? (settings.companyCodes[legalEntity] ?? '') : settings.companyCode;

const EXPECTED: Readonly<Record<SapAuthMethod, string>> = {
  basic: '{"user", "password"} (the communication user)',
  certificate: '{"certificate", "privateKey"} (PEM)',
};

/** The target's secret for its auth method; an `auth` failure naming fields, never values. */
export async function readSecret(
  target: TargetDefinition,
  method: SapAuthMethod,
  resolve: (name: string) => Promise<string>,
): Promise<SapSecret> {
  const { fields: parsed, problem } = await readSecretObject(
    target,
    resolve,
    'SAP',
    `for ${method} it holds JSON ${EXPECTED[method]}`,
  );
  if (method === 'basic') {
    const user = text(parsed.user);
    const password = typeof parsed.password === 'string' && parsed.password !== '' ? parsed.password : undefined;
    const missing = [user ? undefined : 'user', password ? undefined : 'password'].filter(Boolean);
    if (missing.length > 0 || !user || !password) throw problem(`lacks ${missing.join(', ')}`);
    if (user.includes(':')) throw problem('has a user with a colon, which Basic authentication cannot carry');
    return { method, user, password };
  }
  const certificate = text(parsed.certificate);
  const privateKey = text(parsed.privateKey);
  const missing = [certificate ? undefined : 'certificate', privateKey ? undefined : 'privateKey'].filter(Boolean);
  if (missing.length > 0 || !certificate || !privateKey) throw problem(`lacks ${missing.join(', ')}`);
  if (!certificate.includes('-----BEGIN') || !privateKey.includes('-----BEGIN'))
    throw problem('has a certificate or privateKey that is not PEM');
  return { method, certificate, privateKey };
}
