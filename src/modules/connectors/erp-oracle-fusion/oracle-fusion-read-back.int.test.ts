import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOracleFusionEmulator, type OracleFusionEmulator } from '../../../emulators/oracle-fusion/index.js';
import type { JournalEntry } from '../connector.js';
import {
  failure,
  journal,
  oracleConnectorFixtures,
  signal,
} from '../../../../test/harness/oracle-connector-fixtures.js';
import { base, csv, line, oracleEmulatorClient, zip } from '../../../../test/harness/oracle-emulator-client.js';
import { countingPace } from '../../../../test/harness/counting-pace.js';

// Reading Oracle back for reconciliation, against the emulator: a journal's total and lines in one request
// (a line booked elsewhere by hand shows, its total kept; journals or lines the expanded answer cut are read
// page by page), and the ledger's batches dated in a range, read page by page, each once, under the
// external id its name carries; a throttled, failed or unsafe listing is a DeliveryFailure of its class.

let emulator: OracleFusionEmulator;

beforeAll(async () => {
  emulator = await startOracleFusionEmulator({ seed: 6, jobMs: 20 });
});
afterAll(() => emulator?.close());
afterEach(() => emulator.reset());

const { connectorFor } = oracleConnectorFixtures(() => emulator);
const OCTOBER = { from: '2026-10-01', to: '2026-10-31' };

/** A balanced entry of `count` revenue lines of 1.00 and their receivable: more lines than an expansion carries. */
function longJournal(externalId: string, count: number): JournalEntry {
  const [receivable, revenue] = journal(externalId).lines as [JournalEntry['lines'][0], JournalEntry['lines'][0]];
  return {
    ...journal(externalId),
    lines: [
      { ...receivable, debit: `${count}.00` },
      ...Array.from({ length: count }, () => ({ ...revenue, credit: '1.00' })),
    ],
  };
}

