import { systemClock, type Clock } from '../../../platform/clock.js';
import {
  DeliveryFailure,
  type Connector,
  type ConnectorKind,
  type HeldDocument,
  type ListedDocument,
  type PostingBody,
  type ReadContext,
  type ReadPace,
  type SecretResolver,
  type TargetDefinition,
  type TargetDocument,
} from '../connector.js';
import { TARGET_KIND_SPECS } from '../target-kinds.js';
import { awaitJob, ENDED_OTHERWISE, hasEnded, IN_PROGRESS, stillRunning } from './import-job.js';
import {
  createOracleFusionClient,
  type JobStatus,
  type JournalBatch,
  type OracleFusionClient,
} from './oracle-fusion-client.js';
import { heldJournal, listedBatch } from './journal-read-back.js';
import { batchName, LOOKUP_SAFE, parameterList, toImportFile } from './oracle-fusion-mapping.js';
import { ORACLE_DEFAULTS } from './oracle-fusion-settings-schema.js';
import { readSecret, readSettings, type OracleFusionSettings } from './oracle-fusion-settings.js';
import { PendingImports } from './pending-imports.js';

// Oracle Fusion Cloud as a delivery target, through FBDI: Oracle has no idempotency key and no REST write
// of journals, so a posting is a file (oracle-fusion-mapping.ts) uploaded with importBulkData, which
// starts Journal Import as an ESS job; one delivery is the upload and the polls until the job ends,
// bounded by the target's timeoutMs. The batch name is the posting's key: every delivery and every
// read-back first looks it up (journalBatches), and an import this process started and has not seen end
// (pending-imports.ts) is waited for, never run a second time. How each end and each failure is classified
// is said in README.md and docs/connectors/oracle-fusion.md. Reading back (find) asks the batch with its
// journals and their lines expanded into the one look-up (journalHeaders, journalLines, read on their own
// only where the answer says it cut them); listing (listHeld) pages journalBatches by effective date.

/** What every connector of the kind shares: the clock and the imports not yet seen to end. */
export interface OracleFusionContext {
  clock: Clock;
  pending: PendingImports;
}

export function createOracleFusionContext(clock: Clock = systemClock): OracleFusionContext {
  return { clock, pending: new PendingImports() };
}

const sharedContext = createOracleFusionContext();

/** What a job log says went wrong: its first line about a row, else its last line before the status. */
function firstProblem(log: string): string {
  const lines = log
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^Status:/i.test(line));
  return (lines.find((line) => /^Row \d+|\bE[A-Z]\d{2}\b/.test(line)) ?? lines.at(-1) ?? '').slice(0, 300);
}

