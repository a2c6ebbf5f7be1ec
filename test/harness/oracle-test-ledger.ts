import { Decimal } from 'decimal.js';
import type { StoredBatch } from '../../src/emulators/oracle-fusion/index.js';

// What an emulated Oracle ledger holds, checked against Meterbridge's entries: batches per external id
// (from the batch name `Meterbridge <external id>`), unbalanced batches, and the net per natural account
// (the combination's `accountSegment`, 1-based), summed with decimal.js to the cent.

export interface OracleLedgerCheck {
  batchesPerExternalId: Map<string, number>;
  unbalanced: string[];
  /** Account -> net debit, as decimal text (the form of netsuite-test-ledger's expectedNet). */
  netByAccount: Record<string, string>;
}

export function checkOracleLedger(batches: readonly StoredBatch[], accountSegment = 2): OracleLedgerCheck {
  const batchesPerExternalId = new Map<string, number>();
  const unbalanced: string[] = [];
  const net = new Map<string, Decimal>();
  for (const batch of batches) {
    const externalId = batch.name.replace(/^Meterbridge /, '');
    batchesPerExternalId.set(externalId, (batchesPerExternalId.get(externalId) ?? 0) + 1);
    let balance = new Decimal(0);
    for (const line of batch.journals.flatMap((journal) => journal.lines)) {
      const amount = new Decimal(line.enteredDr || 0).minus(line.enteredCr || 0);
      const account = line.combination.split('.')[accountSegment - 1] ?? '?';
      net.set(account, (net.get(account) ?? new Decimal(0)).plus(amount));
      balance = balance.plus(amount);
    }
    if (!balance.isZero()) unbalanced.push(externalId);
  }
  const netByAccount = Object.fromEntries(
    [...net].sort(([a], [b]) => a.localeCompare(b)).map(([account, sum]) => [account, sum.toFixed(2)]),
  );
  return { batchesPerExternalId, unbalanced, netByAccount };
}
