import type { PostingMode, TargetKind, TargetLimits } from './connector.js';
import { checkBusinessCentralEntity } from './erp-business-central/business-central-entity-rules.js';
import { BUSINESS_CENTRAL_SETTINGS } from './erp-business-central/business-central-settings-schema.js';
import { checkSapEntity } from './erp-sap/sap-entity-rules.js';
import { SAP_S4HANA_SETTINGS } from './erp-sap/sap-settings-schema.js';
import { checkStripeBilled, STRIPE_SETTINGS, stripeHandOff } from './billing-stripe/stripe-settings-schema.js';
import { checkOracleFusionEntity } from './erp-oracle-fusion/oracle-fusion-entity-rules.js';
import { ORACLE_FUSION_SETTINGS } from './erp-oracle-fusion/oracle-fusion-settings-schema.js';

// What the catalog needs to know about each kind of target before any connector is built: the JSON Schema
// of its `settings` (draft 2020-12, for errors with paths), the posting modes it takes, and the settings
// that are identifiers random by nature. A connector's ConnectorKind reuses the same schema, so the catalog
// and the connector never disagree on what a kind's settings are. Secrets are never settings: a target
// names its secret in `credentials`, and each kind says below what that secret holds.

/** What a kind declares to the catalog; the connector itself may not exist yet (`connector: false`). */
export interface TargetKindSpec {
  kind: TargetKind;
  /** false: a known kind whose connector is not in this release; the catalog refuses targets of it. */
  connector: boolean;
  modes: readonly PostingMode[];
  /** Whether a target of the kind must name a secret in `credentials` (a file target needs none). */
  needsCredentials: boolean;
  settingsSchema: Record<string, unknown>;
  /**
   * JSON Pointers into `settings` whose values are public identifiers that look random (an OAuth client
   * id, a certificate id): exempt from the catalog's high-entropy test, never from its key-shape tests.
   */
  identifierPaths: readonly string[];
  /**
   * The kind's own rules for a legal entity posting to a target of it, given the target's settings (checked
   * against settingsSchema already): what the target's fields cannot hold, such as an account longer than
   * its ledger's. Each problem's path is a JSON Pointer under the entity's `accounting`.
   */
  checkEntity?(settings: Readonly<Record<string, unknown>>, entity: PostingEntity): EntityProblem[];
  /**
   * A billing platform (no ledger: `modes` is empty): plans and subscriptions name it in `billedIn`, and
   * their documents are handed to it at each period close.
   */
  billing?: BillingKindSpec;
}

export interface BillingKindSpec {
  /** What a document becomes for a target with these settings: its lines as items, or its usage records. */
  handOff(settings: Readonly<Record<string, unknown>>): 'items' | 'usage';
  /** The kind's rules for a subscription billed in it; each problem's path is a JSON Pointer under `settings`. */
  checkBilled?(settings: Readonly<Record<string, unknown>>, billed: BilledSubscription): EntityProblem[];
}

/** A subscription billed in a billing platform, as the kind's rules see it. */
export interface BilledSubscription {
  subscription: string;
  billingPeriod: string;
  /** The meters its plan's usage charges bill by. */
  meters: readonly string[];
}

/** A legal entity posting to a target, as a kind's own rules see it. */
export interface PostingEntity {
  code: string;
  /** `accounting.accounts`: account ids, nested as the catalog writes them. */
  accounts: Readonly<Record<string, unknown>>;
  /** `accounting.dimensions`. */
  dimensions: Readonly<Record<string, string>>;
}

export interface EntityProblem {
  /** JSON Pointer under the entity's `accounting` (`/accounts/receivable`). */
  path: string;
  message: string;
}

/** Limits of a target that states none: gentle enough for a sandbox account, raise them per target. */
export const DEFAULT_TARGET_LIMITS: Readonly<TargetLimits> = Object.freeze({ requestsPerSecond: 5, concurrency: 2 });

const HTTP_URL = {
  type: 'string',
  format: 'uri',
  pattern: '^https?://[^\\s/?#]+',
  description: 'an http:// or https:// URL',
};
const TIMEOUT_MS = {
  type: 'integer',
  minimum: 1000,
  maximum: 300000,
  description: 'milliseconds from 1000 to 300000 a request may take before its outcome is unknown',
};
const ID = { type: 'string', minLength: 1, maxLength: 200, description: 'a non-empty identifier' };

/**
 * NetSuite (REST web services). The credentials secret holds, as JSON, what the auth method signs with:
 * OAuth 2.0 machine-to-machine `{ "privateKey": "<PEM>" }`; token-based authentication `{ "consumerKey",
 * "consumerSecret", "tokenId", "tokenSecret" }`. Only public ids stay in the catalog.
 */
