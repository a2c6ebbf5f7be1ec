import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSapEmulator, type SapEmulator } from '../../../emulators/sap-s4hana/index.js';
import { sapPeriodEntries, sapSecrets, sapTarget } from '../../../../test/harness/sap-test-ledger.js';
import { DeliveryFailure, type JournalEntry } from '../connector.js';
import { createSapConnector } from './sap-connector.js';

// The connector against the SAP emulator on 127.0.0.1: what SAP holds after a posting (items, signs,
// texts, assignments), read-back by DocumentReferenceID, and every bad answer of the issue — credentials
// SAP refuses, an HTML page, truncated XML, a log code the connector does not know, a currency or company
// code SAP does not know — each classified, with SAP's own text kept whole.

const signal = () => AbortSignal.timeout(10_000);
let emulator: SapEmulator;

beforeAll(async () => {
  emulator = await startSapEmulator({ seed: 5 });
});
afterAll(() => emulator?.close());
beforeEach(() => emulator.reset());

const entry = (index = 0): JournalEntry => sapPeriodEntries(index + 1)[index] as JournalEntry;
const connector = (settings: Record<string, unknown> = {}, secret?: string) =>
  createSapConnector(
    sapTarget(emulator, undefined, settings),
    secret === undefined ? sapSecrets(emulator) : async () => secret,
  );

async function failure(promise: Promise<unknown>): Promise<DeliveryFailure> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DeliveryFailure);
  return error as DeliveryFailure;
}

