import { OutcomeCounter, type Outcome } from '../common/outcome-counter.js';

// The SAP emulator's counts: the outcomes every emulator counts, and the journal entries posted or
// refused in their confirmation's log (both answered 200, so no outcome tells them apart).

export type { Outcome };

export interface EmulatorStats {
  /** Requests to SAP's paths (SOAP and OData), whatever their outcome. */
  requests: number;
  outcomes: Record<Outcome, number>;
  /** Journal entries posted, and refused with errors in their confirmation's log (HTTP 200 both). */
  postings: { posted: number; refused: number };
}

export class StatsCounter extends OutcomeCounter {
  private postings = { posted: 0, refused: 0 };

  posting(posted: boolean): void {
    this.postings[posted ? 'posted' : 'refused'] += 1;
  }

  snapshot(): EmulatorStats {
    return { ...this.counts(), postings: { ...this.postings } };
  }

  override reset(): void {
    super.reset();
    this.postings = { posted: 0, refused: 0 };
  }
}
