import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOracleFusionEmulator, type OracleFusionEmulator } from '../../../emulators/oracle-fusion/index.js';
import {
  failure,
  journal,
  ORACLE_LEDGER as LEDGER,
  oracleConnectorFixtures,
  signal,
} from '../../../../test/harness/oracle-connector-fixtures.js';
import { createOracleFusionConnector } from './oracle-fusion-connector.js';

// The connector against a real emulator on 127.0.0.1: a delivery is the upload and the polls until the
// import job ends; an import whose end the delivery did not see is adopted once it ends, never run twice;
// and each way Oracle refuses (rows Journal Import rejects, credentials, HTML pages, statuses ESS does not
// have) is classified with Oracle's own text kept.

let emulator: OracleFusionEmulator;

beforeAll(async () => {
  emulator = await startOracleFusionEmulator({ seed: 5, jobMs: 60 });
});
afterAll(() => emulator?.close());
afterEach(() => emulator.reset());

const { target, connectorFor } = oracleConnectorFixtures(() => emulator);

describe('the Oracle Fusion connector', () => {
  it('imports a journal entry as a batch, found again by its name', async () => {
    const connector = connectorFor();
    const document = await connector.deliver(journal('J-ONE'), signal());
    const [batch] = emulator.batches();
    expect(document.id).toBe(String(batch?.id));
    expect(batch).toMatchObject({ name: 'Meterbridge J-ONE', source: 'Meterbridge', ledgerId: LEDGER });
    expect(batch?.journals[0]?.lines.map((line) => [line.combination, line.enteredDr, line.enteredCr])).toEqual([
      ['101.1200.000', '187.00', ''],
      ['101.4000.100', '', '150.55'],
      ['101.2300.000', '', '36.45'],
    ]);
    // Read back with its total and its lines, each under the account Meterbridge sent.
    expect(await connector.find(journal('J-ONE'), signal())).toEqual({
      id: document.id,
      total: '187',
      lines: [
        { place: '1200', amount: '187' },
        { place: '4000', amount: '-150.55' },
        { place: '2300', amount: '-36.45' },
      ],
    });
    expect(await connector.find(journal('J-TWO'), signal())).toBeUndefined();
    // Delivered again (a retry that did not look up first): the batch is there, nothing is imported.
    expect(await connector.deliver(journal('J-ONE'), signal())).toEqual(document);
    expect(emulator.jobs()).toHaveLength(1);
  });

  it('says how long a delivery may take: the target’s timeoutMs, 10 minutes by default', () => {
    expect(connectorFor({ timeoutMs: 120_000 }).deliveryTimeoutMs).toBe(120_000);
    expect(connectorFor({ timeoutMs: undefined }).deliveryTimeoutMs).toBe(600_000);
  });

  it('leaves a job still running at the deadline unknown, waits for it, and adopts it once it ends', async () => {
    emulator.setFaults({ jobMs: 1500 });
    const connector = connectorFor({ timeoutMs: 1000 });
    const running = await failure(connector.deliver(journal('J-SLOW'), signal()));
    expect(running.failureClass).toBe('unknown_outcome');
    expect(running.message).toMatch(/import request \d+ was RUNNING when the delivery’s time ran out/);
    // The next attempt's look-up finds no batch yet and waits for the request rather than importing again.
    const waiting = await failure(connector.find(journal('J-SLOW'), signal()));
    expect(waiting).toMatchObject({ failureClass: 'unknown_outcome', detail: { code: 'RUNNING' } });
    await sleep(600);
    const adopted = await connector.find(journal('J-SLOW'), signal());
    expect(adopted?.id).toBe(String(emulator.batches()[0]?.id));
    expect(emulator.jobs()).toHaveLength(1);
  });

  it('never imports again while a known import’s status cannot be read, however long it has been', async () => {
    emulator.setFaults({ jobMs: 5000 });
    const connector = connectorFor({ timeoutMs: 1000 });
    expect((await failure(connector.deliver(journal('J-BLIND'), signal()))).failureClass).toBe('unknown_outcome');
    // Past the delivery's time, the status finder answers a status ESS does not have (as a proxy's page would).
    emulator.forceJobStatus(emulator.jobs()[0]!.requestId, 'MYSTERY');
    await sleep(1100);
    const blind = await failure(connector.deliver(journal('J-BLIND'), signal()));
    expect(blind).toMatchObject({ failureClass: 'unavailable', detail: { code: 'MYSTERY' } });
    expect(blind.message).toMatch(/could not be read .* asked again before anything is imported/);
    expect(emulator.jobs()).toHaveLength(1);
  });

  it('waits out an upload whose answer was lost, then adopts the import it started', async () => {
    emulator.setFaults({ dropAfterCommitRate: 1, jobMs: 300 });
    const connector = connectorFor({ timeoutMs: 2000 });
    const lost = await failure(connector.deliver(journal('J-LOST'), signal()));
    expect(lost.failureClass).toBe('unknown_outcome');
    emulator.setFaults({ dropAfterCommitRate: 0 });
    // Delivered again at once: no batch yet, and the upload may have started one, so nothing is sent.
    const waiting = await failure(connector.deliver(journal('J-LOST'), signal()));
    expect(waiting.message).toMatch(/got no answer, and no batch is there yet/);
    await sleep(400);
    const adopted = await connector.deliver(journal('J-LOST'), signal());
    expect(adopted.id).toBe(String(emulator.batches()[0]?.id));
    expect(emulator.jobs()).toHaveLength(1);
  });

  it('is invalid when Journal Import rejects a row, with the job log whole', async () => {
    const rejected = await failure(connectorFor().deliver(journal('J-BAD', '4999'), signal()));
    expect(rejected).toMatchObject({ failureClass: 'invalid', detail: { code: 'EF04' } });
    expect(rejected.message).toMatch(
      /ended ERROR without importing "Meterbridge J-BAD": Row 2: EF04 The account 101.4999.100/,
    );
    expect(rejected.detail.targetText).toMatch(/Journal Import rejected 1 of 3 rows; no journal was created/);
    expect(rejected.detail.targetText).toMatch(/Status: ERROR/);
    expect(emulator.batches()).toEqual([]);
    // Fixed, it imports (a new group: the rejected rows stay behind in the interface).
    await connectorFor().deliver(journal('J-BAD'), signal());
    expect(emulator.batches().map((batch) => batch.name)).toEqual(['Meterbridge J-BAD']);
  });

  it('is invalid for a currency the ledger does not take and for a ledger Oracle does not have', async () => {
    const currency = await failure(connectorFor().deliver(journal('J-EUR', '4000', 'EUR'), signal()));
    expect(currency).toMatchObject({ failureClass: 'invalid', detail: { code: 'EC08' } });
    expect(currency.detail.targetText).toMatch(/The currency EUR isn't enabled for the ledger US Primary Ledger/);
    const ledger = await failure(connectorFor({ ledgerId: '999' }).deliver(journal('J-LEDGER'), signal()));
    expect(ledger.failureClass).toBe('invalid');
    expect(ledger.detail.targetText).toMatch(/The ledger 999 doesn't exist/);
    expect(ledger.message).toMatch(/without importing "Meterbridge J-LEDGER": The ledger 999 doesn't exist/);
  });

  it('delivers what WARNING imported (errors posted to suspense), and refuses a WARNING that imported nothing', async () => {
    const suspense = await connectorFor({ postErrorsToSuspense: true }).deliver(journal('J-SUSP', '4999'), signal());
    const [batch] = emulator.batches();
    expect(suspense.id).toBe(String(batch?.id));
    expect(batch?.journals[0]?.lines[1]?.combination).toBe('101.9999.000');
    expect(emulator.jobs()[0]?.end).toBe('WARNING');

    // A job whose finder says WARNING and that created no batch: invalid, with its log. The job ends
    // (rejected) before the connector's first poll, which meets the forced WARNING.
    emulator.setFaults({ jobMs: 100 });
    const delivery = failure(connectorFor({ pollIntervalMs: 300 }).deliver(journal('J-WARN', '4999'), signal()));
    await sleep(150);
    emulator.forceJobStatus(emulator.jobs().at(-1)!.requestId, 'WARNING');
    const warned = await delivery;
    expect(warned.failureClass).toBe('invalid');
    expect(warned.message).toMatch(/ended WARNING without importing "Meterbridge J-WARN"/);
    expect(warned.detail.targetText).toMatch(/EF04/);
  });

  it('keeps a status ESS does not have as an unknown outcome, with the finder’s text', async () => {
    emulator.setFaults({ jobMs: 400 });
    const delivery = failure(connectorFor().deliver(journal('J-ODD'), signal()));
    await sleep(50);
    emulator.forceJobStatus(emulator.jobs()[0]!.requestId, 'MYSTERY');
    const odd = await delivery;
    expect(odd).toMatchObject({ failureClass: 'unknown_outcome', detail: { code: 'MYSTERY' } });
    expect(odd.message).toMatch(/reports the status MYSTERY, which ESS does not have/);
    expect(odd.detail.targetText).toMatch(/"RequestStatus":"MYSTERY"/);
  });

  it('is auth for credentials Oracle refuses, with its page, and for a secret it cannot use', async () => {
    const refused = await failure(connectorFor({}, 'wrong').deliver(journal('J-AUTH'), signal()));
    expect(refused).toMatchObject({ failureClass: 'auth', detail: { status: 401 } });
    expect(refused.message).toMatch(/Oracle answered 401 with an HTML page "401 Unauthorized"/);
    expect(refused.detail.targetText).toMatch(/This request requires HTTP authentication/);
    const bad = createOracleFusionConnector(target(), async () => '{"username": "x"}');
    const missing = await failure(bad.deliver(journal('J-AUTH'), signal()));
    expect(missing).toMatchObject({ failureClass: 'auth' });
    expect(missing.message).toMatch(/lacks password/);
    expect(emulator.jobs()).toEqual([]);
  });

  it('takes the maintenance page (503) and refused connections for an outage: nothing was started', async () => {
    emulator.setFaults({ outage: { mode: '503', untilMs: Date.now() + 60_000 } });
    const page = await failure(connectorFor().deliver(journal('J-DOWN'), signal()));
    expect(page).toMatchObject({ failureClass: 'unavailable', detail: { status: 503 } });
    expect(page.detail.targetText).toMatch(/scheduled maintenance/);
    emulator.setFaults({ outage: { mode: 'refuse', untilMs: Date.now() + 60_000 } });
    expect((await failure(connectorFor().deliver(journal('J-DOWN'), signal()))).failureClass).toBe('unavailable');
    emulator.setFaults({ outage: undefined });
    await sleep(50);
    await connectorFor().deliver(journal('J-DOWN'), signal());
  });

  it('classifies 429 as throttled, on the limit its words name', async () => {
    emulator.setFaults({ ratePerSecond: 1 });
    await fetch(`${emulator.url}/fscmRestApi/resources/11.13.18.05/journalBatches`);
    const throttled = await failure(connectorFor().deliver(journal('J-429'), signal()));
    expect(throttled).toMatchObject({ failureClass: 'throttled', detail: { status: 429, throttledOn: 'rate' } });
    emulator.setFaults({ ratePerSecond: undefined, concurrency: 0 });
    const crowded = await failure(connectorFor().deliver(journal('J-429C'), signal()));
    expect(crowded).toMatchObject({ failureClass: 'throttled', detail: { status: 429, throttledOn: 'concurrency' } });
  });
});

describe('answers that are not Oracle’s', () => {
  let server: Server;
  let url: string;
  let answer: (path: string) => { status: number; body: string; type?: string };
  beforeAll(async () => {
    server = createServer((request, response) => {
      const { status, body, type } = answer(request.url ?? '');
      response.writeHead(status, { 'content-type': type ?? 'text/html' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const page = '<html><head><title>Sign In</title></head><body>Oracle Cloud sign-in</body></html>';

  it('is unavailable for an HTML page where a look-up wanted JSON (nothing was changed)', async () => {
    answer = () => ({ status: 200, body: page });
    const html = await failure(connectorFor({}, undefined, url).deliver(journal('J-HTML'), signal()));
    expect(html.failureClass).toBe('unavailable');
    expect(html.message).toMatch(/GET journalBatches: Oracle answered 200 with an HTML page "Sign In"/);
    expect(html.detail.targetText).toBe(page);
  });

  it('imports again only once an upload that got no answer has had timeoutMs to show its batch', async () => {
    let uploads = 0;
    answer = (path) => {
      if (path.includes('journalBatches'))
        return { status: 200, body: '{"items":[],"count":0,"hasMore":false}', type: 'application/json' };
      uploads += 1;
      return { status: 502, body: '<html><head><title>502 Bad Gateway</title></head></html>' };
    };
    const connector = connectorFor({ timeoutMs: 1000 }, undefined, url);
    const lost = await failure(connector.deliver(journal('J-502'), signal()));
    expect(lost).toMatchObject({ failureClass: 'unknown_outcome', detail: { status: 502 } });
    // At once again: the gateway may have passed the upload on, so nothing is sent while it may run.
    const waiting = await failure(connector.deliver(journal('J-502'), signal()));
    expect(waiting.message).toMatch(
      /got no answer, and no batch is there yet; it is waited for up to timeoutMs \(1000 ms\)/,
    );
    expect(uploads).toBe(1);
    await sleep(1100);
    await failure(connector.deliver(journal('J-502'), signal()));
    expect(uploads).toBe(2);
  });

  it('is an unknown outcome for an HTML page answering the upload, and auth for a sign-in redirect', async () => {
    answer = (path) =>
      path.includes('journalBatches')
        ? { status: 200, body: '{"items":[],"count":0,"hasMore":false}', type: 'application/json' }
        : { status: 200, body: page };
    const upload = await failure(connectorFor({}, undefined, url).deliver(journal('J-HTML'), signal()));
    expect(upload.failureClass).toBe('unknown_outcome');
    expect(upload.detail.targetText).toBe(page);
    answer = () => ({ status: 302, body: '' });
    const redirect = await failure(connectorFor({}, undefined, url).deliver(journal('J-HTML2'), signal()));
    expect(redirect.failureClass).toBe('auth');
  });
});
