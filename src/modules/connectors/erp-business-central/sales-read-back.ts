import { Decimal } from 'decimal.js';
import type { ErpDocument, HeldDocument, HeldLine, ListedDocument } from '../connector.js';
import { filterQuery, odataString, type BcEntity, type BusinessCentralClient } from './business-central-client.js';
import { toSalesPlan, type SalesPlan } from './business-central-sales-mapping.js';
import type { BusinessCentralSettings } from './business-central-settings.js';
import { missingDimension, readDimensionSet } from './dimension-set-lines.js';
import type { DateRange } from './read-back-range.js';

// Invoice mode's read-back: a sales invoice or credit memo found by its external document number, with its
// lines in the same request (`$expand`), stated as reconciliation compares them: the total including tax,
// positive (a credit memo's is positive in BC too), and each line's item and amount excluding tax. The tax
// line Meterbridge sends on the target's tax account is left out (the total covers it), and BC's item
// numbers are named back as the document's own items where the settings map them.

type SalesSet = SalesPlan['set'];

const SETS: Record<ErpDocument['type'], { set: SalesSet; lineSet: SalesPlan['lineSet']; type: string }> = {
  invoice: { set: 'salesInvoices', lineSet: 'salesInvoiceLines', type: 'Sales Invoice' },
  credit_memo: { set: 'salesCreditMemos', lineSet: 'salesCreditMemoLines', type: 'Sales Credit Memo' },
};

export const isDraft = (document: BcEntity) => document.status === 'Draft';

export const totalOf = (document: BcEntity): Decimal | undefined =>
  typeof document.totalAmountIncludingTax === 'number' ? new Decimal(document.totalAmountIncludingTax) : undefined;

/** What the read-back calls a BC item: the document's item it was mapped from, else BC's number. */
function placeNamer(documents: readonly ErpDocument[], settings: BusinessCentralSettings) {
  const names = new Map<string, string>();
  for (const [item, number] of Object.entries(settings.items)) names.set(number.toUpperCase(), item);
  for (const document of documents)
    for (const line of document.lines) names.set((settings.items[line.item] ?? line.item).toUpperCase(), line.item);
  return (number: string) => names.get(number.toUpperCase()) ?? number;
}

/** A document and its expanded lines as the read-back states them. */
function heldDocument(
  document: BcEntity,
  lineSet: string,
  placeOf: (number: string) => string,
  settings: BusinessCentralSettings,
): HeldDocument {
  const total = totalOf(document);
  const taxAccount = settings.taxAccount?.toUpperCase();
  const expanded = document[lineSet];
  const lines: HeldLine[] = [];
  for (const line of Array.isArray(expanded) ? (expanded as Array<Record<string, unknown>>) : []) {
    const number = String(line.lineObjectNumber ?? '').toUpperCase();
    if (line.lineType === 'Comment' || (line.lineType === 'Account' && number === taxAccount)) continue;
    if (typeof line.amountExcludingTax !== 'number') continue;
    lines.push({ place: placeOf(number), amount: new Decimal(line.amountExcludingTax).toFixed() });
  }
  return {
    id: String(document.number),
    ...(total === undefined ? {} : { total: total.abs().toFixed() }),
    ...(Array.isArray(expanded) ? { lines } : {}),
  };
}

/** The documents of a set under some external ids, with their lines. */
async function readDocuments(
  client: BusinessCentralClient,
  kind: (typeof SETS)[keyof typeof SETS],
  externalIds: readonly string[],
  signal: AbortSignal,
): Promise<BcEntity[]> {
  // `or` over one field, which BC's OData takes.
  const filter = externalIds.map((id) => `externalDocumentNumber eq ${odataString(id)}`).join(' or ');
  const wanted = new Set(externalIds);
  return (await client.list(`${kind.set}?${filterQuery(filter)}&$expand=${kind.lineSet}`, signal)).filter((document) =>
    wanted.has(String(document.externalDocumentNumber)),
  );
}

