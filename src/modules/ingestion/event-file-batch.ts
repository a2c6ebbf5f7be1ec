import type { BodyItem } from './ingestion.js';

/** Consecutive items of a file, in file order. */
export interface EventFileBatch {
  /** For `Ingestion.ingest`, each with its 1-based line number (where a multi-line CSV record starts). */
  items: BodyItem[];
  /** Each item's text as written, to show the operator when it is rejected. */
  raws: string[];
  /** Bytes of the file consumed so far, for progress against its size. */
  bytesRead: number;
}

/** Gathers a reader's items into batches of at most `size`; the reader yields each one as it fills. */
export class BatchCollector {
  private items: BodyItem[] = [];
  private raws: string[] = [];

  constructor(private readonly size: number) {}

  add(item: BodyItem, raw: string): void {
    this.items.push(item);
    this.raws.push(raw);
  }

  get full(): boolean {
    return this.items.length >= this.size;
  }

  get empty(): boolean {
    return this.items.length === 0;
  }

  take(bytesRead: number): EventFileBatch {
    const batch = { items: this.items, raws: this.raws, bytesRead };
    this.items = [];
    this.raws = [];
    return batch;
  }
}
