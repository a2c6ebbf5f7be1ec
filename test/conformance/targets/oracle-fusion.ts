import { startOracleFusionEmulator } from '../../../src/emulators/oracle-fusion/index.js';
import {
  createOracleFusionConnector,
  createOracleFusionContext,
} from '../../../src/modules/connectors/erp-oracle-fusion/oracle-fusion-connector.js';
import type { JournalEntry, PostingBody } from '../../../src/modules/connectors/index.js';
import { expectedNet, periodEntries } from '../../harness/netsuite-test-ledger.js';
import { checkOracleLedger } from '../../harness/oracle-test-ledger.js';
import { countsFromOutcomes, sharedFaultSettings, type CountingTarget } from '../emulator-faults.js';

// Oracle Fusion through FBDI (a zipped GlInterface.csv, Journal Import as an ESS job, polled), against
// the Oracle Fusion emulator. The entries are the NetSuite target's: company from the subsidiary, the
// natural account, cost center from the department; the ledger's chart holds exactly those combinations.

const journals = (bodies: readonly PostingBody[]) => bodies as readonly JournalEntry[];
const LEDGER = '300000046975971';
const combinations = ['58', '4', '6', '54', '112'].flatMap((account) =>
  ['1', '2'].map((center) => `1.${account}.${center}`),
);

export const conformanceTarget: CountingTarget = {
  kind: 'oracle-fusion',
  bodies: (count) => periodEntries(count, 'OF'),
  expectedTotals: (bodies) => expectedNet(journals(bodies)),
  invalid() {
    const [fixed] = periodEntries(1, 'BAD') as [JournalEntry];
    const wrong = { ...fixed, lines: fixed.lines.map((line, i) => (i ? line : { ...line, account: '999' })) };
    return { wrong, fixed, refusal: /EF04 The account 1\.999\.1 isn't a valid combination/ };
  },
  async start() {
    const emulator = await startOracleFusionEmulator({
      seed: 11,
      jobMs: 40,
      ledgers: [
        {
          id: LEDGER,
          name: 'Conformance Ledger',
          currency: 'USD',
          currencies: ['USD'],
          dataAccessSets: ['300000046975980'],
          combinations,
          closedPeriods: [],
        },
      ],
    });
    const { username, password } = emulator.credentials;
    const batchOf = (externalId: string) => {
      const batch = emulator.batches().find((candidate) => candidate.name === `Meterbridge ${externalId}`);
      if (!batch) throw new Error(`the emulator holds no batch for ${externalId}`);
      return batch;
    };
    return {
      target: (limits) => ({
        key: 'conformance',
        kind: 'oracle-fusion',
        settings: {
          baseUrl: emulator.url,
          ledgerId: LEDGER,
          dataAccessSetId: '300000046975980',
          source: 'Meterbridge',
          category: 'Usage',
          segments: [
            { source: 'dimension', dimension: 'subsidiary' },
            { source: 'account' },
            { source: 'dimension', dimension: 'department' },
          ],
          pollIntervalMs: 15,
          timeoutMs: 3000,
        },
        credentials: 'ORACLE',
        limits,
      }),
      secrets: async () => JSON.stringify({ username, password }),
      setFaults(faults) {
        const { concurrency, ratePerSecond } = faults;
        emulator.setFaults({
          concurrency: concurrency ?? 1000,
          ratePerSecond,
          ...sharedFaultSettings(faults),
        });
      },
      async held() {
        const { batchesPerExternalId, unbalanced, netByAccount } = checkOracleLedger(emulator.batches());
        return { documentsPerExternalId: batchesPerExternalId, unbalanced, totals: netByAccount };
      },
      async copyByHand(externalId) {
        // Someone imports the same file again (or copies the batch): a second batch of the same name.
        if (!emulator.copyBatch(batchOf(externalId).id)) throw new Error(`no batch to copy for ${externalId}`);
      },
      async moveByHand(externalId) {
        // A person books the journal's first line to another natural account of the chart, amount kept.
        const batch = batchOf(externalId);
        const [company, account, center] = batch.journals[0]!.lines[0]!.combination.split('.');
        const elsewhere = combinations.find((combination) => {
          const [otherCompany, otherAccount, otherCenter] = combination.split('.');
          return otherCompany === company && otherCenter === center && otherAccount !== account;
        });
        if (!elsewhere || !emulator.moveLine(batch.id, { line: 1, combination: elsewhere }))
          throw new Error(`no line of ${externalId} could be moved`);
      },
      counts: () => countsFromOutcomes(emulator.stats().outcomes),
      requests: () => emulator.stats().requests,
      close: () => emulator.close(),
    };
  },
  connector: (definition, secrets) => createOracleFusionConnector(definition, secrets, createOracleFusionContext()),
};
