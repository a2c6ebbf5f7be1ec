import { Decimal } from 'decimal.js';
import { DeliveryFailure, type ErpDocument, type TargetDocument } from '../connector.js';
import { filterQuery, odataString, type BcEntity, type BusinessCentralClient } from './business-central-client.js';
import { toSalesPlan, type SalesLineBody, type SalesPlan } from './business-central-sales-mapping.js';
import type { BusinessCentralSettings } from './business-central-settings.js';
import { syncDimensionSetLines } from './dimension-set-lines.js';
import { isDraft, totalOf } from './sales-read-back.js';

// Invoice mode. A document is a sales invoice (or credit memo) whose `externalDocumentNumber` is the
// external id, looked up before anything is created:
//   - posted already (any status but Draft): that is the document; nothing is sent;
//   - a draft: an earlier attempt was cut short; its header and lines are made the document's (PATCH with
//     the etag, DELETE and POST by sequence), as when there is none and it is created;
//   - the document's dimensions made the dimension set of the header and of each line (read first, so a
//     draft cut short between two dimension set lines is completed; BC's own defaults are left);
// then BC's total is checked against Meterbridge's (BC computes tax itself: a taxable customer or item
// would add tax on top of the document's own) and the draft is posted (`Microsoft.NAV.post`) unless the
// target keeps drafts. A credit memo names the posted invoice it corrects (`invoiceId`), so BC applies it
// up to what is open on that invoice; an invoice BC does not hold posted leaves the memo unapplied.

/** The documents of the set holding this external id; drafts beyond the first are an attempt's leftovers. */
async function held(client: BusinessCentralClient, set: SalesPlan['set'], externalId: string, signal: AbortSignal) {
  const filter = filterQuery(`externalDocumentNumber eq ${odataString(externalId)}`);
  const documents = (await client.list(`${set}?${filter}`, signal)).filter(
    (document) => document.externalDocumentNumber === externalId,
  );
  return { posted: documents.find((document) => !isDraft(document)), drafts: documents.filter(isDraft) };
}

const sameLine = (line: BcEntity, wanted: SalesLineBody): boolean =>
  line.lineType === wanted.lineType &&
  String(line.lineObjectNumber).toUpperCase() === wanted.lineObjectNumber &&
  line.description === wanted.description &&
  (line.description2 ?? '') === wanted.description2 &&
  typeof line.quantity === 'number' &&
  new Decimal(line.quantity).equals(wanted.quantity) &&
  typeof line.unitPrice === 'number' &&
  new Decimal(line.unitPrice).equals(wanted.unitPrice) &&
  Number(line.discountAmount ?? 0) === 0;

/** Makes the draft's lines the plan's; answers each line (by sequence) as BC answered it. */
async function syncLines(
  client: BusinessCentralClient,
  plan: SalesPlan,
  draft: BcEntity,
  signal: AbortSignal,
): Promise<Map<number, BcEntity>> {
  const path = `${plan.set}(${draft.id})/${plan.lineSet}`;
  const lines = await client.list(path, signal);
  const wanted = new Map(plan.lines.map((line) => [line.sequence, line]));
  const kept = new Map<number, BcEntity>();
  for (const line of lines) {
    const sequence = Number(line.sequence);
    const target = wanted.get(sequence);
    if (target === undefined || kept.has(sequence)) {
      await client.remove(`${path}(${line.id})`, line['@odata.etag'], signal);
    } else if (
      line.lineType !== target.lineType ||
      String(line.lineObjectNumber).toUpperCase() !== target.lineObjectNumber
    ) {
      // BC does not change a line's item or account in place: the line is made again.
      await client.remove(`${path}(${line.id})`, line['@odata.etag'], signal);
    } else if (sameLine(line, target)) kept.set(sequence, line);
    else {
      const { sequence: _sequence, lineType: _type, lineObjectNumber: _object, ...changes } = target;
      kept.set(
        sequence,
        await client.update(`${path}(${line.id})`, line['@odata.etag'], { ...changes, discountAmount: 0 }, signal),
      );
    }
  }
  for (const line of plan.lines)
    if (!kept.has(line.sequence)) kept.set(line.sequence, await client.create(path, { ...line }, signal));
  return kept;
}

/** The header fields BC holds differently from the plan's. */
function headerChanges(draft: BcEntity, header: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(header).filter(([field, value]) => String(draft[field] ?? '').toUpperCase() !== value.toUpperCase()),
  );
}

export async function deliverSalesDocument(
  client: BusinessCentralClient,
  document: ErpDocument,
  settings: BusinessCentralSettings,
  signal: AbortSignal,
): Promise<TargetDocument> {
  const plan = toSalesPlan(document, settings);
  const { posted, drafts } = await held(client, plan.set, document.externalId, signal);
  if (posted !== undefined) return { id: String(posted.number) };
  const header: Record<string, string> = { ...plan.header };
  if (document.type === 'credit_memo' && document.corrects !== undefined) {
    const invoices = await held(client, 'salesInvoices', document.corrects, signal);
    if (invoices.posted !== undefined) header.invoiceId = invoices.posted.id;
  }
  const [first, ...leftovers] = drafts;
  let draft = first;
  for (const extra of leftovers) await client.remove(`${plan.set}(${extra.id})`, extra['@odata.etag'], signal);
  if (draft === undefined) draft = await client.create(plan.set, header, signal);
  else {
    const changes = headerChanges(draft, header);
    if (Object.keys(changes).length > 0)
      draft = await client.update(`${plan.set}(${draft.id})`, draft['@odata.etag'], changes, signal);
  }
  // The header's dimensions first: BC gives a line created afterwards the header's dimension set.
  await syncDimensionSetLines(client, `${plan.set}(${draft.id})`, plan.dimensions, signal);
  const lines = await syncLines(client, plan, draft, signal);
  for (const line of lines.values())
    await syncDimensionSetLines(
      client,
      `${plan.set}(${draft.id})/${plan.lineSet}(${line.id})`,
      plan.dimensions,
      signal,
    );
  const built = await client.get(`${plan.set}(${draft.id})`, signal);
  const total = totalOf(built);
  if (total === undefined || !total.equals(plan.total))
    throw new DeliveryFailure(
      'invalid',
      `Business Central computes ${String(built.totalAmountIncludingTax)} for ${String(built.number)} (its own tax ${String(built.totalTaxAmount)}) where the document's total is ${plan.total.toFixed()}: make the customer and the items non-taxable in Business Central, since Meterbridge posts the tax; the draft is left unposted`,
      { path: 'total', targetText: JSON.stringify(built) },
    );
  if (!settings.postDocuments) return { id: String(built.number) };
  await client.action(`${plan.set}(${draft.id})/Microsoft.NAV.post`, signal);
  const after = await held(client, plan.set, document.externalId, signal);
  if (after.posted === undefined)
    throw new DeliveryFailure(
      'unknown_outcome',
      `POST ${plan.set}(${draft.id})/Microsoft.NAV.post answered success, and Business Central holds no posted document ${document.externalId}`,
    );
  return { id: String(after.posted.number) };
}