/** Whether a draft's header and each of its lines hold the plan's dimensions. */
async function holdsDimensions(client: BusinessCentralClient, plan: SalesPlan, draft: BcEntity, signal: AbortSignal) {
  if (plan.dimensions.length === 0) return true;
  const header = `${plan.set}(${draft.id})`;
  if (missingDimension(await readDimensionSet(client, header, signal), plan.dimensions)) return false;
  for (const line of await client.list(`${header}/${plan.lineSet}`, signal))
    if (
      missingDimension(await readDimensionSet(client, `${header}/${plan.lineSet}(${line.id})`, signal), plan.dimensions)
    )
      return false;
  return true;
}

/**
 * What BC holds for a document among those read: the posted one, or, for a target keeping drafts, a
 * draft complete to the total and the dimensions (a draft elsewhere is an attempt cut short).
 */
async function held(
  client: BusinessCentralClient,
  document: ErpDocument,
  read: readonly BcEntity[],
  settings: BusinessCentralSettings,
  signal: AbortSignal,
): Promise<HeldDocument | undefined> {
  const kind = SETS[document.type];
  const mine = read.filter((one) => one.externalDocumentNumber === document.externalId);
  const placeOf = placeNamer([document], settings);
  const posted = mine.find((one) => !isDraft(one));
  if (posted !== undefined) return heldDocument(posted, kind.lineSet, placeOf, settings);
  if (settings.postDocuments) return undefined;
  const complete = mine.find((draft) => isDraft(draft) && totalOf(draft)?.equals(new Decimal(document.total)));
  if (complete === undefined) return undefined;
  if (!(await holdsDimensions(client, toSalesPlan(document, settings), complete, signal))) return undefined;
  return heldDocument(complete, kind.lineSet, placeOf, settings);
}

/** What BC holds for the document: posted (or, for a target keeping drafts, a complete draft). */
export async function findSalesDocument(
  client: BusinessCentralClient,
  document: ErpDocument,
  settings: BusinessCentralSettings,
  signal: AbortSignal,
): Promise<HeldDocument | undefined> {
  const read = await readDocuments(client, SETS[document.type], [document.externalId], signal);
  return held(client, document, read, settings, signal);
}

/** What BC holds for many documents of one type, in one request (external id -> what it holds). */
export async function findSalesDocuments(
  client: BusinessCentralClient,
  documents: readonly ErpDocument[],
  settings: BusinessCentralSettings,
  signal: AbortSignal,
): Promise<Map<string, HeldDocument>> {
  const found = new Map<string, HeldDocument>();
  if (documents.length === 0) return found;
  const kind = SETS[documents[0]!.type];
  const read = await readDocuments(
    client,
    kind,
    documents.map((document) => document.externalId),
    signal,
  );
  for (const document of documents) {
    const one = await held(client, document, read, settings, signal);
    if (one !== undefined) found.set(document.externalId, one);
  }
  return found;
}

/** Every sales invoice and credit memo posted in the range (and the drafts, for a target keeping drafts). */
export async function listSalesDocuments(
  client: BusinessCentralClient,
  range: DateRange,
  settings: BusinessCentralSettings,
  signal: AbortSignal,
): Promise<ListedDocument[]> {
  const listed: ListedDocument[] = [];
  const filter = filterQuery(`postingDate ge ${range.from} and postingDate le ${range.to}`);
  for (const kind of Object.values(SETS)) {
    const select = '$select=id,number,externalDocumentNumber,status,totalAmountIncludingTax';
    for (const document of await client.list(`${kind.set}?${filter}&${select}`, signal)) {
      if (settings.postDocuments && isDraft(document)) continue;
      const total = totalOf(document);
      const externalId = typeof document.externalDocumentNumber === 'string' ? document.externalDocumentNumber : '';
      listed.push({
        id: String(document.number),
        externalId: externalId === '' ? null : externalId,
        type: kind.type,
        ...(total === undefined ? {} : { total: total.abs().toFixed() }),
      });
    }
  }
  return listed;
}