export function createOracleFusionConnector(
  target: TargetDefinition,
  secrets: SecretResolver,
  context: OracleFusionContext = sharedContext,
): Connector {
  const nowMs = () => context.clock.now().getTime();
  const { pending } = context;
  /**
   * Set once Oracle refused the expanded look-up with a 400 (a pod whose journalBatches takes no `expand`
   * or no framework version 3): find then reads the batch, its journals and their lines on their own.
   */
  let expandRefused = false;

  /** A client for one call; a read's client awaits its pace before each request. */
  async function connect(pace?: ReadPace): Promise<{ client: OracleFusionClient; settings: OracleFusionSettings }> {
    const settings = readSettings(target);
    const secret = await readSecret(target, secrets);
    return { client: createOracleFusionClient({ settings, secret, now: () => context.clock.now(), pace }), settings };
  }

  /** The job's log text for a failure; the status answer's when the log cannot be read. */
  async function logOf(client: OracleFusionClient, requestId: string, ended: JobStatus, signal: AbortSignal) {
    try {
      return (await client.jobLog(requestId, signal)) ?? ended.text;
    } catch {
      return ended.text;
    }
  }

  /**
   * What an ended job leaves: the batch (delivered), a failure to keep, or undefined when it ended without
   * importing anything and nothing says why (cancelled, expired): importing again is safe.
   */
  async function settle(
    client: OracleFusionClient,
    body: PostingBody,
    requestId: string,
    ended: JobStatus & { status: string },
    signal: AbortSignal,
  ): Promise<TargetDocument | undefined> {
    const name = batchName(body);
    let batches;
    try {
      batches = await client.findBatches(name, signal);
    } catch (error) {
      if (!(error instanceof DeliveryFailure)) throw error;
      throw new DeliveryFailure(
        'unknown_outcome',
        `import request ${requestId} ended ${ended.status}, and the batch could not be looked up: ${error.message}`,
        { ...error.detail, code: ended.status },
      );
    }
    const [batch] = batches;
    pending.forget(target.key, body.externalId);
    if (batch) return { id: batch.id };
    if (ENDED_OTHERWISE.has(ended.status)) return undefined;
    if (ended.status === 'SUCCEEDED')
      throw new DeliveryFailure(
        'invalid',
        `import request ${requestId} SUCCEEDED but Oracle holds no journal batch named "${name}": look for the journal in Oracle before retrying, or it may be imported twice`,
        { targetText: ended.text, code: ended.status },
      );
    const log = await logOf(client, requestId, ended, signal);
    throw new DeliveryFailure(
      'invalid',
      `import request ${requestId} ended ${ended.status} without importing "${name}": ${firstProblem(log)}`,
      { targetText: log, code: /\b(E[A-Z]\d{2})\b/.exec(log)?.[1] ?? ended.status },
    );
  }

  /** The batches of the name, with their journals when asked and the pod has not refused it. */
  async function batchesNamed(client: OracleFusionClient, name: string, signal: AbortSignal, withJournals: boolean) {
    if (!withJournals || expandRefused) return client.findBatches(name, signal);
    try {
      return await client.findBatches(name, signal, true);
    } catch (error) {
      if (!(error instanceof DeliveryFailure && error.failureClass === 'invalid' && error.detail.status === 400))
        throw error;
      expandRefused = true;
      return client.findBatches(name, signal);
    }
  }

  /**
   * What Oracle holds for the posting: its batch (with its journals and their lines as the same request
   * carried them, `withJournals`); else, for an import this process started and has not seen end, the end
   * of that import (or an `unknown_outcome` while it may still run); else undefined.
   */
  async function lookUp(
    client: OracleFusionClient,
    settings: OracleFusionSettings,
    body: PostingBody,
    signal: AbortSignal,
    withJournals = false,
  ): Promise<Pick<JournalBatch, 'id' | 'journals'> | undefined> {
    const [batch] = await batchesNamed(client, batchName(body), signal, withJournals);
    if (batch) {
      pending.forget(target.key, body.externalId);
      return { id: batch.id, ...(batch.journals === undefined ? {} : { journals: batch.journals }) };
    }
    const earlier = pending.get(target.key, body.externalId);
    if (!earlier) return undefined;
    const waitedMs = nowMs() - earlier.sentAt;
    if (earlier.requestId !== undefined) {
      const status = await client.jobStatus(earlier.requestId, signal);
      if (hasEnded(status.status))
        return settle(client, body, earlier.requestId, { ...status, status: status.status }, signal);
      if (status.status !== undefined && IN_PROGRESS.has(status.status))
        throw stillRunning(earlier.requestId, status, 'at this look-up, and holds no batch yet');
      // A known import whose status cannot be read (a proxy's page, an empty answer, a status ESS does
      // not have) may still run: it is asked again, never imported a second time meanwhile.
      throw new DeliveryFailure(
        'unavailable',
        `the status of import request ${earlier.requestId} of "${batchName(body)}" could not be read (${status.status ?? 'no status'}); it is asked again before anything is imported`,
        { targetText: status.text, code: status.status },
      );
    }
    // No request id (the upload's answer was lost): the import may still run for as long as a delivery
    // may take, and is waited for that long before the posting is sent again.
    if (waitedMs < settings.timeoutMs)
      throw new DeliveryFailure(
        'unknown_outcome',
        `an import of "${batchName(body)}" sent ${Math.round(waitedMs / 1000)} s ago got no answer, and no batch is there yet; it is waited for up to timeoutMs (${settings.timeoutMs} ms) before the posting is imported again`,
      );
    pending.forget(target.key, body.externalId);
    return undefined;
  }

  const timeoutMs = typeof target.settings.timeoutMs === 'number' ? target.settings.timeoutMs : undefined;
  return {
    target,
    deliveryTimeoutMs: timeoutMs !== undefined && timeoutMs > 0 ? timeoutMs : ORACLE_DEFAULTS.timeoutMs,

    async deliver(body: PostingBody, signal: AbortSignal): Promise<TargetDocument> {
      // Mapped first: a body Oracle cannot take is invalid whatever the state of the credentials.
      const file = toImportFile(body, readSettings(target));
      const { client, settings } = await connect();
      const bounded = AbortSignal.any([signal, AbortSignal.timeout(settings.timeoutMs)]);
      const held = await lookUp(client, settings, body, bounded);
      if (held) return { id: held.id };

      pending.sent(target.key, body.externalId, nowMs());
      let requestId: string;
      try {
        requestId = await client.submitImport(file, parameterList(settings, file.groupId), bounded);
      } catch (error) {
        // Only a lost answer may have started an import; any other refusal started none.
        if (!(error instanceof DeliveryFailure) || error.failureClass !== 'unknown_outcome')
          pending.forget(target.key, body.externalId);
        throw error;
      }
      pending.accepted(target.key, body.externalId, requestId);
      const ended = await awaitJob(client, requestId, settings.pollIntervalMs, bounded);
      const document = await settle(client, body, requestId, ended, bounded);
      if (document) return document;
      throw new DeliveryFailure(
        'unavailable',
        `import request ${requestId} ended ${ended.status} and imported nothing; the posting is imported again`,
        { targetText: ended.text, code: ended.status },
      );
    },

    async find(body: PostingBody, signal: AbortSignal, read?: ReadContext): Promise<HeldDocument | undefined> {
      // An external id that cannot name a batch was never imported (deliver refuses it before any request).
      if (!LOOKUP_SAFE.test(body.externalId)) return undefined;
      const { client, settings } = await connect(read?.pace);
      // One request for a journal Oracle holds: the batch with its journals and their lines (expand); a
      // collection the answer says it cut is then read page by page.
      const held = await lookUp(client, settings, body, signal, true);
      if (!held) return undefined;
      return heldJournal(held.id, await client.journalLines(held, signal, !expandRefused), settings);
    },

    async listHeld(range, signal, pace): Promise<ListedDocument[]> {
      // Only real dates are quoted into the query: nothing else can reach it.
      if (!isCalendarDate(range.from) || !isCalendarDate(range.to) || range.from > range.to)
        throw new DeliveryFailure(
          'invalid',
          `a date range is two YYYY-MM-DD dates in order, not ${range.from}..${range.to}`,
        );
      const { client } = await connect(pace);
      return (await client.listBatches(range.from, range.to, signal)).map(listedBatch);
    },
  };
}

/** YYYY-MM-DD naming a day of the calendar. */
function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** The kind for the registry; settings and modes are the catalog's, never restated here. */
export function createOracleFusionKind(context: OracleFusionContext = sharedContext): ConnectorKind {
  return {
    kind: 'oracle-fusion',
    modes: TARGET_KIND_SPECS['oracle-fusion'].modes,
    settingsSchema: TARGET_KIND_SPECS['oracle-fusion'].settingsSchema,
    create: (target, secrets) => createOracleFusionConnector(target, secrets, context),
  };
}

export const oracleFusionKind: ConnectorKind = createOracleFusionKind();
