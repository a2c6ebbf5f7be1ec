import type { JsonObject } from './record-fields.js';
import type { RecordStore, StoredRecord } from './record-store.js';

// A record as `GET record/v1/<type>/<id>` answers it. As in NetSuite, its sublists (`line` or `item`, and a
// credit memo's `apply`) are links only, `{links: [self]}`, unless the request asks for them with
// `expandSubResources=true`: then each also holds its lines (`items`) and `totalResults`. Body fields are
// there either way: an invoice shows what is applied to it and what remains open (`amountPaid`,
// `amountRemaining`); a credit memo what of it is applied and unapplied, and, expanded, its `apply` lines
// (the invoices it is applied to, each with its total and what is still due). Invoices and credit memos
// split their total into the item lines (`subtotal`) and the tax items' lines (`taxTotal`).

const money = (value: { toNumber(): number }) => value.toNumber();

/** A sublist as NetSuite answers it: its link, and its lines only when expanded. */
function sublist(href: string, items: readonly unknown[], expand: boolean): JsonObject {
  const links = [{ rel: 'self', href }];
  return expand ? { links, items: [...items], totalResults: items.length } : { links };
}

function salesTotals(record: StoredRecord, store: RecordStore, href: string, expand: boolean): JsonObject {
  const { input } = record;
  const totals: JsonObject = {
    subtotal: money(input.total.minus(input.taxTotal)),
    taxTotal: money(input.taxTotal),
  };
  if (record.type === 'invoice') {
    const remaining = store.remaining(record);
    totals.amountPaid = money(input.total.minus(remaining));
    totals.amountRemaining = money(remaining);
  } else {
    const applications = store.credits.applicationsOf(record.id);
    const applied = applications.reduce((sum, one) => sum.plus(one.amount), input.total.times(0));
    totals.applied = money(applied);
    totals.unapplied = money(input.total.minus(applied));
    const items = applications.map((one) => {
      const invoice = store.get('invoice', one.doc);
      return {
        doc: { id: one.doc },
        apply: true,
        amount: money(one.amount),
        ...(invoice === undefined
          ? {}
          : { refNum: invoice.tranId, total: money(invoice.input.total), due: money(store.remaining(invoice)) }),
      };
    });
    totals.apply = sublist(`${href}/apply`, items, expand);
  }
  return totals;
}

/** The record's JSON; `expand` (the request's `expandSubResources=true`) puts its sublists' lines in. */
export function toApiRecord(record: StoredRecord, baseUrl: string, store: RecordStore, expand: boolean): JsonObject {
  const href = `${baseUrl}/services/rest/record/v1/${record.type}/${record.id}`;
  const { input } = record;
  return {
    links: [{ rel: 'self', href }],
    id: record.id,
    ...(record.externalId === undefined ? {} : { externalId: record.externalId }),
    tranId: record.tranId,
    ...input.fields,
    total: input.total.toNumber(),
    ...(record.type === 'journalEntry' ? {} : salesTotals(record, store, href, expand)),
    createdDate: new Date(record.createdMs).toISOString(),
    lastModifiedDate: new Date(record.lastModifiedMs).toISOString(),
    [input.sublist]: sublist(`${href}/${input.sublist}`, input.lines, expand),
  };
}
