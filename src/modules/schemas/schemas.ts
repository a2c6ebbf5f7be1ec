export type Compatibility = 'backward' | 'none';

export interface RegisterSchemaInput {
  eventType: string;
  version: number;
  schema: unknown;
  /** `backward` (default) refuses a version that breaks data valid under the previous one. */
  compatibility: Compatibility;
}

export interface SchemaVersionSummary {
  eventType: string;
  version: number;
  compatibility: Compatibility;
  createdAt: string;
}

export interface SchemaVersion extends SchemaVersionSummary {
  schema: Record<string, unknown>;
}

export interface RegisterSchemaResult {
  /** false when the identical version was already registered (a safe retry). */
  created: boolean;
  schema: SchemaVersion;
}
