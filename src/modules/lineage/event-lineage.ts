import { findLinesBillingUsage } from '../billing/index.js';
import { findRawEventIdentity } from '../ingestion/index.js';
import { findExceptionsOfEvent, findUsageOfEvent, isMetered, type EventUsageRecord } from '../metering/index.js';
import { postingsOfLine } from './billing-lines.js';
import {
  LineageNotFoundError,
  type BillingLine,
  type EventLineage,
  type LineageRequest,
  type UsageNode,
} from './lineage.js';
import { invoiceSummary, lineSummary, type LineageReader } from './lineage-reader.js';

type EventRequest = Extract<LineageRequest, { lookup: 'event' }>;

/** From an event forward: its usage records, or why it has none, and each record's lines and postings. */
export async function eventLineage(
  reader: LineageReader,
  request: EventRequest,
  pathOf: (name: string) => string,
): Promise<EventLineage> {
  const event = await findRawEventIdentity(reader.db, request.source, request.id);
  if (!event) {
    const looked = `no event has source ${JSON.stringify(request.source)} and id ${JSON.stringify(request.id)}`;
    throw new LineageNotFoundError(
      looked,
      request.given.map((name) => ({ path: pathOf(name), message: looked })),
    );
  }
  const [records, exceptions] = await Promise.all([
    findUsageOfEvent(reader.db, event.seq),
    findExceptionsOfEvent(reader.db, event.seq),
  ]);
  const usage: UsageNode[] = [];
  for (const record of records) usage.push(await usageNode(reader, record));
  const metered = records.length > 0 || exceptions.length > 0 || (await isMetered(reader.db, event));
  const { txId: _position, ...identity } = event;
  return {
    lookup: 'event',
    event: identity,
    metering: !metered ? 'not_metered_yet' : records.length > 0 || exceptions.length > 0 ? 'metered' : 'telemetry',
    note: !metered
      ? 'the metering stage has not reached this event yet: it is accepted, and is metered in log order'
      : records.length > 0
        ? null
        : exceptions.length > 0
          ? 'no usage record: each meter that reads this event raised an exception (its reason below)'
          : `telemetry: no meter reads events of type ${JSON.stringify(event.type)}, so it is counted and never billed`,
    usage,
    exceptions,
  };
}

/** One usage record and the lines billing it: its document's, or a draft's while none has marked it. */
async function usageNode(reader: LineageReader, record: EventUsageRecord): Promise<UsageNode> {
  const keys = await findLinesBillingUsage(reader.db, {
    subscriptionKey: record.subscription,
    meterKey: record.meter,
    time: new Date(record.time),
    invoiceId: record.invoiceId,
  });
  const usageKeys = new Set([`${record.eventSeq}.${record.meter}`]);
  const lines: BillingLine[] = [];
  for (const key of keys) {
    const invoice = await reader.invoice(key.invoiceId);
    const line = invoice?.lines?.find((candidate) => candidate.lineNo === key.lineNo);
    if (!invoice || !line) continue;
    lines.push({
      invoice: invoiceSummary(invoice),
      line: lineSummary(line),
      postings: await postingsOfLine(reader, invoice, line, usageKeys),
    });
  }
  const billing = record.invoiceId !== null ? 'invoiced' : lines.length > 0 ? 'draft' : 'not_invoiced';
  return {
    meter: record.meter,
    value: record.value,
    time: record.time,
    customer: record.customer,
    subscription: record.subscription,
    legalEntity: record.legalEntity,
    currency: record.currency,
    catalogVersion: record.catalogVersion,
    billing,
    note:
      billing === 'invoiced'
        ? null
        : billing === 'draft'
          ? 'on a draft: the amount may change until the draft is finalized'
          : 'not invoiced yet: no document covers it; the billing run of its period drafts it',
    lines,
  };
}
