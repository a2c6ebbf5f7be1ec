// Imports this process started and whose end it has not seen: an upload whose answer was lost (no request
// id), or a job still running when its delivery's time ran out. The next attempt's look-up consults them
// before anything is imported again, so an import that ends later is adopted, never run a second time.
// In memory, shared by every connector of the kind (connectors are rebuilt per catalog version). A
// process that dies forgets them; the dispatcher that takes its postings over does so only after their
// lease (twice the delivery's time) has lapsed, by which time such an import has had its time to end.

export interface PendingImport {
  /** When the upload was sent, ms since the epoch. */
  sentAt: number;
  /** The ESS request id, once the upload was answered. */
  requestId?: string;
}

/** Entries no attempt came back for (a target removed, a posting cancelled) are dropped after this. */
const FORGET_AFTER_MS = 7 * 24 * 3_600_000;

export class PendingImports {
  private readonly entries = new Map<string, PendingImport>();

  private static key(targetKey: string, externalId: string): string {
    return `${targetKey}\u0000${externalId}`;
  }

  sent(targetKey: string, externalId: string, nowMs: number): void {
    for (const [key, entry] of this.entries) if (nowMs - entry.sentAt > FORGET_AFTER_MS) this.entries.delete(key);
    this.entries.set(PendingImports.key(targetKey, externalId), { sentAt: nowMs });
  }

  accepted(targetKey: string, externalId: string, requestId: string): void {
    const entry = this.entries.get(PendingImports.key(targetKey, externalId));
    if (entry) entry.requestId = requestId;
  }

  get(targetKey: string, externalId: string): PendingImport | undefined {
    return this.entries.get(PendingImports.key(targetKey, externalId));
  }

  forget(targetKey: string, externalId: string): void {
    this.entries.delete(PendingImports.key(targetKey, externalId));
  }
}
