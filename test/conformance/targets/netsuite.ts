import {
  createNetSuiteConnector,
  createNetSuiteContext,
} from '../../../src/modules/connectors/erp-netsuite/netsuite-connector.js';
import type { JournalEntry, PostingBody } from '../../../src/modules/connectors/index.js';
import { startNetSuiteEmulator } from '../../../src/emulators/netsuite/index.js';
import { checkLedger, expectedNet, periodEntries } from '../../harness/netsuite-test-ledger.js';
import { countsFromOutcomes, sharedFaultSettings, type CountingTarget } from '../emulator-faults.js';

const journals = (bodies: readonly PostingBody[]) => bodies as readonly JournalEntry[];

/** NetSuite through its REST web services, TBA-signed, against the NetSuite emulator. */
export const conformanceTarget: CountingTarget = {
  kind: 'netsuite',
  bodies: (count) => periodEntries(count),
  expectedTotals: (bodies) => expectedNet(journals(bodies)),
  invalid() {
    const [fixed] = periodEntries(1, 'BAD') as [JournalEntry];
    const wrong = { ...fixed, lines: fixed.lines.map((line, i) => (i ? line : { ...line, account: '999' })) };
    return {
      wrong,
      fixed,
      refusal: /Invalid Field Value 999 for the following field: account/,
      attempt: { statusCode: 400, errorCode: 'INVALID_CONTENT', errorPath: 'line.items[0].account' },
    };
  },
  async start() {
    const emulator = await startNetSuiteEmulator({ seed: 11 });
    const { consumerKey, consumerSecret, tokenId, tokenSecret } = emulator.credentials;
    return {
      target: (limits) => ({
        key: 'conformance',
        kind: 'netsuite',
        settings: {
          accountId: '1234567_SB1',
          baseUrl: emulator.url,
          auth: { method: 'tba' },
          currencies: { USD: '1' },
        },
        credentials: 'NS',
        limits,
      }),
      secrets: async () => JSON.stringify({ consumerKey, consumerSecret, tokenId, tokenSecret }),
      setFaults(faults) {
        const { concurrency, ratePerSecond } = faults;
        emulator.setFaults({
          concurrency: concurrency ?? 1000,
          ratePerSecond,
          ...sharedFaultSettings(faults),
        });
      },
      async held() {
        const ledger = checkLedger(emulator.records());
        return {
          documentsPerExternalId: ledger.recordsPerExternalId,
          unbalanced: ledger.unbalanced,
          totals: ledger.netByAccount,
        };
      },
      async copyByHand(externalId) {
        emulator.copyByHand(externalId);
      },
      async moveByHand(externalId) {
        emulator.moveByHand(externalId);
      },
      counts: () => countsFromOutcomes(emulator.stats().outcomes),
      requests: () => emulator.stats().requests,
      close: () => emulator.close(),
    };
  },
  connector: (definition, secrets) => createNetSuiteConnector(definition, secrets, createNetSuiteContext()),
};