describe('the Oracle Fusion connector’s read-back', () => {
  it('reads a journal’s lines under Meterbridge’s accounts, and shows a line booked elsewhere by hand', async () => {
    const connector = connectorFor();
    const { id } = await connector.deliver(journal('J-READ'), signal());
    expect(emulator.moveLine(Number(id), { line: 2, combination: '101.4100.100' })).toBe(true);
    expect(await connector.find(journal('J-READ'), signal())).toEqual({
      id,
      total: '187',
      lines: [
        { place: '1200', amount: '187' },
        { place: '4100', amount: '-150.55' },
        { place: '2300', amount: '-36.45' },
      ],
    });
  });

  it('reads journals on their own, asking no expand again, from a pod that refuses the expanded look-up', async () => {
    const { id } = await connectorFor().deliver(journal('J-PLAIN'), signal());
    // A pod whose journalBatches takes no expand (or no framework version 3): Oracle's 400 to any expand.
    const asked: string[] = [];
    const pod = createServer((request, response) => {
      const url = request.url ?? '/';
      asked.push(url);
      if (url.includes('expand=')) {
        response.writeHead(400, { 'content-type': 'application/vnd.oracle.adf.error+json' });
        response.end(
          JSON.stringify({
            title: 'Bad Request',
            status: '400',
            'o:errorDetails': [{ detail: 'expand', 'o:errorCode': '27023' }],
          }),
        );
        return;
      }
      void fetch(`${emulator.url}${url}`, { headers: { authorization: request.headers.authorization ?? '' } }).then(
        async (answer) => {
          response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
          response.end(await answer.text());
        },
      );
    });
    await new Promise<void>((resolve) => pod.listen(0, '127.0.0.1', resolve));
    try {
      const connector = connectorFor({}, undefined, `http://127.0.0.1:${(pod.address() as AddressInfo).port}`);
      const expected = {
        id,
        total: '187',
        lines: [
          { place: '1200', amount: '187' },
          { place: '4000', amount: '-150.55' },
          { place: '2300', amount: '-36.45' },
        ],
      };
      expect(await connector.find(journal('J-PLAIN'), signal())).toEqual(expected);
      // The refused look-up, the plain look-up, the journals, the lines.
      expect(asked).toHaveLength(4);
      expect(await connector.find(journal('J-PLAIN'), signal())).toEqual(expected);
      expect(asked).toHaveLength(7);
      expect(asked.slice(4).some((url) => url.includes('expand='))).toBe(false);
    } finally {
      await new Promise((resolve) => pod.close(resolve));
    }
  });

  it('lists every batch dated in the range once, page after page of 500, with its total and external id', async () => {
    const connector = connectorFor();
    const { id } = await connector.deliver(journal('J-LIST'), signal());
    for (let copy = 0; copy < 1_100; copy += 1) emulator.copyBatch(Number(id));
    const before = emulator.stats().requests;
    const listed = await connector.listHeld!(OCTOBER, signal());
    expect(emulator.stats().requests - before).toBe(3);
    expect(listed).toHaveLength(1_101);
    expect(new Set(listed.map((document) => document.id)).size).toBe(1_101);
    expect(listed[0]).toEqual({ id, externalId: 'J-LIST', type: 'Meterbridge', total: '187' });
    expect(listed.every((document) => document.externalId === 'J-LIST' && document.total === '187')).toBe(true);
    expect(await connector.listHeld!({ from: '2026-11-01', to: '2026-11-30' }, signal())).toEqual([]);
    expect(await connector.listHeld!({ from: '2026-10-31', to: '2026-10-31' }, signal())).toHaveLength(1_101);
  });

  it("awaits reconciliation's pace before each request a read sends: as many times as Oracle was asked", async () => {
    const connector = connectorFor();
    const { id } = await connector.deliver(journal('J-PACE'), signal());
    for (let copy = 0; copy < 1_000; copy += 1) emulator.copyBatch(Number(id));
    const { pace, counted } = countingPace(() => emulator.stats().requests);
    // A look-up is one request: the batch with its journals and their lines expanded; one of nothing too.
    const found = await counted(() => connector.find(journal('J-PACE'), signal(), { queuedAt: new Date(), pace }));
    expect(found).toEqual({ paced: 1, received: 1 });
    const missing = await counted(() => connector.find(journal('J-NONE'), signal(), { queuedAt: new Date(), pace }));
    expect(missing).toEqual({ paced: 1, received: 1 });
    // 1,001 batches, 500 to a page: every page was paced.
    expect(await counted(() => connector.listHeld!(OCTOBER, signal(), pace))).toEqual({ paced: 3, received: 3 });
    // Without a pace (the dispatcher's look-up after an unknown outcome) nothing is awaited.
    const unpaced = await counted(() => connector.find(journal('J-PACE'), signal(), { queuedAt: new Date() }));
    expect(unpaced).toEqual({ paced: 0, received: 1 });
  });

  it('reads a journal back in one request: the batch with its journals and their lines expanded', async () => {
    const connector = connectorFor();
    const { id } = await connector.deliver(journal('J-ONE'), signal());
    const before = emulator.stats().requests;
    expect(await connector.find(journal('J-ONE'), signal())).toEqual({
      id,
      total: '187',
      lines: [
        { place: '1200', amount: '187' },
        { place: '4000', amount: '-150.55' },
        { place: '2300', amount: '-36.45' },
      ],
    });
    expect(emulator.stats().requests - before).toBe(1);
  });

  it('reads lines the expanded payload says it cut (hasMore) page by page, paced: one more request', async () => {
    const connector = connectorFor();
    const { id } = await connector.deliver(longJournal('J-LONG', 40), signal());
    let paced = 0;
    const before = emulator.stats().requests;
    const held = await connector.find(longJournal('J-LONG', 40), signal(), {
      queuedAt: new Date(),
      pace: async () => {
        paced += 1;
      },
    });
    expect({ paced, received: emulator.stats().requests - before }).toEqual({ paced: 2, received: 2 });
    expect(held?.id).toBe(id);
    expect(held?.total).toBe('40');
    expect(held?.lines).toHaveLength(41);
    expect(held?.lines?.filter((line) => line.place === '4000' && line.amount === '-1')).toHaveLength(40);
  });

  it('reads journals the expanded payload says it cut page by page, each page with its lines expanded', async () => {
    const { imported } = oracleEmulatorClient(() => emulator);
    // One batch of 30 journals, as an import of another integration could make one.
    const rows = Array.from({ length: 30 }, (_, at) => {
      const names = { ...base(), REFERENCE1: 'Meterbridge J-WIDE', REFERENCE4: `Journal ${at + 1}` };
      return [
        line({ ...names, SEGMENT2: '1200', ENTERED_DR: '100.25' }),
        line({ ...names, SEGMENT2: '4000', ENTERED_CR: '100.25' }),
      ];
    }).flat();
    expect((await imported(zip(csv(rows)))).end).toBe('SUCCEEDED');
    const before = emulator.stats().requests;
    const held = await connectorFor().find(journal('J-WIDE'), signal());
    // The batch (25 of its 30 journals, hasMore), then its 30 journals with their lines in one page.
    expect(emulator.stats().requests - before).toBe(2);
    expect(held?.total).toBe('3007.5');
    expect(held?.lines).toHaveLength(60);
  });

  it('answers a throttled listing as throttled, with when to ask again', async () => {
    const connector = connectorFor();
    const { id } = await connector.deliver(journal('J-SLOW'), signal());
    for (let copy = 0; copy < 600; copy += 1) emulator.copyBatch(Number(id));
    emulator.setFaults({ ratePerSecond: 1 });
    const throttled = await failure(connector.listHeld!(OCTOBER, signal()));
    expect(throttled.failureClass).toBe('throttled');
    expect(throttled.detail).toMatchObject({ status: 429, retryAfterMs: 1000, throttledOn: 'rate' });
  });

  it('answers a listing the pod cannot serve as unavailable, and a bad login as auth', async () => {
    emulator.setFaults({ outage: { mode: '503', untilMs: Date.now() + 60_000 } });
    expect((await failure(connectorFor().listHeld!(OCTOBER, signal()))).failureClass).toBe('unavailable');
    emulator.setFaults({ outage: undefined });
    expect((await failure(connectorFor({}, 'wrong').listHeld!(OCTOBER, signal()))).failureClass).toBe('auth');
  });

  it('quotes only real dates into the query: any other range is invalid before a request', async () => {
    const connector = connectorFor();
    const before = emulator.stats().requests;
    for (const range of [
      { from: "2026-10-01' or '1'='1", to: '2026-10-31' },
      { from: '2026-10-01', to: '2026-02-30' },
      { from: '2026-10-31', to: '2026-10-01' },
      { from: '20261001', to: '2026-10-31' },
      { from: '2026-10-01\u0000', to: '2026-10-31' },
    ])
      expect((await failure(connector.listHeld!(range, signal()))).failureClass).toBe('invalid');
    expect(emulator.stats().requests).toBe(before);
  });
});
