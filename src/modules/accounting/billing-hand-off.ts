import type { Queryable } from '../../platform/database/database.js';
import { Exact } from '../../platform/money.js';
import { findLineEvents, type Invoice } from '../billing/index.js';
import { billedInOf, type Catalog } from '../catalog/index.js';
import {
  targetKindSpec,
  USAGE_EVENTS_PER_POSTING,
  type BillingHandOff,
  type TargetDefinition,
  type UsageEvent,
  type UsageHandOff,
} from '../connectors/index.js';
import type { NewPosting } from '../outbox/index.js';
import { AccountingError } from './accounting.js';
import { externalIdFor } from './external-id.js';

// A finalized document of a subscription billed in a billing platform (`billedIn`) becomes postings to
// that platform, in the finalizing transaction: its lines as billing items (the platform charges what
// Meterbridge rated, tax included), or the usage records behind its usage lines as usage events (the
// platform prices them), by what the target's kind says its settings choose. A void of a document handed
// over as items is handed over as the same items negated, after the original; usage counted by a
// platform's meters cannot be taken back, so a void there is left to a person (docs/connectors/stripe.md).

/** The amount with the other sign, its digits as they are ("0.00" stays "0.00"). */
const negate = (amount: string) =>
  amount.startsWith('-') ? amount.slice(1) : new Exact(amount).isZero() ? amount : `-${amount}`;

/** The platform a document is billed in, and how: undefined when its subscription bills in Meterbridge only. */
function billingOf(catalog: Catalog, document: Invoice) {
  const subscription = catalog.subscriptions.find((candidate) => candidate.key === document.subscription);
  const billedIn = subscription && billedInOf(catalog, subscription);
  if (!billedIn) return undefined;
  const target = catalog.targets?.find((candidate) => candidate.key === billedIn.target);
  const billing = target && targetKindSpec(target.kind)?.billing;
  if (!target || !billing)
    throw new AccountingError(`subscription ${document.subscription} is billed in an undeclared target`, document.id);
  const customer = catalog.customers.find((candidate) => candidate.key === document.customer);
  const billingId = customer?.externalIds?.billing;
  if (!billingId) throw new AccountingError(`customer ${document.customer} has no externalIds.billing`, document.id);
  return { target, billedIn, billingId, handOff: billing.handOff(target.settings) };
}

/** The hand-off postings of a document (none when it is not billed in a platform); `voiding` for its void. */
export async function handOffPostings(
  tx: Queryable,
  catalog: Catalog,
  document: Invoice,
  voiding = false,
): Promise<NewPosting[]> {
  const billing = billingOf(catalog, document);
  if (!billing || !document.lines?.length) return [];
  const { target, billingId, handOff } = billing;
  if (handOff === 'usage') return voiding ? [] : usagePostings(tx, target, document, billingId);
  return [itemsPosting(document, billing, voiding)];
}

/**
 * What a document would hand over as billing items, for the posting preview: the items body when its
 * subscription is billed in a platform by items; undefined otherwise (usage events are the records a
 * finalized document marks, known only once it is).
 */
export function previewHandOff(catalog: Catalog, document: Invoice): NewPosting | undefined {
  const billing = billingOf(catalog, document);
  if (!billing || billing.handOff !== 'items' || !document.lines?.length) return undefined;
  return itemsPosting(document, billing);
}

function itemsPosting(
  document: Invoice,
  { target, billedIn, billingId }: NonNullable<ReturnType<typeof billingOf>>,
  voiding = false,
): NewPosting {
  const own = externalIdFor('billing', target.key, document.id);
  const externalId = voiding ? externalIdFor('billing', target.key, document.id, 'void') : own;
  const sign = voiding ? negate : (amount: string) => amount;
  const number = document.number ?? document.id;
  const body: BillingHandOff = {
    type: 'billing_items',
    externalId,
    customer: billingId,
    currency: document.currency,
    issue: billedIn.invoices === 'target',
    memo: `${voiding ? 'Void of ' : ''}Meterbridge ${document.document} ${number}, ${document.periodStart.slice(0, 10)} to ${document.periodEnd.slice(0, 10)}`,
    source: { invoiceId: document.id, invoiceNumber: number },
    items: (document.lines ?? []).map((line) => ({
      description: `${voiding ? 'Void: ' : ''}${line.description}`,
      quantity: line.quantity,
      unitPrice: voiding ? null : line.unitPrice,
      amount: sign(line.amount),
      period: { start: line.periodStart, end: line.periodEnd },
      reference: {
        invoiceId: document.id,
        invoiceNumber: number,
        lineNo: line.lineNo,
        ...(voiding ? { voided: true as const } : {}),
      },
    })),
    total: sign(document.total),
  };
  return {
    targetKey: target.key,
    externalId,
    kind: 'billing_items',
    subject: `${voiding ? 'billing-void' : 'billing'}:${document.id}`,
    legalEntity: document.legalEntity,
    period: document.periodStart.slice(0, 7),
    body,
    // A void after its document; a memo after the document it corrects, when that was handed over too.
    after: voiding
      ? own
      : document.correctsInvoice
        ? externalIdFor('billing', target.key, document.correctsInvoice)
        : undefined,
  };
}

/** The usage records behind the document's usage lines, as usage events in parts of USAGE_EVENTS_PER_POSTING. */
async function usagePostings(
  tx: Queryable,
  target: TargetDefinition,
  document: Invoice,
  customer: string,
): Promise<NewPosting[]> {
  const events: UsageEvent[] = [];
  for (const line of document.lines ?? []) {
    if (line.kind !== 'usage' || line.meterKey === null) continue;
    for (let afterSeq = '0'; ;) {
      const page = (await findLineEvents(tx, document.id, line.lineNo, afterSeq, 1000)) ?? [];
      for (const event of page)
        events.push({
          key: `${event.seq}.${line.meterKey}`,
          meter: line.meterKey,
          value: event.value ?? '1',
          time: event.time,
        });
      if (page.length < 1000) break;
      afterSeq = page[page.length - 1]!.seq;
    }
  }
  const number = document.number ?? document.id;
  const postings: NewPosting[] = [];
  for (let start = 0, part = 1; start < events.length; start += USAGE_EVENTS_PER_POSTING, part += 1) {
    const externalId = externalIdFor('usage', target.key, document.id, String(part));
    const body: UsageHandOff = {
      type: 'usage_events',
      externalId,
      customer,
      source: { invoiceId: document.id, invoiceNumber: number },
      part,
      events: events.slice(start, start + USAGE_EVENTS_PER_POSTING),
    };
    postings.push({
      targetKey: target.key,
      externalId,
      kind: 'usage_events',
      subject: `usage:${document.id}:${part}`,
      legalEntity: document.legalEntity,
      period: document.periodStart.slice(0, 7),
      body,
    });
  }
  return postings;
}
