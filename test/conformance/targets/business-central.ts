import { startBusinessCentralEmulator } from '../../../src/emulators/business-central/index.js';
import {
  createBusinessCentralConnector,
  createBusinessCentralContext,
} from '../../../src/modules/connectors/erp-business-central/business-central-connector.js';
import type { JournalEntry, PostingBody } from '../../../src/modules/connectors/index.js';
import {
  bcExpectedNet,
  bcPeriodEntries,
  bcSecret,
  bcTarget,
  checkBcLedger,
} from '../../harness/business-central-test-ledger.js';
import { countsFromOutcomes, sharedFaultSettings, type CountingTarget } from '../emulator-faults.js';

const journals = (bodies: readonly PostingBody[]) => bodies as readonly JournalEntry[];

/**
 * Business Central through its API v2.0 (journal batches, posted and read back as G/L entries), with an
 * Entra client secret, against the Business Central emulator. A posting held twice would be two
 * transactions under its document number.
 */
export const conformanceTarget: CountingTarget = {
  kind: 'business-central',
  bodies: (count) => bcPeriodEntries(count),
  expectedTotals: (bodies) => bcExpectedNet(journals(bodies)),
  invalid() {
    const [fixed] = bcPeriodEntries(1, 'BAD') as [JournalEntry];
    const wrong = { ...fixed, lines: fixed.lines.map((line, i) => (i ? line : { ...line, account: '99999' })) };
    return { wrong, fixed, refusal: /The \\"accountNumber\\" does not match to an Account\./ };
  },
  async start() {
    const emulator = await startBusinessCentralEmulator({ seed: 11 });
    return {
      target: (limits) => ({ ...bcTarget(emulator, {}, limits), key: 'conformance' }),
      secrets: bcSecret(emulator),
      setFaults(faults) {
        const { concurrency, ratePerSecond } = faults;
        emulator.setFaults({
          concurrency: concurrency ?? 1000,
          // A requests-per-second limit is BC's sliding window, one second wide.
          windowRequests: ratePerSecond ?? 1_000_000,
          windowMs: ratePerSecond === undefined ? 300_000 : 1000,
          ...sharedFaultSettings(faults),
        });
      },
      async held() {
        const ledger = checkBcLedger(emulator.ledger());
        return {
          documentsPerExternalId: ledger.transactionsPerDocument,
          unbalanced: ledger.unbalanced,
          totals: ledger.netByAccount,
        };
      },
      // A person posting the entry again, at the work date, under its document number; and moving one
      // G/L entry's amount to another account.
      copyByHand: async (externalId) => emulator.copyByHand(externalId),
      moveByHand: async (externalId) => emulator.moveByHand(externalId),
      counts: () => countsFromOutcomes(emulator.stats().outcomes),
      requests: () => emulator.stats().requests,
      close: () => emulator.close(),
    };
  },
  connector: (definition, secrets) =>
    createBusinessCentralConnector(definition, secrets, createBusinessCentralContext()),
};
