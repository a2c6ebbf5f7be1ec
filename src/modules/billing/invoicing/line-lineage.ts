import type { Queryable } from '../../../platform/database/database.js';
import { readRawEventsBySeq } from '../../ingestion/index.js';
import { findLineRecords } from '../../metering/index.js';
import type { LineEvent } from '../billing.js';
import { findLineWindow } from './invoice-queries.js';

/**
 * The raw events behind a usage or adjustment line (lineage), in log order, page by page: the usage
 * records of the line's subscription, meter and period — for a final document exactly the records it
 * marked (usage arriving later is not on it), for a draft those no invoice bills yet — with the identity
 * of the events they came from. Undefined when the invoice has no such line; other lines have no events.
 */
export async function findLineEvents(
  db: Queryable,
  invoiceId: string,
  lineNo: number,
  afterSeq: string,
  limit: number,
): Promise<LineEvent[] | undefined> {
  const line = await findLineWindow(db, invoiceId, lineNo);
  if (!line) return undefined;
  if ((line.kind !== 'usage' && line.kind !== 'adjustment') || line.meterKey === null) return [];
  const records = await findLineRecords(db, {
    subscriptionKey: line.subscriptionKey,
    meterKey: line.meterKey,
    start: line.start,
    end: line.end,
    billedBy: line.status === 'draft' ? null : invoiceId,
    afterSeq,
    limit,
  });
  const events = new Map(
    (
      await readRawEventsBySeq(
        db,
        records.map((record) => record.eventSeq),
        { withData: false },
      )
    ).map((event) => [event.seq, event]),
  );
  return records.map((record) => {
    // Raw events are never deleted (a trigger refuses it), so every record's event is there.
    const event = events.get(record.eventSeq);
    if (!event) throw new Error(`usage record of event ${record.eventSeq} has no raw event`);
    return {
      seq: event.seq,
      source: event.source,
      id: event.id,
      type: event.type,
      subject: event.subject,
      time: event.time.toISOString(),
      value: record.value,
      dimensions: record.dimensions,
    };
  });
}
