import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSapEmulator, type SapEmulator } from '../../../emulators/sap-s4hana/index.js';
import { sapPeriodEntries, sapSecrets, sapTarget } from '../../../../test/harness/sap-test-ledger.js';
import { DeliveryFailure, type HeldDocument, type JournalEntry } from '../connector.js';
import { createSapConnector } from './sap-connector.js';
import { countingPace } from '../../../../test/harness/counting-pace.js';

// The read-back against the SAP emulator: find, findMany and listHeld answer each entry's id, debits and
// items as Meterbridge sent them, over several pages (the service's own __next pages, and $skip windows of
// 1000 rows), over the target's company codes; a copy and an edit made by hand show; a throttled listing
// is a throttled DeliveryFailure with SAP's Retry-After; an answer that is not the cube's is refused.

const signal = () => AbortSignal.timeout(20_000);
const OCTOBER = { from: '2026-10-01', to: '2026-10-31' };
const SETTINGS = { companyCodes: { DE: '1010' } };

/** What find must answer for a body: its debits, and each line's account and debit less credit. */
const asSent = (body: JournalEntry) => ({
  total: body.lines.reduce((sum, line) => sum.plus(line.debit), new Decimal(0)),
  lines: body.lines.map((line) => [line.account, new Decimal(line.debit).minus(line.credit).toFixed()]),
});
const asHeld = (held: HeldDocument | undefined) => ({
  total: new Decimal(held?.total ?? NaN),
  lines: (held?.lines ?? []).map((line) => [line.place, new Decimal(line.amount).toFixed()]),
});

async function failure(promise: Promise<unknown>): Promise<DeliveryFailure> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DeliveryFailure);
  return error as DeliveryFailure;
}