describe('the SAP connector against the emulator', () => {
  it('posts a journal entry as SAP holds it, and reads it back by DocumentReferenceID and company code', async () => {
    const body = { ...entry(), memo: 'Meterbridge usage revenue US USD 2026-10-31 with a long tail' };
    const posted = await connector().deliver(body, signal());
    expect(posted.id).toBe('1710/2026/0100000001');
    const [document] = emulator.documents();
    expect(document).toMatchObject({
      companyCode: '1710',
      fiscalYear: '2026',
      documentReferenceId: body.externalId,
      documentType: 'SA',
      headerText: 'Meterbridge usage revenue',
      postingDate: '2026-10-31',
      currency: 'USD',
    });
    // A debit is S with a positive amount, a credit H with a negative one; dimensions go to the assignment.
    expect(document?.items[0]).toMatchObject({
      item: '001',
      glAccount: '12100000',
      debitCreditCode: 'S',
      costCenter: '17101101',
      profitCenter: 'YB101',
    });
    expect(document?.items[0]?.amount).toBe(body.lines[0]?.debit);
    expect(document?.items[1]).toMatchObject({ debitCreditCode: 'H', amount: `-${body.lines[1]?.credit}` });
    // The read-back answers the entry's debits and each item's account and signed amount.
    expect(await connector().find(body, signal())).toEqual({
      ...posted,
      total: body.lines[0]?.debit,
      lines: body.lines.map((line) => ({
        place: line.account,
        amount: line.debit === '0' ? `-${line.credit}` : line.debit,
      })),
    });
    // Another company code holds no such reference.
    expect(await connector({ companyCode: '1010' }).find(body, signal())).toBeUndefined();
    expect(await connector().find(entry(1), signal())).toBeUndefined();
  });

  it('posts a legal entity to its own company code and a currency by its SAP key', async () => {
    const body = { ...entry(), legalEntity: 'DE', currency: 'XEU' };
    const posted = await connector({ companyCodes: { DE: '1010' }, currencies: { XEU: 'EUR' } }).deliver(
      body,
      signal(),
    );
    expect(posted.id).toBe('1010/2026/0100000001');
    expect(emulator.documents()[0]).toMatchObject({ companyCode: '1010', currency: 'EUR' });
  });

  it('keeps an unknown G/L account in the path and code, with SAP’s log whole, as invalid', async () => {
    const body = entry();
    const wrong = { ...body, lines: body.lines.map((line, i) => (i === 1 ? { ...line, account: '99999999' } : line)) };
    const refused = await failure(connector().deliver(wrong, signal()));
    expect(refused.failureClass).toBe('invalid');
    expect(refused.detail).toMatchObject({
      status: 200,
      code: '507(F5)',
      path: "JournalEntry/Item[GLAccount='99999999']/GLAccount",
    });
    expect(refused.message).toMatch(
      /609\(RW\) Error in document: BKPFF \$ EMULCLNT100; 507\(F5\) G\/L account 99999999 is not defined in chart of accounts YCOA/,
    );
    expect(refused.detail.targetText).toContain('<TypeID>507(F5)</TypeID>');
    expect(refused.detail.targetText).toContain('<AccountingDocument> </AccountingDocument>');
    expect(emulator.documents()).toHaveLength(0);
  });

  it('refuses a currency and a company code SAP does not know, with its words', async () => {
    const currency = await failure(connector().deliver({ ...entry(), currency: 'XTS' }, signal()));
    expect(currency.failureClass).toBe('invalid');
    expect(currency.detail).toMatchObject({
      code: '100(F5A)',
      path: "JournalEntry/Item/AmountInTransactionCurrency[@currencyCode='XTS']",
    });
    expect(currency.message).toContain('Currency key XTS is not defined');
    const company = await failure(connector({ companyCode: '9999' }).deliver(entry(), signal()));
    expect(company.failureClass).toBe('invalid');
    expect(company.detail).toMatchObject({ code: '165(F5)', path: "JournalEntry[CompanyCode='9999']/CompanyCode" });
    expect(company.detail.targetText).toContain('Company code 9999 is not defined');
    const center = await failure(
      connector().deliver(
        { ...entry(), lines: entry().lines.map((line) => ({ ...line, dimensions: { department: '99' } })) },
        signal(),
      ),
    );
    expect(center.detail).toMatchObject({
      code: '248(KI)',
      path: "JournalEntry/Item/AccountAssignment[CostCenter='99']/CostCenter",
    });
    expect(emulator.documents()).toHaveLength(0);
  });

  it('is an auth failure when SAP refuses the credentials, or the secret lacks them, and sends nothing then', async () => {
    const refused = await failure(
      connector({}, JSON.stringify({ user: 'MB_COMM_USER', password: 'wrong' })).deliver(entry(), signal()),
    );
    expect(refused.failureClass).toBe('auth');
    expect(refused.detail.status).toBe(401);
    expect(refused.detail.targetText).toContain('Logon failed');
    const lookup = await failure(
      connector({}, JSON.stringify({ user: 'X', password: 'wrong' })).find(entry(), signal()),
    );
    expect(lookup.failureClass).toBe('auth');
    const missing = await failure(connector({}, JSON.stringify({ user: 'MB_COMM_USER' })).deliver(entry(), signal()));
    expect(missing.failureClass).toBe('auth');
    expect(missing.message).toContain('lacks password');
    expect(missing.message).not.toContain('emulator-password');
    const requests = emulator.stats().requests;
    await failure(connector({}, 'not json').deliver(entry(), signal()));
    expect(emulator.stats().requests).toBe(requests);
  });

  it('refuses before any request what SAP cannot hold: a long reference, an account too long, a dimension sent nowhere', async () => {
    const long = await failure(connector().deliver({ ...entry(), externalId: 'J-000000000000001' }, signal()));
    expect(long.detail).toMatchObject({ code: 'MAPPING', path: 'externalId' });
    const account = await failure(
      connector().deliver(
        { ...entry(), lines: entry().lines.map((line) => ({ ...line, account: '41000000000' })) },
        signal(),
      ),
    );
    expect(account.detail.path).toBe('lines[0].account');
    const dimension = await failure(
      connector().deliver(
        { ...entry(), lines: entry().lines.map((line) => ({ ...line, dimensions: { location: '2' } })) },
        signal(),
      ),
    );
    expect(dimension.detail.path).toBe('lines[0].dimensions.location');
    expect(emulator.stats().requests).toBe(0);
    expect(await connector().find({ ...entry(), externalId: 'J-000000000000001' }, signal())).toBeUndefined();
  });

  it('is throttled by a 429 with its Retry-After, and unavailable when the port refuses', async () => {
    emulator.setFaults({ ratePerSecond: 1, retryAfterSeconds: 7 });
    await connector().deliver(entry(0), signal());
    const throttled = await failure(connector().deliver(entry(1), signal()));
    expect(throttled.failureClass).toBe('throttled');
    expect(throttled.detail).toMatchObject({ status: 429, retryAfterMs: 7000 });
    emulator.setFaults({ ratePerSecond: undefined, outage: { mode: 'refuse', untilMs: Date.now() + 60_000 } });
    // Kept-alive connections are cut when the outage starts; the client notices before its next request.
    await sleep(50);
    expect((await failure(connector().deliver(entry(1), signal()))).failureClass).toBe('unavailable');
    emulator.setFaults({ outage: { mode: '503', untilMs: Date.now() + 60_000 } });
    const outage = await failure(connector().deliver(entry(1), signal()));
    expect(outage.failureClass).toBe('unknown_outcome');
    expect(outage.detail.targetText).toContain('Service is not available');
  });

  it('counts a committed posting whose answer was lost as an unknown outcome, and find adopts it', async () => {
    emulator.setFaults({ dropAfterCommitRate: 1 });
    const lost = await failure(connector().deliver(entry(), signal()));
    expect(lost.failureClass).toBe('unknown_outcome');
    emulator.setFaults({ dropAfterCommitRate: 0 });
    expect(await connector().find(entry(), signal())).toMatchObject({ id: '1710/2026/0100000001' });
  });

  it('times out a slow answer as an unknown outcome (timeoutMs)', async () => {
    emulator.setFaults({ slowMs: 1500 });
    const slow = await failure(connector({ timeoutMs: 1000 }).deliver(entry(), signal()));
    expect(slow.failureClass).toBe('unknown_outcome');
    emulator.setFaults({ slowMs: 0 });
    expect(await connector().find(entry(), signal())).toBeDefined();
  });
});

