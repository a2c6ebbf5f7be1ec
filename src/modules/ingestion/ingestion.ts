import type { FieldError } from '../../platform/errors.js';

/** A CloudEvents 1.0 event that passed envelope validation, ready to be checked against its schema. */
export interface ValidEvent {
  source: string;
  id: string;
  type: string;
  subject: string | null;
  /** RFC 3339 as sent, or the receipt time when the producer sent none. */
  time: string;
  datacontenttype: string | null;
  dataschema: string | null;
  /** The version named by `dataschema`, when it names one. */
  requestedSchemaVersion: number | null;
  data: Record<string, unknown> | null;
  extensions: Record<string, string | number | boolean> | null;
  /** SHA-256 of the canonical JSON of the whole event: tells a true duplicate from an id reused for other content. */
  payloadHash: string;
  /** JSON of `data`, as stored (jsonb normalizes it; the hash is taken from the canonical form). */
  dataJson: string | null;
}

/** One item of a parsed request body: an event to validate, or a line that could not even be parsed. */
export type BodyItem = { value: unknown; line?: number } | { parseErrors: FieldError[]; line?: number };

export interface Rejection {
  index: number;
  id?: string;
  /** 1-based line number, for line-oriented input (NDJSON, CSV). */
  line?: number;
  errors: FieldError[];
}

/** An id seen before with different content: counted as a duplicate, the original kept. */
export interface Conflict {
  index: number;
  source: string;
  id: string;
  message: string;
}

/** The per-event outcome of one batch; a batch never fails as a whole because one event is bad. */
export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
  conflicts: Conflict[];
}

export interface IngestionLimits {
  unknownTypes: 'accept' | 'reject';
  maxEventBytes: number;
  maxBodyBytes: number;
  maxBatchEvents: number;
  maxFutureSeconds: number;
}

/** What the schema registry answers for one (type, version) an event asks to be validated against. */
export type ResolvedSchema =
  | { status: 'found'; version: number; validate: (data: unknown) => FieldError[] }
  | { status: 'unknown_type' }
  | { status: 'unknown_version'; latest: number };

export interface SchemaRequest {
  type: string;
  /** `null` asks for the type's latest version. */
  version: number | null;
}

/** The schema registry as ingestion sees it: one call per batch, whatever the number of events. */
export interface SchemaResolver {
  resolve(requests: readonly SchemaRequest[]): Promise<Map<string, ResolvedSchema>>;
}

export function schemaRequestKey(request: SchemaRequest): string {
  return `${request.type}\n${request.version ?? 'latest'}`;
}

export type Outcome = 'accepted' | 'duplicate' | 'rejected';

/** Receives each batch's outcomes (metrics); kept as an interface so the module owns no exporter. */
export interface IngestionObserver {
  observeBatch(size: number, outcomes: ReadonlyArray<{ type: string; outcome: Outcome }>): void;
}
