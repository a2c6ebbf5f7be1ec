import type {
  Connector,
  PostingBody,
  SecretResolver,
  TargetDefinition,
  TargetKind,
  TargetLimits,
} from '../../src/modules/connectors/index.js';
import type { PostingAttempt } from '../../src/modules/outbox/index.js';

// What a target brings to the one conformance suite (connector-conformance.int.test.ts): its emulator with
// the suite's faults, bodies it takes, and a way to read back what it holds. A connector is done when its
// target passes the suite; a fault added to the suite is tried on every target.

/** The faults every emulator injects its vendor's way (status codes, error bodies, headers). */
export interface ConformanceFaults {
  /** Requests at once before the vendor's 429; undefined: no limit. */
  concurrency?: number;
  /** Requests per second (a sliding second) before the vendor's 429; undefined: no limit. */
  ratePerSecond?: number;
  /** Added to every answer, in milliseconds. */
  latencyMs?: number;
  /** `unavailable`: the vendor's 503 page; `refuse`: the port refuses connections; undefined: none. */
  outage?: 'unavailable' | 'refuse';
  /** Share of writes committed and then answered by a destroyed connection (0 to 1). */
  dropAfterCommitRate?: number;
  /** Share of requests answered by the vendor's 5xx (0 to 1). */
  errorRate?: number;
}

/** What the target holds, read from the emulator (never from Meterbridge's own records). */
export interface HeldLedger {
  /** External id -> documents the target holds under it (each must be 1). */
  documentsPerExternalId: Map<string, number>;
  /** External ids of held documents whose debits and credits differ. */
  unbalanced: string[];
  /** The target's totals to compare to the cent: for a ledger, account -> net debit as decimal text. */
  totals: Record<string, string>;
}

export interface RunningEmulator {
  /** The target as a catalog would declare it, pointing at this emulator. */
  target(limits: TargetLimits): TargetDefinition;
  /** Resolves the target's secret by name: credentials this emulator accepts. */
  secrets: SecretResolver;
  /** Replaces every fault setting (what is not given is off). */
  setFaults(faults: ConformanceFaults): void;
  held(): Promise<HeldLedger>;
  /**
   * Makes the target hold a second document under the external id, as a person or another integration
   * would (through the emulator, never the connector): what reconciliation's listing must find.
   */
  copyByHand(externalId: string): Promise<void>;
  /**
   * Edits the held document by hand, keeping its total: moves an amount from one place (an account, an
   * item, a billed line) to another. The connector's read-back must show the move in its lines.
   */
  moveByHand(externalId: string): Promise<void>;
  /** Requests the emulator answered 429, and writes it committed before dropping the answer. */
  counts(): { throttled: number; droppedAfterCommit: number };
  close(): Promise<void>;
}

export interface ConformanceTarget {
  kind: TargetKind;
  /** `count` distinct postings' bodies the target accepts (balanced entries on accounts it knows). */
  bodies(count: number): PostingBody[];
  /** The totals `held().totals` must equal once exactly `bodies` were delivered. */
  expectedTotals(bodies: readonly PostingBody[]): Record<string, string>;
  /**
   * A body the target refuses for good (an account it does not know), the same body fixed, and what the
   * target's own refusal says (kept whole in the attempt).
   */
  invalid(): {
    wrong: PostingBody;
    fixed: PostingBody;
    refusal: RegExp;
    /** What the failed attempt keeps besides the text: the target's status, error code, the path it named. */
    attempt?: Partial<Pick<PostingAttempt, 'statusCode' | 'errorCode' | 'errorPath'>>;
  };
  start(): Promise<RunningEmulator>;
  connector(definition: TargetDefinition, secrets: SecretResolver): Connector;
}