describe('the SAP read-back over a service that pages on its own', () => {
  let emulator: SapEmulator;
  beforeAll(async () => {
    emulator = await startSapEmulator({ seed: 11, maxPageRows: 4 });
  });
  afterAll(() => emulator?.close());
  beforeEach(() => emulator.reset());
  const connector = () => createSapConnector(sapTarget(emulator, undefined, SETTINGS), sapSecrets(emulator));

  /** Six entries, two of them for the legal entity posting to company code 1010, and one of November. */
  async function deliverPeriod(): Promise<{ bodies: JournalEntry[]; ids: Map<string, string> }> {
    const bodies = sapPeriodEntries(7).map((body, index) => ({
      ...body,
      legalEntity: index % 3 === 0 ? 'DE' : 'US',
      ...(index === 6 ? { postingDate: '2026-11-02' } : {}),
    }));
    const ids = new Map<string, string>();
    for (const body of bodies) ids.set(body.externalId, (await connector().deliver(body, signal())).id);
    return { bodies, ids };
  }

  it('finds each entry, many at once and by posting date, with its id, debits and items, page by page', async () => {
    const { bodies, ids } = await deliverPeriod();
    expect(ids.get(bodies[0]!.externalId)).toMatch(/^1010\/2026\//);
    for (const body of bodies) {
      const held = await connector().find(body, signal());
      expect(held?.id).toBe(ids.get(body.externalId));
      expect(asHeld(held)).toEqual(asSent(body));
    }

    const before = emulator.stats().requests;
    const found = await connector().findMany(bodies, signal());
    expect([...found.keys()].sort()).toEqual(bodies.map((body) => body.externalId).sort());
    for (const body of bodies) expect(asHeld(found.get(body.externalId))).toEqual(asSent(body));
    // Two company codes, one query each, pages of 4 rows: more requests than queries.
    const findManyRequests = emulator.stats().requests - before;
    expect(findManyRequests).toBeGreaterThan(2);

    const listed = await connector().listHeld(OCTOBER, signal());
    const october = bodies.filter((body) => body.postingDate <= OCTOBER.to);
    expect(listed.map((document) => document.externalId).sort()).toEqual(october.map((body) => body.externalId).sort());
    for (const document of listed) {
      const body = october.find((one) => one.externalId === document.externalId)!;
      expect(document).toMatchObject({ id: ids.get(body.externalId), type: 'SA' });
      expect(new Decimal(document.total!).equals(asSent(body).total)).toBe(true);
    }
  });

  it('lists a copy made by hand beside the original, adopts the original, and shows an amount moved by hand', async () => {
    const { bodies, ids } = await deliverPeriod();
    const [copied, moved] = [bodies[1]!, bodies[2]!];
    emulator.copyByHand({ documentReferenceId: copied.externalId });
    emulator.moveByHand({ documentReferenceId: moved.externalId, amount: '0.01' });

    const listed = (await connector().listHeld(OCTOBER, signal())).filter(
      (document) => document.externalId === copied.externalId,
    );
    expect(listed).toHaveLength(2);
    expect(listed[0]?.id).toBe(ids.get(copied.externalId));
    expect(listed[1]?.id).not.toBe(listed[0]?.id);
    expect((await connector().find(copied, signal()))?.id).toBe(ids.get(copied.externalId));
    expect((await connector().findMany([copied], signal())).get(copied.externalId)?.id).toBe(
      ids.get(copied.externalId),
    );

    const edited = asHeld(await connector().find(moved, signal()));
    expect(edited.total).toEqual(asSent(moved).total);
    expect(edited.lines).not.toEqual(asSent(moved).lines);
    expect(edited.lines.at(-1)).toEqual(['11001000', '-0.01']);
  });

  it('is throttled with the Retry-After SAP sends, for a listing and a batch read alike', async () => {
    const { bodies } = await deliverPeriod();
    emulator.setFaults({ ratePerSecond: 1, retryAfterSeconds: 3 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const throttled = await failure(connector().listHeld(OCTOBER, signal()));
    expect(throttled.failureClass).toBe('throttled');
    expect(throttled.detail).toMatchObject({ status: 429, retryAfterMs: 3000 });
    expect((await failure(connector().findMany(bodies, signal()))).failureClass).toBe('throttled');
  });

  it("awaits reconciliation's pace before each page a read asks for", async () => {
    const { bodies } = await deliverPeriod();
    const { pace, counted } = countingPace(() => emulator.stats().requests);

    for (const body of bodies)
      expect(await counted(() => connector().find(body, signal(), { queuedAt: new Date(), pace }))).toEqual({
        received: 1,
        paced: 1,
      });
    // Two company codes, pages of 4 rows: several pages each.
    const findMany = await counted(() => connector().findMany(bodies, signal(), pace));
    expect(findMany.paced).toBe(findMany.received);
    expect(findMany.received).toBeGreaterThan(2);
    const listed = await counted(() => connector().listHeld(OCTOBER, signal(), pace));
    expect(listed.paced).toBe(listed.received);
    expect(listed.received).toBeGreaterThan(2);
    // Without a pace (the dispatcher's look-up) nothing is paced.
    expect(await counted(() => connector().find(bodies[0]!, signal(), { queuedAt: new Date() }))).toMatchObject({
      paced: 0,
    });
  });

  it('refuses a range that is not two dates before any request', async () => {
    const before = emulator.stats().requests;
    for (const range of [
      { from: '2026-10-01', to: "2026-10-31' or CompanyCode ne '" },
      { from: '2026-02-30', to: '2026-03-01' },
    ])
      expect((await failure(connector().listHeld(range, signal()))).failureClass).toBe('invalid');
    expect(emulator.stats().requests).toBe(before);
  });
});

describe('the SAP read-back over windows of 1000 rows', () => {
  let emulator: SapEmulator;
  beforeAll(async () => {
    emulator = await startSapEmulator({ seed: 12 });
  });
  afterAll(() => emulator?.close());

  it('reads past the first 1000 rows with $skip, each entry once', async () => {
    // 300 entries of 3 or 4 items: 1,050 rows, two windows.
    const bodies = sapPeriodEntries(300);
    const connector = createSapConnector(sapTarget(emulator), sapSecrets(emulator));
    for (let start = 0; start < bodies.length; start += 10)
      await Promise.all(bodies.slice(start, start + 10).map((body) => connector.deliver(body, signal())));
    const before = emulator.stats().requests;
    let paced = 0;
    const listed = await connector.listHeld(OCTOBER, signal(), async () => {
      paced += 1;
    });
    expect(emulator.stats().requests - before).toBe(2);
    expect(paced).toBe(2);
    expect(new Set(listed.map((document) => document.externalId)).size).toBe(300);
    expect(listed).toHaveLength(300);
    const last = bodies.at(-1)!;
    expect(asHeld(await connector.find(last, signal()))).toEqual(asSent(last));
  });
});

describe('the SAP read-back against answers that are not the cube’s', () => {
  let server: Server;
  let url = '';
  let pages: (path: string) => unknown = () => ({ d: { results: [] } });
  beforeAll(async () => {
    server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(pages(request.url ?? '')));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const stub = () => createSapConnector(sapTarget({ url }), async () => JSON.stringify({ user: 'U', password: 'P' }));
  const row = (fields: Record<string, string>) => ({
    CompanyCode: '1710',
    FiscalYear: '2026',
    AccountingDocument: '0100000009',
    AccountingDocumentItem: '001',
    DocumentReferenceID: '',
    AccountingDocumentType: 'AB',
    PostingDate: '/Date(1793404800000)/',
    GLAccount: '12100000',
    AmountInTransactionCurrency: '5.00',
    ...fields,
  });

  it('lists an entry without a reference under null, and leaves out rows outside the range asked', async () => {
    pages = () => ({
      d: {
        results: [
          row({}),
          row({ AccountingDocumentItem: '002', GLAccount: '41000000', AmountInTransactionCurrency: '-5.00' }),
          row({ AccountingDocument: '0100000010', PostingDate: '/Date(1790726400000)/' }),
        ],
      },
    });
    expect(await stub().listHeld(OCTOBER, signal())).toEqual([
      { id: '1710/2026/0100000009', externalId: null, type: 'AB', total: '5' },
    ]);
  });

  it('refuses a next link off the service, and a row it cannot read', async () => {
    pages = () => ({ d: { results: [row({})], __next: 'https://elsewhere.example/steal?$skiptoken=1' } });
    const elsewhere = await failure(stub().listHeld(OCTOBER, signal()));
    expect(elsewhere.failureClass).toBe('invalid');
    expect(elsewhere.message).toMatch(/next link/);
    pages = (path) => ({ d: { results: [row({})], __next: `${url}${path}` } });
    expect((await failure(stub().listHeld(OCTOBER, signal()))).message).toMatch(/next link/);
    pages = () => ({ d: { results: [row({ AmountInTransactionCurrency: '5,00' })] } });
    expect((await failure(stub().listHeld(OCTOBER, signal()))).failureClass).toBe('unknown_outcome');
  });

  it('follows a relative next link on the service to its last page', async () => {
    pages = (path) =>
      path.includes('$skiptoken=1')
        ? { d: { results: [row({ AccountingDocument: '0100000011' })] } }
        : { d: { results: [row({})], __next: 'A_OperationalAcctgDocItemCube?$skiptoken=1' } };
    expect((await stub().listHeld(OCTOBER, signal())).map((document) => document.id)).toEqual([
      '1710/2026/0100000009',
      '1710/2026/0100000011',
    ]);
  });
});
