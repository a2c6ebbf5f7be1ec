import type { OracleFusionEmulator } from '../../src/emulators/oracle-fusion/index.js';
import { DeliveryFailure, type JournalEntry, type TargetDefinition } from '../../src/modules/connectors/connector.js';
import {
  createOracleFusionConnector,
  createOracleFusionContext,
} from '../../src/modules/connectors/erp-oracle-fusion/oracle-fusion-connector.js';

// What the Oracle Fusion connector's tests share: a target pointing at a test's emulator (company,
// natural account and cost center segments), its secret, a balanced journal entry, and a connector with
// its own context (so no test sees another's pending imports).

export const ORACLE_LEDGER = '300000046975971';

export const signal = () => AbortSignal.timeout(10_000);

/** The DeliveryFailure a promise rejects with; anything else fails the test. */
export async function failure(promise: Promise<unknown>): Promise<DeliveryFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DeliveryFailure) return error;
    throw error;
  }
  throw new Error('expected a DeliveryFailure');
}

/** A balanced entry of 187.00 on 2026-10-31: receivable, revenue (cost center 100) and tax. */
export function journal(externalId: string, revenueAccount = '4000', currency = 'USD'): JournalEntry {
  const dimensions = { subsidiary: '101' };
  return {
    type: 'journal',
    externalId,
    legalEntity: 'US',
    currency,
    postingDate: '2026-10-31',
    memo: `usage 2026-10-31 ${externalId}`,
    lines: [
      { account: '1200', dimensions, debit: '187.00', credit: '0', memo: 'receivable', references: [] },
      {
        account: revenueAccount,
        dimensions: { ...dimensions, department: '100' },
        debit: '0',
        credit: '150.55',
        memo: 'usage',
        references: [],
      },
      { account: '2300', dimensions, debit: '0', credit: '36.45', memo: 'tax', references: [] },
    ],
  };
}

/** Targets, secrets and connectors for the emulator `current()` answers. */
export function oracleConnectorFixtures(current: () => OracleFusionEmulator) {
  function target(settings: Record<string, unknown> = {}, baseUrl = current().url): TargetDefinition {
    return {
      key: 'oracle-us',
      kind: 'oracle-fusion',
      settings: {
        baseUrl,
        ledgerId: ORACLE_LEDGER,
        dataAccessSetId: '300000046975980',
        source: 'Meterbridge',
        category: 'Usage',
        segments: [
          { source: 'dimension', dimension: 'subsidiary' },
          { source: 'account' },
          { source: 'dimension', dimension: 'department', default: '000' },
        ],
        pollIntervalMs: 10,
        timeoutMs: 5000,
        ...settings,
      },
      credentials: 'ORACLE',
      limits: { requestsPerSecond: 100, concurrency: 4 },
    };
  }

  const secret =
    (password = current().credentials.password) =>
    async () =>
      JSON.stringify({ username: current().credentials.username, password });

  const connectorFor = (settings: Record<string, unknown> = {}, password?: string, baseUrl?: string) =>
    createOracleFusionConnector(target(settings, baseUrl), secret(password), createOracleFusionContext());

  return { target, secret, connectorFor };
}
