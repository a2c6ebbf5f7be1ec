import { Decimal } from 'decimal.js';
import { DeliveryFailure, type JournalEntry, type TargetDocument } from '../connector.js';
import { filterQuery, odataString, type BcEntity, type BusinessCentralClient } from './business-central-client.js';
import {
  batchCodeFor,
  batchDisplayName,
  invalid,
  toJournalDimensions,
  toJournalLines,
  type JournalLineBody,
} from './business-central-mapping.js';
import type { BusinessCentralSettings } from './business-central-settings.js';
import { syncDimensionSetLines } from './dimension-set-lines.js';
import { findPostedEntry } from './ledger-read-back.js';

// Journal mode. BC has no idempotency key and `Microsoft.NAV.post` posts every line of a batch, so each
// posting is built in a batch of its own and found again by what it leaves:
//   1. the G/L entries whose `documentNumber` is the external id: if there are any, it was posted (this
//      is also `find`, which the dispatcher runs before any retry whose outcome is unknown);
//   2. the batch named from the external id, created if absent (a create whose answer was lost is found
//      by the next attempt; a duplicate key means it exists);
//   3. its lines made exactly the posting's, by line number: a line already there and right is kept, a
//      wrong one changed (PATCH with its etag), a stray one deleted, a missing one created. A batch left
//      half built by an attempt cut short is so resumed, and one holding the lines of an earlier, refused
//      version of the posting is corrected, never posted as it stands;
//   4. each line's dimension set lines (`journalLines(<id>)/dimensionSetLines`) made to hold the
//      posting's dimensions, read first, so a batch cut short between two of them is completed;
//   5. the post, then the G/L entries read back for their entry number, and the emptied batch deleted
//      (best effort: a batch left over is empty, and its code belongs to this posting only).
// The post is the only step that writes the ledger, and it runs only on a batch holding exactly the
// posting's lines, each with its dimensions, so a posting is never in the ledger twice, nor without them.

/** The posting's own batch: found by its code, or created. */
async function ensureBatch(
  client: BusinessCentralClient,
  entry: JournalEntry,
  settings: BusinessCentralSettings,
  signal: AbortSignal,
): Promise<{ batch: BcEntity; created: boolean }> {
  const code = batchCodeFor(entry.externalId, settings.batchPrefix);
  const template = settings.journalTemplate;
  const filter = `code eq ${odataString(code)}${template ? ` and templateDisplayName eq ${odataString(template)}` : ''}`;
  const find = async () => (await client.list(`journals?${filterQuery(filter)}`, signal))[0];
  let batch = await find();
  let created = false;
  if (batch === undefined) {
    const body = {
      code,
      displayName: batchDisplayName(entry.externalId),
      ...(template ? { templateDisplayName: template } : {}),
    };
    try {
      batch = await client.create('journals', body, signal);
      created = true;
    } catch (error) {
      // Created by an attempt whose answer was lost: it is there now.
      if (!(error instanceof DeliveryFailure) || error.detail.code !== 'Internal_EntityWithSameKeyExists') throw error;
      batch = await find();
      if (batch === undefined) throw error;
    }
  }
  if (batch.displayName !== batchDisplayName(entry.externalId))
    throw invalid(
      'externalId',
      `journal batch ${code} exists in Business Central for "${String(batch.displayName)}", not for ${entry.externalId}; rename or delete that batch`,
    );
  return { batch, created };
}

const sameLine = (held: BcEntity, wanted: JournalLineBody): boolean =>
  held.accountType === wanted.accountType &&
  String(held.accountNumber).toUpperCase() === wanted.accountNumber &&
  held.postingDate === wanted.postingDate &&
  held.documentNumber === wanted.documentNumber &&
  typeof held.amount === 'number' &&
  new Decimal(held.amount).equals(wanted.amount) &&
  held.description === wanted.description &&
  (held.balancingAccountNumber ?? '') === '';

/**
 * Makes the batch's lines exactly `wanted`; answers the lines it then holds, as BC answered them. A batch
 * this attempt created holds none, and is not read.
 */
async function syncLines(
  client: BusinessCentralClient,
  batch: BcEntity,
  fresh: boolean,
  wanted: readonly JournalLineBody[],
  signal: AbortSignal,
): Promise<BcEntity[]> {
  const path = `journals(${batch.id})/journalLines`;
  const held = fresh ? [] : await client.list(path, signal);
  const byNumber = new Map(wanted.map((line) => [line.lineNumber, line]));
  const result: BcEntity[] = [];
  const present = new Set<number>();
  for (const line of held) {
    const number = Number(line.lineNumber);
    const target = byNumber.get(number);
    if (target === undefined || present.has(number)) {
      await client.remove(`${path}(${line.id})`, line['@odata.etag'], signal);
      continue;
    }
    present.add(number);
    if (sameLine(line, target)) result.push(line);
    else {
      const { lineNumber: _lineNumber, ...changes } = target;
      result.push(await client.update(`${path}(${line.id})`, line['@odata.etag'], changes, signal));
    }
  }
  for (const line of wanted)
    if (!present.has(line.lineNumber)) result.push(await client.create(path, { ...line }, signal));
  return result;
}

export async function deliverJournal(
  client: BusinessCentralClient,
  entry: JournalEntry,
  settings: BusinessCentralSettings,
  signal: AbortSignal,
): Promise<TargetDocument> {
  const wanted = toJournalLines(entry, settings);
  const dimensions = toJournalDimensions(entry, settings);
  const posted = await findPostedEntry(client, entry.externalId, signal);
  if (posted !== undefined) return { id: posted.id };
  const { batch, created } = await ensureBatch(client, entry, settings, signal);
  const lines = await syncLines(client, batch, created, wanted, signal);
  // Checked on what BC answered, not on what was sent: a batch is posted only as the posting's lines.
  const wrong = wanted.filter(
    (line) => !lines.some((held) => Number(held.lineNumber) === line.lineNumber && sameLine(held, line)),
  );
  if (wrong.length > 0 || lines.length !== wanted.length)
    throw new DeliveryFailure(
      'invalid',
      `Business Central holds lines in batch ${String(batch.code)} other than the posting's (line ${wrong[0]?.lineNumber ?? '?'} differs after writing it); not posted`,
      { path: 'lines', targetText: JSON.stringify(lines) },
    );
  // Each line's dimension set made the posting's: a batch cut short between two dimension set lines is
  // resumed here, and posted only once every line holds its dimensions as BC answered them.
  for (const [index, line] of wanted.entries()) {
    const held = lines.find((one) => Number(one.lineNumber) === line.lineNumber)!;
    await syncDimensionSetLines(client, `journals(${batch.id})/journalLines(${held.id})`, dimensions[index]!, signal);
  }
  await client.action(`journals(${batch.id})/Microsoft.NAV.post`, signal);
  const document = await findPostedEntry(client, entry.externalId, signal);
  if (document === undefined)
    throw new DeliveryFailure(
      'unknown_outcome',
      `POST journals(${batch.id})/Microsoft.NAV.post answered success, and Business Central holds no G/L entries for ${entry.externalId}`,
    );
  try {
    await client.remove(`journals(${batch.id})`, '*', signal);
  } catch {
    // The posting is done; an empty batch left behind is harmless.
  }
  return { id: document.id };
}
