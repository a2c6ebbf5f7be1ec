import { Decimal } from 'decimal.js';
import type { JournalEntry } from '../../src/modules/connectors/index.js';

// For the connector's tests: a period's worth of balanced journal entries with varied amounts, and a
// check of what an emulated NetSuite account holds against them, summed with decimal.js to the cent.

const ACCOUNTS = ['4', '6', '54', '112'] as const;

/** `count` balanced entries: a receivable debit and two or three revenue credits of deterministic cents. */
export function periodEntries(count: number, prefix = 'J'): JournalEntry[] {
  return Array.from({ length: count }, (_, index) => {
    const dimensions = { subsidiary: '1', department: String(1 + (index % 2)), class: '1', location: '2' };
    const credits = Array.from({ length: 2 + (index % 2) }, (_, line) => {
      const cents = ((index + 1) * 7919 + line * 104729) % 9_999_999;
      return { account: ACCOUNTS[(index + line) % ACCOUNTS.length] ?? '4', amount: new Decimal(cents).dividedBy(100) };
    });
    const total = credits.reduce((sum, credit) => sum.plus(credit.amount), new Decimal(0));
    return {
      type: 'journal',
      externalId: `${prefix}-${String(index + 1).padStart(4, '0')}`,
      legalEntity: 'US',
      currency: 'USD',
      postingDate: '2026-10-31',
      memo: `usage 2026-10-31 #${index + 1}`,
      lines: [
        { account: '58', dimensions, debit: total.toFixed(2), credit: '0', memo: 'receivable', references: [] },
        ...credits.map((credit) => ({
          account: credit.account,
          dimensions,
          debit: '0',
          credit: credit.amount.toFixed(2),
          memo: 'usage revenue',
          references: [],
        })),
      ],
    };
  });
}

export interface LedgerCheck {
  /** Records held per external id (each should be 1). */
  recordsPerExternalId: Map<string, number>;
  /** External ids whose debits and credits differ. */
  unbalanced: string[];
  /** Account -> net debit (debits less credits), as decimal text. */
  netByAccount: Record<string, string>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A JSON number from NetSuite as an exact decimal: its shortest text is the decimal it was sent as. */
const exact = (value: unknown): Decimal => new Decimal(typeof value === 'number' ? String(value) : 0);

function addNet(into: Map<string, Decimal>, account: string, amount: Decimal): void {
  into.set(account, (into.get(account) ?? new Decimal(0)).plus(amount));
}

const asText = (net: Map<string, Decimal>) =>
  Object.fromEntries(
    [...net].sort(([a], [b]) => a.localeCompare(b)).map(([account, sum]) => [account, sum.toFixed(2)]),
  );

/**
 * What the account holds: records per external id, unbalanced entries, and the net per account. The
 * records must carry their lines, as `emulator.records()` gives them or GET answers with
 * `expandSubResources=true`: a journal entry whose `line` sublist is only its link is refused, never
 * counted as holding nothing.
 */
export function checkLedger(records: ReadonlyArray<Record<string, unknown>>): LedgerCheck {
  const recordsPerExternalId = new Map<string, number>();
  const unbalanced: string[] = [];
  const net = new Map<string, Decimal>();
  for (const record of records) {
    const externalId = String(record.externalId);
    recordsPerExternalId.set(externalId, (recordsPerExternalId.get(externalId) ?? 0) + 1);
    if (record.type !== 'journalEntry') continue;
    const items = isObject(record.line) ? record.line.items : undefined;
    if (!Array.isArray(items))
      throw new Error(`journal entry ${externalId} has no lines: read it with expandSubResources=true`);
    let balance = new Decimal(0);
    for (const item of items.filter(isObject)) {
      const account = isObject(item.account) ? String(item.account.id) : '?';
      const amount = exact(item.debit).minus(exact(item.credit));
      balance = balance.plus(amount);
      addNet(net, account, amount);
    }
    if (!balance.isZero()) unbalanced.push(externalId);
  }
  return { recordsPerExternalId, unbalanced, netByAccount: asText(net) };
}

/** The net per account the entries carry, as enqueued. */
export function expectedNet(entries: readonly JournalEntry[]): Record<string, string> {
  const net = new Map<string, Decimal>();
  for (const entry of entries)
    for (const line of entry.lines) addNet(net, line.account, new Decimal(line.debit).minus(line.credit));
  return asText(net);
}
