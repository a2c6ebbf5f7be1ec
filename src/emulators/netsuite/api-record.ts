import type { JsonObject } from './record-fields.js';
import type { RecordStore, StoredRecord } from './record-store.js';

// A record as `GET record/v1/<type>/<id>` answers it, sublist lines expanded (NetSuite expands them only
// with `expandSubResources=true`). An invoice shows what is applied to it and what remains open; a credit
// memo shows its `apply` sublist (the invoices it is applied to, each with its total and what is still
// due) and what of it is applied and unapplied. Invoices and credit memos split their total into the
// item lines (`subtotal`) and the tax items' lines (`taxTotal`).

const money = (value: { toNumber(): number }) => value.toNumber();

function salesTotals(record: StoredRecord, store: RecordStore, href: string): JsonObject {
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
    totals.apply = { links: [{ rel: 'self', href: `${href}/apply` }], items, totalResults: items.length };
  }
  return totals;
}

export function toApiRecord(record: StoredRecord, baseUrl: string, store: RecordStore): JsonObject {
  const href = `${baseUrl}/services/rest/record/v1/${record.type}/${record.id}`;
  const { input } = record;
  return {
    links: [{ rel: 'self', href }],
    id: record.id,
    ...(record.externalId === undefined ? {} : { externalId: record.externalId }),
    tranId: record.tranId,
    ...input.fields,
    total: input.total.toNumber(),
    ...(record.type === 'journalEntry' ? {} : salesTotals(record, store, href)),
    createdDate: new Date(record.createdMs).toISOString(),
    lastModifiedDate: new Date(record.lastModifiedMs).toISOString(),
    [input.sublist]: {
      links: [{ rel: 'self', href: `${href}/${input.sublist}` }],
      items: input.lines,
      totalResults: input.lines.length,
    },
  };
}
