import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { balanced, csv, LEDGER, oracleEmulatorClient, zip } from '../../../test/harness/oracle-emulator-client.js';
import { POSITIONS } from './gl-interface-file.js';
import { startOracleFusionEmulator, type OracleFusionEmulator } from './index.js';
import { GL_DOCUMENT_ACCOUNT, JOURNAL_IMPORT_JOB, REST_ROOT } from './rest-routes.js';

// The emulator over HTTP as any client meets it: an FBDI upload runs as an ESS job (WAIT, RUNNING, then its
// end), the file is read by position, Journal Import rejects what Oracle rejects with a log, and batches
// are found by name. Rows are built from the emulator's own positions, not the connector's
// (test/harness/oracle-emulator-client.ts).

let emulator: OracleFusionEmulator;

beforeAll(async () => {
  emulator = await startOracleFusionEmulator({ seed: 3, jobMs: 40 });
});
afterAll(() => emulator?.close());
afterEach(() => emulator.reset());

const { call, upload, status, ended, log, imported, auth } = oracleEmulatorClient(() => emulator);

describe('the Oracle Fusion emulator’s journal import', () => {
  it('runs an upload as a job through WAIT and RUNNING to SUCCEEDED, and serves the batch by name', async () => {
    // WAIT for its first quarter (300 ms): wide enough for a loaded machine to ask within it.
    emulator.setFaults({ jobMs: 1200 });
    const answer = await upload(zip(csv(balanced())));
    expect(answer).toMatchObject({ status: 201, type: 'application/vnd.oracle.adf.resourceitem+json' });
    expect(answer.body).toMatchObject({
      OperationName: 'importBulkData',
      ReqstId: expect.stringMatching(/^\d+$/),
      RequestStatus: null,
    });
    const requestId = answer.body.ReqstId as string;
    expect(await status(requestId)).toBe('WAIT');
    await sleep(400);
    expect(await status(requestId)).toBe('RUNNING');
    expect(await ended(requestId)).toBe('SUCCEEDED');
    const found = await call(`journalBatches?q=${encodeURIComponent("BatchName='Batch A'")}&onlyData=true`);
    expect(found.body).toMatchObject({
      count: 1,
      hasMore: false,
      items: [
        {
          BatchName: 'Batch A',
          RunningTotalDr: 100.25,
          RunningTotalCr: 100.25,
          DefaultPeriodName: 'Oct-26',
          RequestId: Number(requestId),
        },
      ],
    });
    const id = (found.body.items as Array<{ JeBatchId: number }>)[0]!.JeBatchId;
    expect((await call(`journalBatches/${id}`)).body).toMatchObject({ BatchName: 'Batch A' });
    expect((await call(`journalBatches?q=${encodeURIComponent("BatchName='Batch B'")}`)).body).toMatchObject({
      count: 0,
      items: [],
    });
    const [batch] = emulator.batches();
    expect(
      batch?.journals[0]?.lines.map((one) => [one.combination, one.enteredDr, one.enteredCr, one.description]),
    ).toEqual([
      ['101.1200.000', '100.25', '', ''],
      ['101.4000.000', '', '100.25', 'usage, "quoted"'],
    ]);
    expect(await log(requestId)).toMatch(
      /2 rows were loaded[\s\S]*created 1 batch\(es\): Batch A[\s\S]*Status: SUCCEEDED/,
    );
  });

  it('imports the same file twice if asked twice: Oracle has no idempotency, only the look-up by name', async () => {
    await imported(zip(csv(balanced())));
    await imported(zip(csv(balanced())));
    expect(emulator.batches().map((batch) => batch.name)).toEqual(['Batch A', 'Batch A']);
  });

  it('ends in ERROR with a log for a zip it cannot read, one without GlInterface.csv, and text that is not base64', async () => {
    expect(await imported(Buffer.from('not a zip at all').toString('base64'))).toMatchObject({
      end: 'ERROR',
      log: expect.stringMatching(/The file could not be unzipped/),
    });
    expect(await imported(zip(csv(balanced()), 'Other.csv'))).toMatchObject({
      end: 'ERROR',
      log: expect.stringMatching(/The zip holds no GlInterface.csv \(it holds Other.csv\)/),
    });
    expect((await imported('%%%')).log).toMatch(/not base64/);
    expect(emulator.batches()).toEqual([]);
  });

  it('reads the file by position: a column out of place is an ERROR naming the row and column', async () => {
    const rows = balanced();
    // The amount one column late (ENTERED_CR's place is ACCOUNTED_DR's), and a row one column too wide.
    rows[0]![POSITIONS.ENTERED_DR] = rows[0]![POSITIONS.ENTERED_DR - 1]!;
    rows[0]![POSITIONS.ENTERED_DR - 1] = '';
    rows[1] = ['', ...rows[1]!];
    const { end, log: text } = await imported(zip(csv(rows)));
    expect(end).toBe('ERROR');
    expect(text).toMatch(/no row was loaded/);
    expect(text).toMatch(/Row 2 has 150 columns; GlInterface.csv has 149/);
    expect(text).toMatch(/Row 2, column 1 \(STATUS\): "" is not NEW/);
    expect(emulator.interfaceRows()).toEqual([]);
  });

  it('rejects the whole group for an unknown combination or an unbalanced journal, keeping the rows with their codes', async () => {
    const unknown = await imported(zip(csv(balanced('4999'))));
    expect(unknown.end).toBe('ERROR');
    expect(unknown.log).toMatch(
      /Row 2: EF04 The account 101.4999.000 isn't a valid combination for the chart of accounts of the ledger US Primary Ledger/,
    );
    expect(unknown.log).toMatch(/rejected 1 of 2 rows; no journal was created/);
    const rows = balanced();
    rows[1]![POSITIONS.ENTERED_CR - 1] = '100.24';
    const unbalanced = await imported(zip(csv(rows)));
    expect(unbalanced.log).toMatch(/EU02 The journal Journal A is unbalanced \(debits less credits 0.01\)/);
    expect(emulator.batches()).toEqual([]);
    expect(emulator.interfaceRows().map((row) => row.status)).toEqual(['EF04', 'EU02', 'EU02']);
  });

  it('posts errors to suspense when asked and the ledger has one: WARNING, and the batch', async () => {
    const result = await imported(zip(csv(balanced('4999'))), `#NULL,Meterbridge,${LEDGER},77,Y,N,N`);
    expect(result.end).toBe('WARNING');
    expect(result.log).toMatch(
      /WF02 The account 101.4999.000 isn't valid; the line was posted to suspense 101.9999.000/,
    );
    expect(emulator.batches()[0]?.journals[0]?.lines[1]?.combination).toBe('101.9999.000');
  });

  it('refuses an unknown ledger, data access set or source, a currency or category the ledger lacks, a closed period, a period name or amount that does not fit', async () => {
    expect((await imported(zip(csv(balanced())), '#NULL,Meterbridge,999,77,N,N,N')).log).toMatch(
      /The ledger 999 doesn't exist/,
    );
    expect((await imported(zip(csv(balanced())), `123,Meterbridge,${LEDGER},77,N,N,N`)).log).toMatch(
      /The data access set 123 doesn't exist or doesn't grant access/,
    );
    expect((await imported(zip(csv(balanced())), `#NULL,Nowhere,${LEDGER},77,N,N,N`)).log).toMatch(
      /The journal source Nowhere isn't defined/,
    );
    expect((await imported(zip(csv(balanced())), `#NULL,Meterbridge,${LEDGER},77`)).log).toMatch(
      /Journal Import takes 7/,
    );
    const eur = balanced().map((row) =>
      row.map((value, index) => (index === POSITIONS.CURRENCY_CODE - 1 ? 'EUR' : value)),
    );
    expect((await imported(zip(csv(eur)))).log).toMatch(
      /EC08 The currency EUR isn't enabled for the ledger US Primary Ledger/,
    );
    const category = balanced().map((row) =>
      row.map((value, index) => (index === POSITIONS.USER_JE_CATEGORY_NAME - 1 ? 'Misc' : value)),
    );
    expect((await imported(zip(csv(category)))).log).toMatch(/EM01 The journal category Misc isn't defined/);
    const named = balanced().map((row) =>
      row.map((value, index) => (index === POSITIONS.PERIOD_NAME - 1 ? 'Sep-26' : value)),
    );
    expect((await imported(zip(csv(named)))).log).toMatch(
      /EP01 The period Sep-26 doesn't contain the accounting date 2026-10-31/,
    );
    const precise = balanced().map((row) =>
      row.map((value, index) =>
        index === POSITIONS.ENTERED_DR - 1 || index === POSITIONS.ENTERED_CR - 1 ? value && '100.255' : value,
      ),
    );
    expect((await imported(zip(csv(precise)))).log).toMatch(
      /EC13 The amount 100.255 has more decimal places than USD allows \(2\)/,
    );
    emulator.ledgers[0]!.closedPeriods.push('2026-10');
    try {
      expect((await imported(zip(csv(balanced())))).log).toMatch(
        /EP01 The accounting date 2026-10-31 isn't in an open/,
      );
    } finally {
      emulator.ledgers[0]!.closedPeriods.pop();
    }
    expect(emulator.batches()).toEqual([]);
  });

  it('leaves rows of another group in the interface, and warns when it finds none of its own', async () => {
    const result = await imported(zip(csv(balanced('4000', '78'))));
    expect(result.end).toBe('WARNING');
    expect(result.log).toMatch(/2 rows of other ledgers, sources or groups were left[\s\S]*found no rows to import/);
    expect(emulator.interfaceRows().map((row) => row.status)).toEqual(['NEW', 'NEW']);
  });

  it('answers requests it cannot take in the REST framework’s error shape', async () => {
    const bad = await call('erpintegrations', { OperationName: 'importBulkData', DocumentContent: 'x' });
    expect(bad).toMatchObject({ status: 400, type: 'application/vnd.oracle.adf.error+json' });
    expect(bad.body).toMatchObject({
      title: 'Bad Request',
      status: '400',
      'o:errorDetails': [{ detail: expect.stringMatching(/JobName is required/) }],
    });
    expect((await call('erpintegrations', { OperationName: 'exportBulkData' })).status).toBe(400);
    expect((await call(`journalBatches?q=${encodeURIComponent('Status=U')}`)).status).toBe(400);
    expect((await call('erpintegrations?finder=Other')).status).toBe(400);
    expect((await call('erpintegrations?finder=ESSJobStatusRF;requestId=1')).body).toMatchObject({
      items: [],
      count: 0,
    });
    expect((await call('journalBatches/1')).status).toBe(404);
  });

  it('refuses other credentials with 401 and an HTML page, and every login while refuseLogins lasts', async () => {
    const wrong = await call('journalBatches', undefined, `Basic ${Buffer.from('someone:else').toString('base64')}`);
    expect(wrong.status).toBe(401);
    expect(wrong.body.text).toMatch(/401 Unauthorized/);
    emulator.setFaults({ refuseLogins: { untilMs: Date.now() + 60_000 } });
    expect((await call('journalBatches')).status).toBe(401);
  });

  it('commits an upload and then drops the answer, and serves the maintenance page during an outage', async () => {
    emulator.setFaults({ dropAfterCommitRate: 1 });
    await expect(upload(zip(csv(balanced())))).rejects.toThrow();
    expect(emulator.jobs()).toHaveLength(1);
    expect(emulator.stats().outcomes.droppedAfterCommit).toBe(1);
    emulator.setFaults({ dropAfterCommitRate: 0, outage: { mode: '503', untilMs: Date.now() + 60_000 } });
    const page = await call('journalBatches');
    expect(page).toMatchObject({ status: 503, type: 'text/html; charset=UTF-8' });
    expect(page.body.text).toMatch(/scheduled maintenance/);
  });

  it('answers late: latency before a request, a slow answer after the upload was submitted', async () => {
    emulator.setFaults({ latencyMs: 30 });
    const started = Date.now();
    await call('journalBatches');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    emulator.setFaults({ latencyMs: 0, slowMs: 2000 });
    const body = JSON.stringify({
      OperationName: 'importBulkData',
      DocumentContent: zip(csv(balanced())),
      DocumentAccount: GL_DOCUMENT_ACCOUNT,
      JobName: JOURNAL_IMPORT_JOB,
      ParameterList: `#NULL,Meterbridge,${LEDGER},77,N,N,N`,
    });
    const request = fetch(`${emulator.url}${REST_ROOT}erpintegrations`, {
      method: 'POST',
      headers: { authorization: auth(), 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(200),
    });
    await expect(request).rejects.toThrow();
    // Timed out, but submitted: the job runs and imports.
    expect(emulator.jobs()).toHaveLength(1);
    expect(emulator.stats().outcomes.slowed).toBe(1);
  });

  it('changes faults and job time through its admin endpoint, refusing bad values together', async () => {
    const put = (body: unknown) =>
      fetch(`${emulator.url}/__emulator/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const changed = await put({ jobMs: 5, concurrency: 3 });
    expect(await changed.json()).toMatchObject({ jobMs: 5, concurrency: 3, outage: null });
    const refused = await put({ jobMs: -1, errorRate: 2, other: 1 });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { problems: string[] }).problems).toEqual([
      'unknown setting "other"',
      'errorRate must be a number from 0 to 1',
      'jobMs must be a whole number from 0 to 3600000',
    ]);
    const { requestId } = await imported(zip(csv(balanced())));
    const forced = await fetch(`${emulator.url}/__emulator/jobs/${requestId}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"status": "PAUSED"}',
    });
    expect(forced.status).toBe(204);
    expect(await status(requestId)).toBe('PAUSED');
    const batches = (await (await fetch(`${emulator.url}/__emulator/batches`)).json()) as {
      items: Array<Record<string, unknown>>;
    };
    expect(batches.items[0]).toMatchObject({ BatchName: 'Batch A', journals: [{ name: 'Journal A' }] });
  });
});
