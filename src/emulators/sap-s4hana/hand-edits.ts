import { Decimal } from 'decimal.js';
import type { SapChart } from './emulator-options.js';
import type { JournalStore, StoredDocument, StoredItem } from './journal-store.js';

// What a person (or another integration) does to the tenant outside Meterbridge, for reconciliation's
// tests: posts a second journal entry under a reference the tenant already holds (SAP keeps no key on
// DocumentReferenceID), and moves an amount of a held entry from one G/L account to another, keeping its
// total. SAP itself lets nobody change a posted item's account or amount: a person reverses the entry and
// posts it again corrected; the emulator edits the held entry in place, which is that correction's net
// effect on what the read-back sees. Requests come from the admin endpoint as JSON and are checked whole.

/** The user a hand-made document names as its creator (CreatedByUser, 12 characters). */
export const BY_HAND_USER = 'ACCOUNTANT';

export class HandEditError extends Error {
  constructor(
    readonly status: 400 | 404,
    readonly problems: string[],
  ) {
    super(problems.join('; '));
    this.name = 'HandEditError';
  }
}

export interface HandEditTarget {
  /** The DocumentReferenceID of the entry to copy or edit (the oldest holding it). */
  documentReferenceId: string;
  /** Its company code; any when absent. */
  companyCode?: string;
}

export interface MoveRequest extends HandEditTarget {
  /** The amount moved off the entry's last item, positive decimal text; the whole item when absent. */
  amount?: string;
  /** Where it goes; the first account of the company code's chart the entry does not use when absent. */
  glAccount?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
/** Each field a request may have, with the text it takes and what to say otherwise. */
const FIELDS: Readonly<Record<string, { pattern: RegExp; expected: string }>> = {
  documentReferenceId: { pattern: /^[A-Za-z0-9-]{1,16}$/, expected: '1 to 16 letters, digits or -' },
  companyCode: { pattern: /^[A-Z0-9]{1,4}$/, expected: '1 to 4 capital letters or digits' },
  glAccount: { pattern: /^[A-Z0-9]{1,10}$/, expected: '1 to 10 capital letters or digits' },
  amount: { pattern: /^\d{1,20}(\.\d{1,6})?$/, expected: 'decimal text above zero' },
};

function readFields(value: unknown, allowed: readonly string[]): Record<string, string> {
  if (!isRecord(value)) throw new HandEditError(400, ['the body must be a JSON object']);
  const problems: string[] = [];
  const fields: Record<string, string> = {};
  for (const [name, field] of Object.entries(value)) {
    const spec = allowed.includes(name) ? FIELDS[name] : undefined;
    if (!spec) problems.push(`${JSON.stringify(name)} is not a field of this request`);
    else if (typeof field !== 'string' || !spec.pattern.test(field)) problems.push(`${name} must be ${spec.expected}`);
    else fields[name] = field;
  }
  if (!Object.hasOwn(value, 'documentReferenceId')) problems.push('documentReferenceId is required');
  if (problems.length > 0) throw new HandEditError(400, problems);
  return fields;
}

/** A copy request from the admin endpoint's JSON; HandEditError(400) listing every problem. */
export function readCopyRequest(value: unknown): HandEditTarget {
  const { documentReferenceId = '', companyCode } = readFields(value, ['documentReferenceId', 'companyCode']);
  return { documentReferenceId, ...(companyCode === undefined ? {} : { companyCode }) };
}

/** A move request from the admin endpoint's JSON; HandEditError(400) listing every problem. */
export function readMoveRequest(value: unknown): MoveRequest {
  const fields = readFields(value, ['documentReferenceId', 'companyCode', 'amount', 'glAccount']);
  return { ...fields, documentReferenceId: fields.documentReferenceId ?? '' };
}

function heldEntry(store: JournalStore, target: HandEditTarget): StoredDocument {
  const held = store
    .all()
    .find(
      (document) =>
        document.documentReferenceId === target.documentReferenceId &&
        (target.companyCode === undefined || document.companyCode === target.companyCode),
    );
  if (!held) throw new HandEditError(404, [`no journal entry holds the reference ${target.documentReferenceId}`]);
  return held;
}

/** Posts a second entry like the oldest one under the reference, with the next number. */
export function copyByHand(store: JournalStore, target: HandEditTarget, nowMs: number): StoredDocument {
  const { accountingDocument: _number, ...original } = heldEntry(store, target);
  return store.post({
    ...original,
    createdByUser: BY_HAND_USER,
    items: original.items.map((item) => ({ ...item })),
    postedAtMs: nowMs,
  });
}

/**
 * Moves `amount` off the entry's last item to a new item on another G/L account, with the same debit or
 * credit side: the entry stays balanced and its debits (its total) stay what they were.
 */
export function moveByHand(store: JournalStore, chart: SapChart, request: MoveRequest): StoredDocument {
  const held = heldEntry(store, request);
  const last = held.items.at(-1);
  if (!last) throw new HandEditError(400, ['the entry has no items']);
  const accounts = chart.chartsOfAccounts[held.chartOfAccounts] ?? [];
  const used = new Set(held.items.map((item) => item.glAccount));
  const glAccount = request.glAccount ?? accounts.find((account) => !used.has(account));
  if (glAccount === undefined || !accounts.includes(glAccount) || glAccount === last.glAccount)
    throw new HandEditError(400, [
      `glAccount must be another account of chart of accounts ${held.chartOfAccounts} than ${last.glAccount}`,
    ]);
  const whole = new Decimal(last.amount).abs();
  const moved = request.amount === undefined ? whole : new Decimal(request.amount);
  if (moved.isZero() || moved.greaterThan(whole))
    throw new HandEditError(400, [`amount must be above zero and at most ${whole.toFixed()}`]);
  const sign = last.debitCreditCode === 'S' ? 1 : -1;
  const kept = whole.minus(moved).times(sign);
  const number = Math.max(...held.items.map((item) => Number(item.item))) + 1;
  const items: StoredItem[] = [
    ...held.items.slice(0, -1),
    ...(kept.isZero() ? [] : [{ ...last, amount: kept.toFixed() }]),
    { ...last, item: String(number).padStart(3, '0'), glAccount, amount: moved.times(sign).toFixed() },
  ];
  store.replaceItems(held, items);
  return { ...held, items };
}
