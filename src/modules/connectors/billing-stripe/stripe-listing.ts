import { DeliveryFailure, type ListedDocument } from '../connector.js';
import { listedHandOffs, type HeldItem } from './stripe-held.js';
import { POSTING_METADATA } from './stripe-keys.js';
import type { StripeCall } from './stripe-transport.js';

// What the account holds over a range of days, for reconciliation: every invoice item created in it
// (`GET /v1/invoiceitems?created[gte]&created[lte]`, 100 a page, paged by `starting_after` through the
// official client), grouped into hand-offs (stripe-held.ts), and the invoices Meterbridge had Stripe
// issue in it (`GET /v1/invoices`, same paging), whose ids issued hand-offs were delivered under.

/** A listing past this many objects stops rather than fill memory: a month of 10,000 documents is ~30,000 items. */
const MAX_LISTED = 500_000;
const DAY_S = 86_400;

/** Unix seconds of a YYYY-MM-DD day's first second (UTC), refusing what is not a calendar day. */
function dayStart(day: string, name: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day)
    throw new DeliveryFailure('invalid', `the listing's ${name} ${JSON.stringify(day)} is not a YYYY-MM-DD day`);
  return ms / 1000;
}

/** `created[gte]` and `created[lte]` covering the UTC days [from, to] whole. */
export function createdRange(range: { from: string; to: string }): { gte: number; lte: number } {
  const gte = dayStart(range.from, 'from');
  const lte = dayStart(range.to, 'to') + DAY_S - 1;
  if (lte < gte)
    throw new DeliveryFailure('invalid', `the listing ends (${range.to}) before it starts (${range.from})`);
  return { gte, lte };
}

function tooMany(what: string): DeliveryFailure {
  return new DeliveryFailure('unavailable', `${what}: more than ${MAX_LISTED} objects to list`);
}

export async function listHeldHandOffs(
  call: StripeCall,
  range: { from: string; to: string },
  signal: AbortSignal,
): Promise<ListedDocument[]> {
  const created = createdRange(range);
  const itemsWhat = `GET /v1/invoiceitems?created[gte]=${created.gte}&created[lte]=${created.lte}`;
  const { value: items } = await call(itemsWhat, signal, async (stripe) => {
    const listed: HeldItem[] = [];
    for await (const item of stripe.invoiceItems.list({ created, limit: 100 })) {
      listed.push(item);
      if (listed.length > MAX_LISTED) throw tooMany(itemsWhat);
    }
    return listed;
  });
  const invoicesWhat = `GET /v1/invoices?created[gte]=${created.gte}&created[lte]=${created.lte}`;
  const { value: issued } = await call(invoicesWhat, signal, async (stripe) => {
    const ids = new Set<string>();
    let seen = 0;
    for await (const invoice of stripe.invoices.list({ created, limit: 100 })) {
      if (invoice.metadata?.[POSTING_METADATA] && invoice.id) ids.add(invoice.id);
      seen += 1;
      if (seen > MAX_LISTED) throw tooMany(invoicesWhat);
    }
    return ids;
  });
  return listedHandOffs(items, issued);
}