const NETSUITE_SETTINGS = {
  type: 'object',
  additionalProperties: false,
  required: ['accountId', 'baseUrl', 'auth'],
  properties: {
    accountId: {
      type: 'string',
      pattern: '^[A-Za-z0-9_-]{1,64}$',
      description: 'a NetSuite account id such as "1234567" or "1234567_SB1"',
    },
    baseUrl: HTTP_URL,
    auth: {
      type: 'object',
      additionalProperties: false,
      required: ['method'],
      properties: {
        method: { enum: ['oauth2-m2m', 'tba'] },
        clientId: ID,
        certificateId: ID,
        tokenUrl: HTTP_URL,
        realm: ID,
      },
      allOf: [
        {
          if: { properties: { method: { const: 'oauth2-m2m' } } },
          then: { required: ['clientId', 'certificateId'], properties: { realm: false } },
        },
        {
          if: { properties: { method: { const: 'tba' } } },
          then: { properties: { clientId: false, certificateId: false, tokenUrl: false } },
        },
      ],
    },
    timeoutMs: TIMEOUT_MS,
    currencies: {
      type: 'object',
      description: 'ISO 4217 code -> NetSuite currency internal id (a code not listed is sent as the id)',
      propertyNames: { pattern: '^[A-Z]{3}$', description: 'an ISO 4217 currency code' },
      additionalProperties: { type: 'string', pattern: '^[0-9]{1,18}$', description: 'a NetSuite internal id' },
    },
    items: {
      type: 'object',
      description: 'charge key -> NetSuite item internal id, for invoice mode (a charge not listed is sent as the id)',
      propertyNames: { minLength: 1, maxLength: 200 },
      additionalProperties: { type: 'string', pattern: '^[0-9]{1,18}$', description: 'a NetSuite internal id' },
    },
    taxItem: {
      type: 'string',
      pattern: '^[0-9]{1,18}$',
      description: "the internal id of the item a document's tax is posted with, for invoice mode",
    },
  },
};

/** A signed webhook: the credentials secret is the signing key. Headers carry no secret (checked by the catalog). */
const WEBHOOK_SETTINGS = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: HTTP_URL,
    timeoutMs: TIMEOUT_MS,
    headers: {
      type: 'object',
      propertyNames: {
        pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$",
        description: 'an HTTP header name',
      },
      additionalProperties: { type: 'string', maxLength: 1000 },
    },
  },
};

/** Files written to a directory; no credentials. */
const FILE_SETTINGS = {
  type: 'object',
  additionalProperties: false,
  required: ['directory', 'formats'],
  properties: {
    directory: { type: 'string', minLength: 1, maxLength: 1000, description: 'a directory path' },
    formats: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['csv', 'jsonl'] } },
  },
};

export const TARGET_KIND_SPECS: Readonly<Record<TargetKind, TargetKindSpec>> = {
  netsuite: {
    kind: 'netsuite',
    connector: true,
    modes: ['journal', 'invoice'],
    needsCredentials: true,
    settingsSchema: NETSUITE_SETTINGS,
    identifierPaths: ['/auth/clientId', '/auth/certificateId'],
  },
  webhook: {
    kind: 'webhook',
    connector: true,
    modes: ['journal', 'invoice'],
    needsCredentials: true,
    settingsSchema: WEBHOOK_SETTINGS,
    identifierPaths: [],
  },
  file: {
    kind: 'file',
    connector: true,
    modes: ['journal', 'invoice'],
    needsCredentials: false,
    settingsSchema: FILE_SETTINGS,
    identifierPaths: [],
  },
  'sap-s4hana': {
    kind: 'sap-s4hana',
    connector: true,
    modes: ['journal'],
    needsCredentials: true,
    settingsSchema: SAP_S4HANA_SETTINGS,
    identifierPaths: [],
    checkEntity: checkSapEntity,
  },
  'business-central': {
    kind: 'business-central',
    connector: true,
    modes: ['journal', 'invoice'],
    needsCredentials: true,
    settingsSchema: BUSINESS_CENTRAL_SETTINGS,
    // GUIDs look random by nature: the Entra tenant, the app's client id, the company id.
    identifierPaths: ['/tenant', '/clientId', '/companyId'],
    checkEntity: checkBusinessCentralEntity,
  },
  'oracle-fusion': {
    kind: 'oracle-fusion',
    connector: true,
    modes: ['journal'],
    needsCredentials: true,
    settingsSchema: ORACLE_FUSION_SETTINGS,
    identifierPaths: [],
    checkEntity: checkOracleFusionEntity,
  },
  stripe: {
    kind: 'stripe',
    connector: true,
    modes: [],
    needsCredentials: true,
    settingsSchema: STRIPE_SETTINGS,
    identifierPaths: [],
    billing: { handOff: stripeHandOff, checkBilled: checkStripeBilled },
  },
};

/** The spec of a kind, or undefined for a string that is no kind at all. */
export function targetKindSpec(kind: string): TargetKindSpec | undefined {
  return Object.hasOwn(TARGET_KIND_SPECS, kind) ? TARGET_KIND_SPECS[kind as TargetKind] : undefined;
}
