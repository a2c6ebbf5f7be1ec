import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../platform/errors.js';
import { schemaRequestKey, type ResolvedSchema, type SchemaRequest, type SchemaResolver } from '../ingestion/index.js';
import { findBreakingChanges } from './compatibility.js';
import { compileDataSchema, type DataValidator } from './schema-compiler.js';
import * as repository from './repository.js';
import type { RegisterSchemaInput, RegisterSchemaResult, SchemaVersion, SchemaVersionSummary } from './schemas.js';

const canonicalJson = configure({ deterministic: true }) as (value: unknown) => string;
// Compiled validators are kept per (type, version); versions are immutable, so an entry never goes stale.
const MAX_CACHED_VALIDATORS = 1000;
const EVENT_TYPE = /^[\x21-\x7e]{1,256}$/;

export interface Schemas extends SchemaResolver {
  register(input: RegisterSchemaInput): Promise<RegisterSchemaResult>;
  list(eventType: string): Promise<SchemaVersionSummary[]>;
  get(eventType: string, version: number): Promise<SchemaVersion>;
}

function checkInput(input: RegisterSchemaInput): FieldError[] {
  const errors: FieldError[] = [];
  if (!EVENT_TYPE.test(input.eventType)) errors.push({ path: '/type', message: 'must be 1-256 printable ASCII characters without spaces' });
  if (!Number.isSafeInteger(input.version) || input.version < 1 || input.version > 999_999_999) {
    errors.push({ path: '/version', message: `must be a positive integer, got ${JSON.stringify(input.version)}` });
  }
  return errors;
}

function summary({ eventType, version, compatibility, createdAt }: SchemaVersion): SchemaVersionSummary {
  return { eventType, version, compatibility, createdAt };
}

export interface SchemasDependencies {
  db: Database;
  clock: Clock;
  /**
   * How long this process trusts its knowledge of each type's latest version, in ms. A version
   * registered by this process is seen at once; one registered by another process within this time.
   * Saves a store round trip per ingested batch.
   */
  latestVersionTtlMs?: number;
}

const DEFAULT_LATEST_VERSION_TTL_MS = 1000;

export function createSchemas({ db, clock, latestVersionTtlMs = DEFAULT_LATEST_VERSION_TTL_MS }: SchemasDependencies): Schemas {
  const validators = new Map<string, DataValidator>();
  const latestKnown = new Map<string, { latest: number | undefined; expires: number }>();

  async function latestVersionsOf(types: readonly string[]): Promise<Map<string, number>> {
    const now = performance.now();
    const answer = new Map<string, number>();
    const stale = types.filter((type) => {
      const known = latestKnown.get(type);
      if (!known || known.expires <= now) return true;
      if (known.latest !== undefined) answer.set(type, known.latest);
      return false;
    });
    if (stale.length === 0) return answer;
    const fresh = await repository.latestVersions(db, stale);
    if (latestKnown.size > MAX_CACHED_VALIDATORS) latestKnown.clear();
    for (const type of stale) {
      const latest = fresh.get(type);
      latestKnown.set(type, { latest, expires: now + latestVersionTtlMs });
      if (latest !== undefined) answer.set(type, latest);
    }
    return answer;
  }

  function remember(key: string, validate: DataValidator): void {
    if (validators.size >= MAX_CACHED_VALIDATORS) validators.delete(validators.keys().next().value as string);
    validators.set(key, validate);
  }

  async function register(input: RegisterSchemaInput): Promise<RegisterSchemaResult> {
    const inputErrors = checkInput(input);
    if (inputErrors.length > 0) throw new ValidationError('invalid schema registration', inputErrors);
    const compiled = compileDataSchema(input.schema);
    if (!compiled.ok) throw new ValidationError('the schema is not a valid JSON Schema for event data', compiled.errors);
    const schema = input.schema as Record<string, unknown>;
    const schemaHash = createHash('sha256').update(canonicalJson(schema)).digest('hex');

    return db.transaction(async (tx) => {
      await repository.lockEventType(tx, input.eventType);
      const existing = await repository.findSchema(tx, input.eventType, input.version);
      if (existing) {
        if (existing.schemaHash === schemaHash) return { created: false, schema: existing };
        throw new ConflictError(`${input.eventType} version ${input.version} is already registered with a different schema; register a new version instead`);
      }
      const previous = await repository.findLatestSchema(tx, input.eventType);
      if (previous && previous.version > input.version) {
        throw new ConflictError(`versions only move forward: ${input.eventType} is already at version ${previous.version}`);
      }
      if (previous && input.compatibility === 'backward') {
        const breaking = findBreakingChanges(previous.schema, schema);
        if (breaking.length > 0) {
          throw new ConflictError(
            `version ${input.version} is not backward compatible with version ${previous.version} (${breaking.length} breaking change${breaking.length > 1 ? 's' : ''}); fix it or register with ?compatibility=none`,
            breaking.map(({ path, message }) => ({ path, message })),
          );
        }
      }
      const stored = { eventType: input.eventType, version: input.version, schema, schemaHash, compatibility: input.compatibility, createdAt: clock.now().toISOString() };
      await repository.insertSchema(tx, stored);
      return { created: true, schema: stored };
    }).then((result) => {
      // After commit: forgotten any earlier, a concurrent ingest could cache the old answer again.
      latestKnown.delete(input.eventType);
      return result;
    });
  }

  async function resolve(requests: readonly SchemaRequest[]): Promise<Map<string, ResolvedSchema>> {
    const answers = new Map<string, ResolvedSchema>();
    const types = [...new Set(requests.map((request) => request.type))];
    const latest = await latestVersionsOf(types);
    const wanted = new Map<string, { eventType: string; version: number }>();
    for (const request of requests) {
      const key = schemaRequestKey(request);
      if (answers.has(key) || wanted.has(key)) continue;
      const newest = latest.get(request.type);
      if (newest === undefined) answers.set(key, { status: 'unknown_type' });
      else if (request.version !== null && request.version > newest) answers.set(key, { status: 'unknown_version', latest: newest });
      else wanted.set(key, { eventType: request.type, version: request.version ?? newest });
    }
    const missing = [...wanted.values()].filter(({ eventType, version }) => !validators.has(`${eventType}@${version}`));
    if (missing.length > 0) {
      for (const stored of await repository.findSchemas(db, missing)) {
        const compiled = compileDataSchema(stored.schema);
        // A stored schema compiled when it was registered; failing now would be a bug in this build.
        if (!compiled.ok) throw new Error(`stored schema ${stored.eventType}@${stored.version} no longer compiles`);
        remember(`${stored.eventType}@${stored.version}`, compiled.validate);
      }
    }
    for (const [key, { eventType, version }] of wanted) {
      const validate = validators.get(`${eventType}@${version}`);
      answers.set(key, validate ? { status: 'found', version, validate } : { status: 'unknown_version', latest: latest.get(eventType) as number });
    }
    return answers;
  }

  return {
    register,
    resolve,
    async list(eventType) {
      const versions = await repository.listSchemas(db, eventType);
      if (versions.length === 0) throw new NotFoundError(`no schema is registered for event type ${JSON.stringify(eventType)}`);
      return versions.map(summary);
    },
    async get(eventType, version) {
      const found = await repository.findSchema(db, eventType, version);
      if (!found) throw new NotFoundError(`event type ${JSON.stringify(eventType)} has no schema version ${version}`);
      const { schemaHash: _hash, ...schema } = found;
      return schema;
    },
  };
}
