import { join, resolve } from 'node:path';
import {
  DeliveryFailure,
  type Connector,
  type ConnectorKind,
  type HeldDocument,
  type ListedDocument,
  type PostingBody,
  type SecretResolver,
  type TargetDefinition,
  type TargetDocument,
  ledgerBody,
  type LedgerBody,
} from '../connector.js';
import { TARGET_KIND_SPECS } from '../target-kinds.js';
import { columnsOf, EXPORT_FORMATS, placeOf, rowsOf, type ExportFormat } from './file-mapping.js';
import { findInExport, listExport, type PostingFiles } from './file-listing.js';
import { appendIfAbsent } from './file-writer.js';

// The file export target: every posting becomes rows in `<directory>/<entity>/<YYYY-MM>/journals.<format>`
// or `invoices.<format>`, once per configured format, written atomically and at most once per external id
// (file-writer.ts). The posting is delivered when every format's file holds it; its document id names
// the first format's file: `<entity>/<YYYY-MM>/<name>#<externalId>`. Read back (find, findMany,
// listHeld), the first format's files say each document's total and lines (file-listing.ts).

/** The file target's settings, read from the catalog's (already schema-checked) settings without trusting them. */
interface FileSettings {
  directory: string;
  formats: readonly ExportFormat[];
}

export interface FileConnectorOptions {
  /** A lock untouched this long belongs to a dead writer and is broken; 30 s unless said otherwise. */
  staleLockMs?: number;
}

const DEFAULT_STALE_LOCK_MS = 30_000;
/**
 * Postings per findMany: each file a batch touches is read once, so a month's postings are read back in a
 * few whole-file reads instead of one per posting.
 */
const FIND_MANY_BATCH = 5_000;

export function createFileConnector(
  target: TargetDefinition,
  _secrets: SecretResolver,
  options: FileConnectorOptions = {},
): Connector {
  const parsed = parseSettings(target.settings);
  const staleLockMs = options.staleLockMs ?? DEFAULT_STALE_LOCK_MS;
  // Deliveries from this process to one file wait here rather than spinning on its lock file.
  const queues = new Map<string, Promise<unknown>>();

  function settings(): FileSettings {
    if (parsed instanceof DeliveryFailure) throw parsed;
    return parsed;
  }

  function placesOf(body: LedgerBody) {
    const { directory, formats } = settings();
    return formats.map((format) => {
      const place = placeOf(body, format);
      const relativePath = `${place.folder}/${place.name}`;
      return { format, relativePath, path: join(directory, ...relativePath.split('/')) };
    });
  }

  function placesOrNone(body: LedgerBody) {
    try {
      return placesOf(body);
    } catch (error) {
      if (error instanceof DeliveryFailure) return undefined;
      throw error;
    }
  }

  function serialized<T>(path: string, work: () => Promise<T>): Promise<T> {
    const previous = queues.get(path) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    queues.set(path, settled);
    void settled.then(() => {
      if (queues.get(path) === settled) queues.delete(path);
    });
    return next;
  }

  return {
    target,
    async deliver(posted: PostingBody, signal: AbortSignal): Promise<TargetDocument> {
      const body = ledgerBody(posted, target.kind);
      const places = placesOf(body);
      const rows = rowsOf(body);
      const columns = columnsOf(body);
      // One format after another: if a crash falls between them, the retry finds the first file's rows
      // (present, skipped) and writes the rest.
      for (const { format, path } of places)
        await serialized(path, () =>
          appendIfAbsent({
            path,
            format,
            columns,
            externalId: body.externalId,
            rows,
            staleLockMs,
            signal,
          }),
        );
      return documentOf(places, body);
    },
    async find(posted: PostingBody): Promise<HeldDocument | undefined> {
      const body = ledgerBody(posted, target.kind);
      // No lock: a rename replaces a file whole, so a read sees a complete file, old or new.
      const found = await findInExport(settings().directory, [{ body, files: placesOf(body) }]);
      return found.get(body.externalId);
    },
    findManyBatch: FIND_MANY_BATCH,
    async findMany(posted: readonly PostingBody[]): Promise<Map<string, HeldDocument>> {
      // Settings that cannot be used fail the batch; only a posting's own place is skipped below.
      const { directory } = settings();
      const postings: PostingFiles[] = [];
      for (const one of posted) {
        const body = ledgerBody(one, target.kind);
        // A posting no file can hold (an entity or a date deliver refuses) was never written.
        const files = placesOrNone(body);
        if (files !== undefined) postings.push({ body, files });
      }
      return findInExport(directory, postings);
    },
    async listHeld(range: { from: string; to: string }): Promise<ListedDocument[]> {
      const { directory, formats } = settings();
      const [format] = formats;
      return format === undefined ? [] : listExport(directory, format, range);
    },
  };
}

function documentOf(places: readonly { relativePath: string }[], body: PostingBody): TargetDocument {
  const [first] = places;
  return { id: `${first?.relativePath ?? ''}#${body.externalId}` };
}

function parseSettings(settings: Record<string, unknown>): FileSettings | DeliveryFailure {
  const { directory, formats } = settings;
  if (typeof directory !== 'string' || directory === '')
    return new DeliveryFailure('invalid', 'the file target has no directory', { path: 'settings/directory' });
  const known = Array.isArray(formats) ? formats.filter(isFormat) : [];
  if (!Array.isArray(formats) || formats.length === 0 || known.length !== formats.length)
    return new DeliveryFailure('invalid', 'the file target\'s formats must be a non-empty list of "csv" and "jsonl"', {
      path: 'settings/formats',
    });
  // Relative to the working directory at start-up, so a later chdir cannot move the export.
  return { directory: resolve(directory), formats: [...new Set(known)] };
}

const isFormat = (value: unknown): value is ExportFormat => EXPORT_FORMATS.some((format) => format === value);

export const fileKind: ConnectorKind = {
  kind: 'file',
  modes: TARGET_KIND_SPECS.file.modes,
  settingsSchema: TARGET_KIND_SPECS.file.settingsSchema,
  create: (target, secrets) => createFileConnector(target, secrets),
};
