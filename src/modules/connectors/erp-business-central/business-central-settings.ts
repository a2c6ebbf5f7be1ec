import { DeliveryFailure, type TargetDefinition } from '../connector.js';
import { readSecretObject } from '../secret-json.js';

// A Business Central target's settings and secret, read defensively. The catalog has already checked the
// settings against the kind's schema, but a connector can also be built by hand (tests, the CLI), and the
// secret is only JSON text from a file or the environment: both are checked here, and a problem is an
// `auth` failure (a person must fix the target or its secret) that never quotes a secret's value.

export const DEFAULT_BASE_URL = 'https://api.businesscentral.dynamics.com';
export const DEFAULT_SCOPE = 'https://api.businesscentral.dynamics.com/.default';
export const DEFAULT_BATCH_PREFIX = 'MB';

export interface BusinessCentralSettings {
  /** `<baseUrl>/v2.0/<tenant>/<environment>/api/v2.0/companies(<id>)/`, where every entity path starts. */
  companyUrl: string;
  /** The API's origin: the only one whose next links are followed. */
  origin: string;
  tenant: string;
  clientId: string;
  tokenEndpoint: string;
  scope: string;
  localCurrency: string;
  /** The journal template batches are created under; BC's default template when undefined. */
  journalTemplate: string | undefined;
  batchPrefix: string;
  /** Charge key -> item number (invoice mode). */
  items: Readonly<Record<string, string>>;
  /** The customer's `externalIds.erp` -> customer number (invoice mode). */
  customers: Readonly<Record<string, string>>;
  /**
   * Meterbridge dimension (subsidiary, department, class, location) -> the BC dimension code its value
   * posts under, as a dimension set line. A dimension not listed is refused (the catalog refuses it first).
   */
  dimensions: Readonly<Record<string, string>>;
  taxAccount: string | undefined;
  postDocuments: boolean;
  timeoutMs: number | undefined;
}

export interface BusinessCentralSecret {
  clientSecret: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function settingsProblem(target: TargetDefinition, what: string): DeliveryFailure {
  return new DeliveryFailure('auth', `the settings of Business Central target ${target.key} are not usable: ${what}`);
}

const isHttpUrl = (url: string | undefined): url is string =>
  url !== undefined && URL.canParse(url) && /^https?:$/.test(new URL(url).protocol);

/** A map of our names (charge keys, ERP customer ids) to BC numbers, as the catalog checked it. */
function numberMap(value: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  if (isObject(value)) for (const [name, number] of Object.entries(value)) if (text(number)) map[name] = text(number)!;
  return map;
}

/** The target's settings, or an `auth` failure naming what is wrong (settings hold no secret). */
export function readSettings(target: TargetDefinition): BusinessCentralSettings {
  const { settings } = target;
  const baseUrl = text(settings.baseUrl) ?? DEFAULT_BASE_URL;
  if (!isHttpUrl(baseUrl)) throw settingsProblem(target, 'baseUrl must be an http:// or https:// URL');
  const tenant = text(settings.tenant);
  const environment = text(settings.environment);
  const companyId = text(settings.companyId);
  const clientId = text(settings.clientId);
  if (!tenant || !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(tenant))
    throw settingsProblem(target, 'tenant is missing or not a tenant id');
  if (!environment || !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(environment))
    throw settingsProblem(target, 'environment is missing or not an environment name');
  if (!companyId || !GUID.test(companyId)) throw settingsProblem(target, 'companyId must be the company id, a GUID');
  if (!clientId) throw settingsProblem(target, 'clientId is missing');
  const tokenEndpoint = text(settings.tokenEndpoint) ?? `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`;
  if (!isHttpUrl(tokenEndpoint)) throw settingsProblem(target, 'tokenEndpoint must be an http:// or https:// URL');
  const localCurrency = text(settings.localCurrency);
  if (!localCurrency || !/^[A-Z]{3}$/.test(localCurrency))
    throw settingsProblem(target, "localCurrency must be the company's local currency, an ISO 4217 code");
  const journal = isObject(settings.journal) ? settings.journal : {};
  const batchPrefix = typeof journal.batchPrefix === 'string' ? journal.batchPrefix : DEFAULT_BATCH_PREFIX;
  if (!/^[A-Z0-9]{0,4}$/.test(batchPrefix))
    throw settingsProblem(target, 'journal.batchPrefix must be up to 4 of A-Z 0-9');
  const root = baseUrl.replace(/\/+$/, '');
  const timeoutMs = typeof settings.timeoutMs === 'number' && settings.timeoutMs > 0 ? settings.timeoutMs : undefined;
  return {
    companyUrl: `${root}/v2.0/${encodeURIComponent(tenant)}/${encodeURIComponent(environment)}/api/v2.0/companies(${companyId.toLowerCase()})/`,
    origin: new URL(root).origin,
    tenant,
    clientId,
    tokenEndpoint,
    scope: text(settings.scope) ?? DEFAULT_SCOPE,
    localCurrency,
    journalTemplate: text(journal.template),
    batchPrefix,
    items: numberMap(settings.items),
    customers: numberMap(settings.customers),
    dimensions: Object.fromEntries(
      Object.entries(numberMap(settings.dimensions)).map(([dimension, code]) => [dimension, code.toUpperCase()]),
    ),
    taxAccount: text(settings.taxAccount),
    postDocuments: settings.postDocuments !== false,
    timeoutMs,
  };
}

/** The target's secret, `{"clientSecret": "..."}`; an `auth` failure that names fields, never values. */
export async function readSecret(
  target: TargetDefinition,
  resolve: (name: string) => Promise<string>,
): Promise<BusinessCentralSecret> {
  const { fields: parsed, problem } = await readSecretObject(
    target,
    resolve,
    'Business Central',
    `it holds JSON {"clientSecret": "<the app's client secret value>"}`,
  );
  const clientSecret = text(parsed.clientSecret);
  if (!clientSecret) throw problem('has no clientSecret');
  return { clientSecret };
}