describe('the SAP connector against answers that are not SAP’s', () => {
  let server: Server;
  let url = '';
  let answer: (request: IncomingMessage) => { status: number; type: string; body: string } = () => ({
    status: 200,
    type: 'text/xml',
    body: '',
  });
  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        const { status, type, body } = answer(request);
        response.writeHead(status, { 'content-type': type }).end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const stub = () => createSapConnector(sapTarget({ url }), async () => JSON.stringify({ user: 'U', password: 'P' }));

  const confirmation = (document: string, log: string) =>
    `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body><n0:JournalEntryBulkCreateConfirmation xmlns:n0="http://sap.com/xi/SAPSCORE/SFIN"><JournalEntryCreateConfirmation><JournalEntryCreateConfirmation><AccountingDocument>${document}</AccountingDocument><CompanyCode>1710</CompanyCode><FiscalYear>2026</FiscalYear></JournalEntryCreateConfirmation><Log>${log}</Log></JournalEntryCreateConfirmation><Log/></n0:JournalEntryBulkCreateConfirmation></soap-env:Body></soap-env:Envelope>`;

  it('reads an HTML page answered 200 (a logon page, a proxy) as an unknown outcome, keeping it whole', async () => {
    const page = '<!DOCTYPE html><html><body>Logon</body></html>';
    answer = () => ({ status: 200, type: 'text/html', body: page });
    const lost = await failure(stub().deliver(entry(), signal()));
    expect(lost.failureClass).toBe('unknown_outcome');
    expect(lost.detail.targetText).toBe(page);
  });

  it('reads truncated XML as an unknown outcome, not as the short answer it parses to', async () => {
    const whole = confirmation('0100000007', '<MaximumLogItemSeverityCode>1</MaximumLogItemSeverityCode>');
    answer = () => ({ status: 200, type: 'text/xml', body: whole.slice(0, whole.indexOf('</AccountingDocument>')) });
    const lost = await failure(stub().deliver(entry(), signal()));
    expect(lost.failureClass).toBe('unknown_outcome');
    expect(lost.message).toMatch(/not well-formed XML/);
    answer = () => ({ status: 200, type: 'text/xml', body: whole });
    expect(await stub().deliver(entry(), signal())).toEqual({ id: '1710/2026/0100000007' });
  });

  it('refuses an error of a log code it does not know as invalid, with the code and text kept', async () => {
    answer = () => ({
      status: 200,
      type: 'text/xml',
      body: confirmation(
        ' ',
        '<MaximumLogItemSeverityCode>3</MaximumLogItemSeverityCode><Item><TypeID>609(RW)</TypeID><SeverityCode>3</SeverityCode><Note>Error in document: BKPFF $ X</Note></Item><Item><TypeID>999(ZZ)</TypeID><SeverityCode>3</SeverityCode><Note>Something new went wrong</Note></Item>',
      ),
    });
    const refused = await failure(stub().deliver(entry(), signal()));
    expect(refused.failureClass).toBe('invalid');
    expect(refused.detail).toMatchObject({ code: '999(ZZ)', path: undefined, status: 200 });
    expect(refused.message).toContain('999(ZZ) Something new went wrong');
  });

  it('waits out a lock, and reads a log with no document and no error (or an unknown severity) back first', async () => {
    answer = () => ({
      status: 200,
      type: 'text/xml',
      body: confirmation(
        ' ',
        '<Item><TypeID>042(F5)</TypeID><SeverityCode>3</SeverityCode><Note>Company code 1710 is locked by user OTHER</Note></Item>',
      ),
    });
    expect((await failure(stub().deliver(entry(), signal()))).failureClass).toBe('unavailable');
    answer = () => ({
      status: 200,
      type: 'text/xml',
      body: confirmation(' ', '<Item><TypeID>001(XX)</TypeID><SeverityCode>E</SeverityCode><Note>?</Note></Item>'),
    });
    expect((await failure(stub().deliver(entry(), signal()))).failureClass).toBe('unknown_outcome');
    answer = () => ({
      status: 200,
      type: 'text/xml',
      body: confirmation(
        '0000000000',
        '<Item><TypeID>614(RW)</TypeID><SeverityCode>1</SeverityCode><Note>Test run</Note></Item>',
      ),
    });
    expect((await failure(stub().deliver(entry(), signal()))).failureClass).toBe('invalid');
  });

  it('tells a client SOAP fault (invalid) from a server one (read back), and a redirect is a wrong baseUrl', async () => {
    const fault = (code: string) =>
      `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body><soap-env:Fault><faultcode>soap-env:${code}</faultcode><faultstring>Web service processing error</faultstring></soap-env:Fault></soap-env:Body></soap-env:Envelope>`;
    answer = () => ({ status: 500, type: 'text/xml', body: fault('Client') });
    expect((await failure(stub().deliver(entry(), signal()))).failureClass).toBe('invalid');
    answer = () => ({ status: 500, type: 'text/xml', body: fault('Server') });
    expect((await failure(stub().deliver(entry(), signal()))).failureClass).toBe('unknown_outcome');
    answer = () => ({ status: 302, type: 'text/html', body: '' });
    const redirect = await failure(stub().deliver(entry(), signal()));
    expect(redirect.failureClass).toBe('invalid');
    expect(redirect.message).toMatch(/API host/);
  });

  it('reads an OData answer that is not a result set as an unknown outcome, and ignores rows of other references', async () => {
    answer = () => ({ status: 200, type: 'application/json', body: '{"d":{}}' });
    expect((await failure(stub().find(entry(), signal()))).failureClass).toBe('unknown_outcome');
    answer = () => ({
      status: 200,
      type: 'application/json',
      body: JSON.stringify({
        d: {
          results: [
            {
              CompanyCode: '1710',
              FiscalYear: '2026',
              AccountingDocument: '1',
              AccountingDocumentItem: '001',
              DocumentReferenceID: 'OTHER',
              AmountInTransactionCurrency: '1.00',
            },
          ],
        },
      }),
    });
    expect(await stub().find(entry(), signal())).toBeUndefined();
  });
});

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl when it is there. */
function certificates():
  Record<'caCert' | 'serverKey' | 'serverCert' | 'clientKey' | 'clientCert', string> | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sap-tls-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Emulator CA',
  );
  for (const [name, subject, ext] of [
    ['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1'],
    ['client', '/CN=MB_COMM_USER', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    run(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    );
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  }
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return {
    caCert: read('ca.pem'),
    serverKey: read('server.key'),
    serverCert: read('server.pem'),
    clientKey: read('client.key'),
    clientCert: read('client.pem'),
  };
}

describe('the SAP connector with a client certificate', () => {
  const tls = certificates();
  it.skipIf(tls === undefined)(
    'authenticates by its certificate over TLS, and a certificate of another user is refused',
    async () => {
      if (!tls) return;
      const secure = await startSapEmulator({
        tls: { key: tls.serverKey, cert: tls.serverCert, ca: tls.caCert, clientCommonName: 'MB_COMM_USER' },
      });
      try {
        const target = sapTarget(secure, undefined, { auth: { method: 'certificate' } });
        const secret = JSON.stringify({ certificate: tls.clientCert, privateKey: tls.clientKey });
        // The emulator's CA is not the system's: trusted for this test through the agent's CA list.
        const { globalAgent } = await import('node:https');
        const savedCa = globalAgent.options.ca;
        globalAgent.options.ca = tls.caCert;
        try {
          const posted = await createSapConnector(target, async () => secret).deliver(entry(), signal());
          expect(posted.id).toBe('1710/2026/0100000001');
          const wrong = await startSapEmulator({
            tls: { key: tls.serverKey, cert: tls.serverCert, ca: tls.caCert, clientCommonName: 'SOMEONE_ELSE' },
          });
          try {
            const refused = await failure(
              createSapConnector(
                sapTarget(wrong, undefined, { auth: { method: 'certificate' } }),
                async () => secret,
              ).deliver(entry(), signal()),
            );
            expect(refused.failureClass).toBe('auth');
          } finally {
            await wrong.close();
          }
        } finally {
          globalAgent.options.ca = savedCa;
        }
      } finally {
        await secure.close();
      }
    },
  );
});
