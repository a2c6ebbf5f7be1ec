import { createSapConnector } from '../../../src/modules/connectors/erp-sap/sap-connector.js';
import type { JournalEntry, PostingBody } from '../../../src/modules/connectors/index.js';
import { startSapEmulator } from '../../../src/emulators/sap-s4hana/index.js';
import {
  checkSapLedger,
  expectedSapNet,
  sapPeriodEntries,
  sapSecrets,
  sapTarget,
} from '../../harness/sap-test-ledger.js';
import { countsFromOutcomes, sharedFaultSettings, type CountingTarget } from '../emulator-faults.js';

const journals = (bodies: readonly PostingBody[]) => bodies as readonly JournalEntry[];

/** SAP S/4HANA Cloud: the SOAP journal entry post and the OData item cube, against the SAP emulator. */
export const conformanceTarget: CountingTarget = {
  kind: 'sap-s4hana',
  bodies: (count) => sapPeriodEntries(count),
  expectedTotals: (bodies) => expectedSapNet(journals(bodies)),
  invalid() {
    const [fixed] = sapPeriodEntries(1, 'B') as [JournalEntry];
    const wrong = { ...fixed, lines: fixed.lines.map((line, i) => (i ? line : { ...line, account: '99999999' })) };
    return { wrong, fixed, refusal: /G\/L account 99999999 is not defined in chart of accounts YCOA/ };
  },
  async start() {
    const emulator = await startSapEmulator({ seed: 13 });
    return {
      target: (limits) => sapTarget(emulator, limits),
      secrets: sapSecrets(emulator),
      setFaults(faults) {
        const { concurrency, ratePerSecond } = faults;
        emulator.setFaults({
          concurrency,
          ratePerSecond,
          ...sharedFaultSettings(faults),
        });
      },
      async held() {
        const ledger = checkSapLedger(emulator.documents());
        return {
          documentsPerExternalId: ledger.documentsPerReference,
          unbalanced: ledger.unbalanced,
          totals: ledger.netByAccount,
        };
      },
      async copyByHand(externalId) {
        emulator.copyByHand({ documentReferenceId: externalId });
      },
      async moveByHand(externalId) {
        // The whole last item (a revenue credit) to an account the entry does not use: its total is kept.
        emulator.moveByHand({ documentReferenceId: externalId });
      },
      counts: () => countsFromOutcomes(emulator.stats().outcomes),
      requests: () => emulator.stats().requests,
      close: () => emulator.close(),
    };
  },
  connector: (definition, secrets) => createSapConnector(definition, secrets),
};
