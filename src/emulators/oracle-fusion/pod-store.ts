import { Decimal } from 'decimal.js';
import { loadRows, unpack, type InterfaceRow } from './gl-interface-file.js';
import {
  readParameters,
  runJournalImport,
  type ImportedBatch,
  type LeftRow,
  type PodDefinitions,
} from './journal-import.js';

// What the pod holds: the import jobs (each an upload and the Journal Import it starts), the journal
// batches they created, and the interface rows they left. A job runs asynchronously: WAIT, then RUNNING,
// then, once its time is up, the load and the import happen at once and its end is set. Time is read
// from the emulator's clock whenever the store is looked at (settleDue), so a job ends exactly when its
// time is up on that clock, whatever asks first.

export interface UploadRequest {
  documentContent: string;
  fileName: string;
  parameterList: string;
}

export type JobEnd = 'SUCCEEDED' | 'WARNING' | 'ERROR';

export interface Job {
  requestId: string;
  fileName: string;
  parameterList: string;
  createdAt: number;
  endsAt: number;
  documentContent: string;
  /** Set once the job has run. */
  end?: JobEnd;
  log: string[];
  /** A status an admin forced the finder to report (the job still runs as it would). */
  forcedStatus?: string;
}

export interface StoredBatch extends ImportedBatch {
  id: number;
  requestId: string;
  groupId: string;
  ledgerId: string;
  source: string;
  createdAt: number;
}

export interface StoredInterfaceRow extends LeftRow {
  requestId: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export class PodStore {
  private readonly jobs = new Map<string, Job>();
  private batchList: StoredBatch[] = [];
  private interfaceRows: StoredInterfaceRow[] = [];
  private nextRequestId = 5_000_001;
  private nextBatchId = 300_000_100_000_001;

  constructor(private readonly pod: () => PodDefinitions) {}

  submit(upload: UploadRequest, now: number, jobMs: number): Job {
    const requestId = String(this.nextRequestId++);
    const job: Job = {
      requestId,
      fileName: upload.fileName,
      parameterList: upload.parameterList,
      documentContent: upload.documentContent,
      createdAt: now,
      endsAt: now + jobMs,
      log: [
        `Load Interface File for Import (request ${requestId}) submitted for ${upload.fileName || 'a file without a name'}.`,
      ],
    };
    this.jobs.set(requestId, job);
    return job;
  }

  job(requestId: string): Job | undefined {
    return this.jobs.get(requestId);
  }

  /** What the status finder reports for the job now. */
  status(job: Job, now: number): string {
    if (job.forcedStatus !== undefined) return job.forcedStatus;
    if (job.end) return job.end;
    return now < job.createdAt + (job.endsAt - job.createdAt) / 4 ? 'WAIT' : 'RUNNING';
  }

  forceStatus(requestId: string, status: string | undefined): boolean {
    const job = this.jobs.get(requestId);
    if (!job) return false;
    job.forcedStatus = status;
    return true;
  }

  /** Runs every job whose time is up, oldest first. */
  settleDue(now: number): void {
    const due = [...this.jobs.values()].filter((job) => !job.end && job.endsAt <= now);
    for (const job of due.sort((a, b) => a.endsAt - b.endsAt || Number(a.requestId) - Number(b.requestId)))
      this.run(job, now);
  }

  private fail(job: Job, lines: string[]): void {
    job.log.push(...lines, 'Status: ERROR');
    job.end = 'ERROR';
  }

  private run(job: Job, now: number): void {
    const content = job.documentContent.replace(/\s+/g, '');
    job.documentContent = '';
    if (!BASE64.test(content)) return this.fail(job, ['The document content is not base64 text.']);
    const unpacked = unpack(Buffer.from(content, 'base64'));
    if ('problem' in unpacked) return this.fail(job, [unpacked.problem]);
    const loaded = loadRows(unpacked.csv);
    if ('problems' in loaded)
      return this.fail(job, [
        'GlInterface.csv was rejected; no row was loaded into the interface table.',
        ...loaded.problems,
      ]);
    job.log.push(`${loaded.rows.length} rows were loaded into the interface table.`);
    const parameters = readParameters(job.parameterList);
    if (typeof parameters === 'string') {
      this.keep(
        job,
        loaded.rows.map((row) => ({ row, status: 'NEW' })),
      );
      return this.fail(job, [parameters]);
    }
    const outcome = runJournalImport(job.requestId, parameters, loaded.rows, this.pod());
    this.keep(job, outcome.left);
    for (const batch of outcome.batches)
      this.batchList.push({
        ...batch,
        id: this.nextBatchId++,
        requestId: job.requestId,
        groupId: parameters.groupId,
        ledgerId: parameters.ledgerId,
        source: parameters.source,
        createdAt: now,
      });
    job.log.push(...outcome.log, `Status: ${outcome.status}`);
    job.end = outcome.status;
  }

  private keep(job: Job, rows: readonly LeftRow[]): void {
    this.interfaceRows.push(...rows.map((left) => ({ ...left, requestId: job.requestId })));
  }

  batches(): readonly StoredBatch[] {
    return this.batchList;
  }

  /**
   * A second batch like `batchId`'s, under the same name, as a person or another integration makes one
   * (a file imported again, a batch copied in the journal pages): batch names are not unique.
   */
  copyBatch(batchId: number, now: number): StoredBatch | undefined {
    const original = this.batchList.find((batch) => batch.id === batchId);
    if (!original) return undefined;
    const copy: StoredBatch = {
      ...structuredClone(original),
      id: this.nextBatchId++,
      createdAt: now,
    };
    this.batchList.push(copy);
    return copy;
  }

  /**
   * Edits one line of an unposted journal by hand: books it to another account combination, its amount
   * kept (so the journal's and the batch's totals are). Answers whether the batch, journal and line exist.
   */
  moveLine(batchId: number, journalNumber: number, lineNumber: number, combination: string): boolean {
    const journal = this.batchList.find((batch) => batch.id === batchId)?.journals[journalNumber - 1];
    const line = journal?.lines.find((candidate) => candidate.number === lineNumber);
    if (!line) return false;
    line.combination = combination;
    return true;
  }

  jobList(): readonly Job[] {
    return [...this.jobs.values()];
  }

  interface(): readonly StoredInterfaceRow[] {
    return this.interfaceRows;
  }

  clear(): void {
    this.jobs.clear();
    this.batchList = [];
    this.interfaceRows = [];
  }
}

/** A batch's totals, exact: the sums of its lines' entered debits and credits. */
export function batchTotals(batch: ImportedBatch): { debit: string; credit: string } {
  let debit = new Decimal(0);
  let credit = new Decimal(0);
  for (const journal of batch.journals)
    for (const line of journal.lines) {
      debit = debit.plus(line.enteredDr || 0);
      credit = credit.plus(line.enteredCr || 0);
    }
  return { debit: debit.toFixed(), credit: credit.toFixed() };
}

export type { InterfaceRow };
