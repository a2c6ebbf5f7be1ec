import { Decimal } from 'decimal.js';
import type { JournalEntry, TargetDefinition, TargetLimits } from '../../src/modules/connectors/index.js';
import type { BusinessCentralEmulator, LedgerEntry } from '../../src/emulators/business-central/index.js';

// For the Business Central connector's tests: a period's worth of balanced journal entries on the
// emulator's chart of accounts, a target pointing at an emulator, and a check of the general ledger the
// emulator holds against the entries, summed with decimal.js to the cent. A posting is a transaction of
// G/L entries whose document number is its external id: held twice, it would be two transactions.

const REVENUE = ['40100', '40200', '40300'] as const;

/**
 * `count` balanced entries: a receivable debit and two or three revenue credits of deterministic cents,
 * every line carrying `dimensions` (none by default; a target posting them maps them in its settings).
 */
export function bcPeriodEntries(count: number, prefix = 'J', dimensions: Record<string, string> = {}): JournalEntry[] {
  return Array.from({ length: count }, (_, index) => {
    const credits = Array.from({ length: 2 + (index % 2) }, (_, line) => {
      const cents = ((index + 1) * 7919 + line * 104729) % 9_999_999;
      return { account: REVENUE[(index + line) % REVENUE.length]!, amount: new Decimal(cents).dividedBy(100) };
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
        {
          account: '13100',
          dimensions: { ...dimensions },
          debit: total.toFixed(2),
          credit: '0',
          memo: 'receivable',
          references: [],
        },
        ...credits.map((credit) => ({
          account: credit.account,
          dimensions: { ...dimensions },
          debit: '0',
          credit: credit.amount.toFixed(2),
          memo: 'usage revenue',
          references: [],
        })),
      ],
    };
  });
}

/** A target of the emulator as a catalog would declare it, and the secret it resolves. */
export function bcTarget(
  emulator: BusinessCentralEmulator,
  settings: Record<string, unknown> = {},
  limits: TargetLimits = { requestsPerSecond: 100, concurrency: 4 },
): TargetDefinition {
  return {
    key: 'bc',
    kind: 'business-central',
    settings: {
      baseUrl: emulator.url,
      tenant: emulator.credentials.tenant,
      environment: emulator.credentials.environment,
      companyId: emulator.company.id,
      clientId: emulator.credentials.clientId,
      tokenEndpoint: emulator.tokenEndpoint,
      localCurrency: 'USD',
      ...settings,
    },
    credentials: 'BC',
    limits,
  };
}

export const bcSecret = (emulator: BusinessCentralEmulator) => async () =>
  JSON.stringify({ clientSecret: emulator.credentials.clientSecret });

export interface BcLedgerCheck {
  /** Document number -> transactions holding it (a posting held once is one transaction). */
  transactionsPerDocument: Map<string, number>;
  /** Document numbers whose entries' debits and credits differ. */
  unbalanced: string[];
  /** Account -> net debit (debits less credits), as decimal text. */
  netByAccount: Record<string, string>;
  /** Document number -> the distinct dimension sets of its entries, each as `CODE=VALUE,...` in code order. */
  dimensionSetsPerDocument: Map<string, string[]>;
}

const asText = (net: Map<string, Decimal>) =>
  Object.fromEntries(
    [...net].sort(([a], [b]) => a.localeCompare(b)).map(([account, sum]) => [account, sum.toFixed(2)]),
  );

export function checkBcLedger(entries: readonly LedgerEntry[]): BcLedgerCheck {
  const transactions = new Map<string, Set<number>>();
  const balance = new Map<string, Decimal>();
  const net = new Map<string, Decimal>();
  const sets = new Map<string, Set<string>>();
  for (const entry of entries) {
    const set = Object.entries(entry.dimensions)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, value]) => `${code}=${value}`)
      .join(',');
    sets.set(entry.documentNumber, (sets.get(entry.documentNumber) ?? new Set()).add(set));
    const amount = new Decimal(entry.debit).minus(entry.credit);
    transactions.set(
      entry.documentNumber,
      (transactions.get(entry.documentNumber) ?? new Set()).add(entry.transactionNumber),
    );
    balance.set(entry.documentNumber, (balance.get(entry.documentNumber) ?? new Decimal(0)).plus(amount));
    net.set(entry.accountNumber, (net.get(entry.accountNumber) ?? new Decimal(0)).plus(amount));
  }
  return {
    transactionsPerDocument: new Map([...transactions].map(([document, set]) => [document, set.size])),
    unbalanced: [...balance].filter(([, sum]) => !sum.isZero()).map(([document]) => document),
    netByAccount: asText(net),
    dimensionSetsPerDocument: new Map([...sets].map(([document, held]) => [document, [...held].sort()])),
  };
}

/** The net per account the entries carry, as enqueued. */
export function bcExpectedNet(entries: readonly JournalEntry[]): Record<string, string> {
  const net = new Map<string, Decimal>();
  for (const entry of entries)
    for (const line of entry.lines)
      net.set(line.account, (net.get(line.account) ?? new Decimal(0)).plus(new Decimal(line.debit).minus(line.credit)));
  return asText(net);
}

/**
 * One request to the emulator's API with a fresh token, as a person working in BC would send it; a
 * status past 299 throws with BC's answer.
 */
export async function bcApi(
  emulator: BusinessCentralEmulator,
  method: string,
  path: string,
  body?: unknown,
  ifMatch?: string,
): Promise<Record<string, unknown>> {
  const token = await fetch(emulator.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: emulator.credentials.clientId,
      client_secret: emulator.credentials.clientSecret,
      scope: 'https://api.businesscentral.dynamics.com/.default',
    }),
  });
  const { access_token } = (await token.json()) as { access_token: string };
  const { tenant, environment } = emulator.credentials;
  const response = await fetch(
    `${emulator.url}/v2.0/${tenant}/${environment}/api/v2.0/companies(${emulator.company.id})/${path}`,
    {
      method,
      headers: {
        authorization: `Bearer ${access_token}`,
        'content-type': 'application/json',
        ...(ifMatch ? { 'if-match': ifMatch } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
  );
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}
