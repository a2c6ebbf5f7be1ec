import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DeliveryFailure, type HeldDocument, type LedgerBody, type ListedDocument } from '../connector.js';
import { errorCode, fileFailure } from './file-errors.js';
import { occurrencesOf, type FileKind, type HeldOccurrence } from './file-held.js';
import { INVOICE_COLUMNS, JOURNAL_COLUMNS, type ExportFormat } from './file-mapping.js';
import { readExportRows } from './file-rows.js';
import { readExisting } from './file-writer.js';

// What the export holds, read back from its files: postings by external id (find, findMany), and every
// document dated in a range across the entities' month folders (listHeld). What a document holds is
// read from the first configured format's file, which the document id names; the other formats hold
// the same documents again, and are read only to see that they do (a listing reads none of them).

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MONTH_FOLDER = /^\d{4}-(0[1-9]|1[0-2])$/;
const KINDS: readonly FileKind[] = ['journals', 'invoices'];

/** The document occurrences one export file holds, in file order (none for an absent file). */
export async function occurrencesIn(
  directory: string,
  relativePath: string,
  format: ExportFormat,
  kind: FileKind,
): Promise<HeldOccurrence[]> {
  const path = join(directory, ...relativePath.split('/'));
  const bytes = await readExisting(path);
  const columns = kind === 'journals' ? JOURNAL_COLUMNS : INVOICE_COLUMNS;
  return occurrencesOf(kind, readExportRows(format, columns, bytes, relativePath), relativePath);
}

/** Where a posting's rows are: each configured format's file, the first one's named by the document id. */
export interface PostingFiles {
  body: LedgerBody;
  files: ReadonlyArray<{ format: ExportFormat; relativePath: string }>;
}

/**
 * What the export holds for each posting, by external id: delivered once every format's file holds it,
 * its total and lines from its first occurrence in the first format's file. Each file is read once,
 * however many postings it holds: reconciliation reads a month of postings in one call.
 */
export async function findInExport(
  directory: string,
  postings: readonly PostingFiles[],
): Promise<Map<string, HeldDocument>> {
  const read = new Map<string, Promise<Map<string, HeldOccurrence>>>();
  const firstOccurrences = (relativePath: string, format: ExportFormat, kind: FileKind) => {
    let occurrences = read.get(relativePath);
    if (occurrences === undefined) {
      occurrences = occurrencesIn(directory, relativePath, format, kind).then((all) => {
        const byExternalId = new Map<string, HeldOccurrence>();
        for (const occurrence of all)
          if (!byExternalId.has(occurrence.externalId)) byExternalId.set(occurrence.externalId, occurrence);
        return byExternalId;
      });
      read.set(relativePath, occurrences);
    }
    return occurrences;
  };
  const found = new Map<string, HeldDocument>();
  for (const { body, files } of postings) {
    const kind: FileKind = body.type === 'journal' ? 'journals' : 'invoices';
    const held = await Promise.all(
      files.map(async ({ relativePath, format }) =>
        (await firstOccurrences(relativePath, format, kind)).get(body.externalId),
      ),
    );
    const [first] = held;
    if (first === undefined || held.some((occurrence) => occurrence === undefined)) continue;
    const [{ relativePath }] = files as [PostingFiles['files'][number]];
    found.set(body.externalId, {
      id: documentIdOf(relativePath, first, true),
      total: first.total,
      lines: first.lines,
    });
  }
  return found;
}

/** The document id of an occurrence: find's for the first under its external id, its line for a copy. */
export function documentIdOf(relativePath: string, occurrence: HeldOccurrence, first: boolean): string {
  return `${relativePath}#${occurrence.externalId}${first ? '' : `@${occurrence.line}`}`;
}

async function folders(path: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw fileFailure(error, path);
  }
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

/** Every document occurrence dated in [from, to] in the export's files of the first format. */
export async function listExport(
  directory: string,
  format: ExportFormat,
  range: { from: string; to: string },
): Promise<ListedDocument[]> {
  if (!ISO_DATE.test(range.from) || !ISO_DATE.test(range.to))
    throw new DeliveryFailure('invalid', `a date range is two YYYY-MM-DD dates, not ${range.from}..${range.to}`);
  const [fromMonth, toMonth] = [range.from.slice(0, 7), range.to.slice(0, 7)];
  const listed: ListedDocument[] = [];
  for (const entity of await folders(directory)) {
    const months = (await folders(join(directory, entity))).filter(
      (month) => MONTH_FOLDER.test(month) && month >= fromMonth && month <= toMonth,
    );
    for (const month of months)
      for (const kind of KINDS) {
        const relativePath = `${entity}/${month}/${kind}.${format}`;
        const seen = new Set<string>();
        for (const occurrence of await occurrencesIn(directory, relativePath, format, kind)) {
          const first = !seen.has(occurrence.externalId);
          seen.add(occurrence.externalId);
          if (occurrence.date < range.from || occurrence.date > range.to) continue;
          listed.push({
            id: documentIdOf(relativePath, occurrence, first),
            externalId: occurrence.externalId,
            type: occurrence.type,
            total: occurrence.total,
          });
        }
      }
  }
  return listed;
}
