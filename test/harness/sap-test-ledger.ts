import { Decimal } from 'decimal.js';
import type {
  JournalEntry,
  SecretResolver,
  TargetDefinition,
  TargetLimits,
} from '../../src/modules/connectors/index.js';
import type { SapEmulator, StoredDocument } from '../../src/emulators/sap-s4hana/index.js';

// For the SAP connector's tests: a period's worth of balanced journal entries on the emulator's default
// chart (company code 1710, USD, chart of accounts YCOA), a target pointing at an emulator, and a check of
// what the emulated tenant holds, summed with decimal.js to the cent.

export const RECEIVABLE = '12100000';
const REVENUE = ['41000000', '41000100', '44000000', '48000000'] as const;
const COST_CENTERS = ['17101101', '17101201'] as const;

/** `count` balanced entries: a receivable debit and two or three revenue credits of deterministic cents. */
export function sapPeriodEntries(count: number, prefix = 'J'): JournalEntry[] {
  return Array.from({ length: count }, (_, index) => {
    const dimensions = { department: COST_CENTERS[index % 2] ?? '17101101', class: 'YB101' };
    const credits = Array.from({ length: 2 + (index % 2) }, (_, line) => {
      const cents = ((index + 1) * 7919 + line * 104729) % 9_999_999;
      return {
        account: REVENUE[(index + line) % REVENUE.length] ?? '41000000',
        amount: new Decimal(cents).dividedBy(100),
      };
    });
    const total = credits.reduce((sum, credit) => sum.plus(credit.amount), new Decimal(0));
    return {
      type: 'journal',
      externalId: `${prefix}-${String(index + 1).padStart(14, '0')}`,
      legalEntity: 'US',
      currency: 'USD',
      postingDate: '2026-10-31',
      memo: `Meterbridge usage revenue US USD 2026-10-31 #${index + 1}`,
      lines: [
        { account: RECEIVABLE, dimensions, debit: total.toFixed(2), credit: '0', memo: 'receivable', references: [] },
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

/** A target as a catalog would declare it, pointing at the emulator (Basic authentication). */
export function sapTarget(
  emulator: Pick<SapEmulator, 'url'>,
  limits: TargetLimits = { requestsPerSecond: 1000, concurrency: 4 },
  settings: Record<string, unknown> = {},
): TargetDefinition {
  return {
    key: 'sap-us',
    kind: 'sap-s4hana',
    settings: { baseUrl: emulator.url, companyCode: '1710', auth: { method: 'basic' }, timeoutMs: 5000, ...settings },
    credentials: 'SAP_US',
    limits,
  };
}

export const sapSecrets =
  (emulator: Pick<SapEmulator, 'credentials'>): SecretResolver =>
  async () =>
    JSON.stringify({ user: emulator.credentials.user, password: emulator.credentials.password });

export interface SapLedgerCheck {
  /** Documents held per DocumentReferenceID (each should be 1). */
  documentsPerReference: Map<string, number>;
  /** References of documents whose items do not sum to zero. */
  unbalanced: string[];
  /** G/L account -> net debit (debits less credits), as decimal text. */
  netByAccount: Record<string, string>;
}

export function checkSapLedger(documents: readonly StoredDocument[]): SapLedgerCheck {
  const documentsPerReference = new Map<string, number>();
  const unbalanced: string[] = [];
  const net = new Map<string, Decimal>();
  for (const document of documents) {
    const reference = document.documentReferenceId;
    documentsPerReference.set(reference, (documentsPerReference.get(reference) ?? 0) + 1);
    let balance = new Decimal(0);
    for (const item of document.items) {
      balance = balance.plus(item.amount);
      net.set(item.glAccount, (net.get(item.glAccount) ?? new Decimal(0)).plus(item.amount));
    }
    if (!balance.isZero()) unbalanced.push(reference);
  }
  return { documentsPerReference, unbalanced, netByAccount: asText(net) };
}

const asText = (net: Map<string, Decimal>) =>
  Object.fromEntries(
    [...net].sort(([a], [b]) => a.localeCompare(b)).map(([account, sum]) => [account, sum.toFixed(2)]),
  );

/** The net per account the entries carry, as enqueued. */
export function expectedSapNet(entries: readonly JournalEntry[]): Record<string, string> {
  const net = new Map<string, Decimal>();
  for (const entry of entries)
    for (const line of entry.lines)
      net.set(line.account, (net.get(line.account) ?? new Decimal(0)).plus(new Decimal(line.debit).minus(line.credit)));
  return asText(net);
}
