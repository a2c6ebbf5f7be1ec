import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryFailure } from '../connector.js';
import { TARGET_KIND_SPECS } from '../target-kinds.js';
import { createFileConnector, fileKind } from './file-connector.js';
import {
  fileTarget,
  invoice,
  journal,
  neverAborted,
  noSecrets,
  scratchDirectory,
} from '../../../../test/fixtures/file-target.js';

let scratch: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  scratch = await scratchDirectory();
});
afterEach(() => scratch.remove());

const connector = (formats: readonly string[] = ['csv', 'jsonl']) =>
  createFileConnector(fileTarget(scratch.path, formats), noSecrets);
const read = (relative: string) => readFile(join(scratch.path, relative), 'utf8');

describe('the file export kind', () => {
  it("takes both modes and the catalog's own settings schema", () => {
    expect(fileKind.kind).toBe('file');
    expect(fileKind.modes).toEqual(['journal', 'invoice']);
    expect(fileKind.settingsSchema).toBe(TARGET_KIND_SPECS.file.settingsSchema);
  });
});

describe('the file export, writing a journal entry', () => {
  it('writes one CSV row per journal line under a header, amounts as exact text', async () => {
    const document = await connector(['csv']).deliver(journal(), neverAborted());
    expect(document).toEqual({ id: 'US/2026-10/journals.csv#J-ABCDEFGHIJKLMN' });
    expect(await read('US/2026-10/journals.csv')).toBe(
      'externalId,legalEntity,postingDate,currency,entryMemo,lineNo,account,dimensions,debit,credit,lineMemo,references\r\n' +
        'J-ABCDEFGHIJKLMN,US,2026-10-31,USD,Usage revenue 2026-10-31,1,1200,"{""department"":""sales"",""subsidiary"":""1""}",107.50,0,Receivable,"[{""invoiceId"":""inv_1"",""invoiceNumber"":""INV-0001"",""lineNo"":1}]"\r\n' +
        'J-ABCDEFGHIJKLMN,US,2026-10-31,USD,Usage revenue 2026-10-31,2,4000,"{""subsidiary"":""1""}",0,100.00,API calls,[]\r\n' +
        'J-ABCDEFGHIJKLMN,US,2026-10-31,USD,Usage revenue 2026-10-31,3,2200,{},0,7.50,Sales tax,[]\r\n',
    );
  });

  it('writes one JSONL line per journal line, fields in column order', async () => {
    await connector(['jsonl']).deliver(journal(), neverAborted());
    const head =
      '"externalId":"J-ABCDEFGHIJKLMN","legalEntity":"US","postingDate":"2026-10-31","currency":"USD","entryMemo":"Usage revenue 2026-10-31"';
    expect(await read('US/2026-10/journals.jsonl')).toBe(
      `{${head},"lineNo":1,"account":"1200","dimensions":{"department":"sales","subsidiary":"1"},"debit":"107.50","credit":"0","lineMemo":"Receivable","references":[{"invoiceId":"inv_1","invoiceNumber":"INV-0001","lineNo":1}]}\n` +
        `{${head},"lineNo":2,"account":"4000","dimensions":{"subsidiary":"1"},"debit":"0","credit":"100.00","lineMemo":"API calls","references":[]}\n` +
        `{${head},"lineNo":3,"account":"2200","dimensions":{},"debit":"0","credit":"7.50","lineMemo":"Sales tax","references":[]}\n`,
    );
  });
});

describe('the file export, writing an ERP document', () => {
  it("writes one CSV row per invoice line with the document's tax and total on each", async () => {
    const document = await connector(['csv']).deliver(invoice(), neverAborted());
    expect(document).toEqual({ id: 'EU/2026-11/invoices.csv#I-ABCDEFGHIJKLMN' });
    expect(await read('EU/2026-11/invoices.csv')).toBe(
      'externalId,documentType,legalEntity,documentDate,currency,customer,corrects,documentMemo,dimensions,lineNo,item,description,quantity,unitPrice,amount,sourceInvoiceId,sourceInvoiceNumber,sourceLineNo,tax,total\r\n' +
        'I-ABCDEFGHIJKLMN,invoice,EU,2026-11-01,EUR,CUST-42,,Invoice INV-0002,"{""subsidiary"":""2""}",1,API,"API calls, October",1000,0.0125,12.50,inv_2,INV-0002,1,6.18,38.68\r\n' +
        'I-ABCDEFGHIJKLMN,invoice,EU,2026-11-01,EUR,CUST-42,,Invoice INV-0002,"{""subsidiary"":""2""}",2,SUPPORT,Support plan,,,20.00,inv_2,INV-0002,2,6.18,38.68\r\n',
    );
  });

  it('writes JSONL rows with null for what a line lacks, and a credit memo beside the invoice it corrects', async () => {
    const files = connector(['jsonl']);
    await files.deliver(invoice(), neverAborted());
    const credit = invoice('C-ABCDEFGHIJKLMN', {
      type: 'credit_memo',
      corrects: 'I-ABCDEFGHIJKLMN',
      memo: 'Credit memo CN-0001',
      lines: [
        {
          item: 'API',
          description: 'Goodwill',
          quantity: null,
          unitPrice: null,
          amount: '5.00',
          reference: { invoiceId: 'cn_1', invoiceNumber: 'CN-0001', lineNo: 1 },
        },
      ],
      tax: '0.95',
      total: '5.95',
    });
    await files.deliver(credit, neverAborted());
    const head = '"legalEntity":"EU","documentDate":"2026-11-01","currency":"EUR","customer":"CUST-42"';
    expect(await read('EU/2026-11/invoices.jsonl')).toBe(
      `{"externalId":"I-ABCDEFGHIJKLMN","documentType":"invoice",${head},"corrects":null,"documentMemo":"Invoice INV-0002","dimensions":{"subsidiary":"2"},"lineNo":1,"item":"API","description":"API calls, October","quantity":"1000","unitPrice":"0.0125","amount":"12.50","sourceInvoiceId":"inv_2","sourceInvoiceNumber":"INV-0002","sourceLineNo":1,"tax":"6.18","total":"38.68"}\n` +
        `{"externalId":"I-ABCDEFGHIJKLMN","documentType":"invoice",${head},"corrects":null,"documentMemo":"Invoice INV-0002","dimensions":{"subsidiary":"2"},"lineNo":2,"item":"SUPPORT","description":"Support plan","quantity":null,"unitPrice":null,"amount":"20.00","sourceInvoiceId":"inv_2","sourceInvoiceNumber":"INV-0002","sourceLineNo":2,"tax":"6.18","total":"38.68"}\n` +
        `{"externalId":"C-ABCDEFGHIJKLMN","documentType":"credit_memo",${head},"corrects":"I-ABCDEFGHIJKLMN","documentMemo":"Credit memo CN-0001","dimensions":{"subsidiary":"2"},"lineNo":1,"item":"API","description":"Goodwill","quantity":null,"unitPrice":null,"amount":"5.00","sourceInvoiceId":"cn_1","sourceInvoiceNumber":"CN-0001","sourceLineNo":1,"tax":"0.95","total":"5.95"}\n`,
    );
  });
});

describe('the file export, delivering again', () => {
  it('writes a posting delivered twice once, in every format, and answers the same id', async () => {
    const files = connector();
    const first = await files.deliver(journal(), neverAborted());
    const csv = await read('US/2026-10/journals.csv');
    const jsonl = await read('US/2026-10/journals.jsonl');
    expect(await files.deliver(journal(), neverAborted())).toEqual(first);
    // A second instance (a restarted process) sees the rows too.
    expect(await connector().deliver(journal(), neverAborted())).toEqual(first);
    expect(await read('US/2026-10/journals.csv')).toBe(csv);
    expect(await read('US/2026-10/journals.jsonl')).toBe(jsonl);
  });

  it("keeps both postings of one file, the first one's bytes untouched", async () => {
    const files = connector(['csv']);
    await files.deliver(journal('J-FIRST'), neverAborted());
    const before = await read('US/2026-10/journals.csv');
    await files.deliver(journal('J-SECOND', { memo: 'second' }), neverAborted());
    const after = await read('US/2026-10/journals.csv');
    expect(after.startsWith(before)).toBe(true);
    expect(after.split('\r\n').filter((row) => row.startsWith('J-SECOND,'))).toHaveLength(3);
    expect(after.match(/^externalId,/gm)).toHaveLength(1);
  });

  it('files postings by entity and by the month of their date', async () => {
    const files = connector(['csv']);
    await files.deliver(journal('J-OCT'), neverAborted());
    await files.deliver(journal('J-NOV', { postingDate: '2026-11-01' }), neverAborted());
    await files.deliver(journal('J-UK', { legalEntity: 'UK' }), neverAborted());
    await files.deliver(invoice(), neverAborted());
    expect((await readdir(scratch.path)).sort()).toEqual(['EU', 'UK', 'US']);
    expect((await readdir(join(scratch.path, 'US'))).sort()).toEqual(['2026-10', '2026-11']);
    expect(await readdir(join(scratch.path, 'EU/2026-11'))).toEqual(['invoices.csv']);
  });
});

describe('the file export, reading back', () => {
  it('finds nothing before delivery and the document after, only once every format holds it', async () => {
    const files = connector();
    expect(await files.find(journal(), neverAborted())).toBeUndefined();
    await connector(['csv']).deliver(journal(), neverAborted());
    // Only the CSV holds it (a crash between the formats): not delivered yet, so the outbox sends it again.
    expect(await files.find(journal(), neverAborted())).toBeUndefined();
    await files.deliver(journal(), neverAborted());
    expect(await files.find(journal(), neverAborted())).toEqual({
      id: 'US/2026-10/journals.csv#J-ABCDEFGHIJKLMN',
      total: '107.5',
      lines: [
        { place: '1200', amount: '107.5' },
        { place: '4000', amount: '-100' },
        { place: '2200', amount: '-7.5' },
      ],
    });
    expect(await files.find(journal('J-OTHER'), neverAborted())).toBeUndefined();
  });
});

describe('the file export, refusing', () => {
  it('answers invalid with the path and the OS message whole when the directory is unusable', async () => {
    const plain = join(scratch.path, 'not-a-directory');
    await writeFile(plain, 'a file where the export directory should be');
    const files = createFileConnector(fileTarget(plain), noSecrets);
    const failure = await files.deliver(journal(), neverAborted()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryFailure);
    expect(failure).toMatchObject({
      failureClass: 'invalid',
      detail: {
        code: 'ENOTDIR',
        path: join(plain, 'US/2026-10/journals.csv'),
        targetText: `ENOTDIR: not a directory, mkdir '${join(plain, 'US/2026-10')}'`,
      },
    });
  });

  it('leaves a file another program wrote alone and says why', async () => {
    const files = connector(['csv']);
    await files.deliver(journal('J-FIRST'), neverAborted());
    const path = join(scratch.path, 'US/2026-10/journals.csv');
    await writeFile(path, 'date;amount\r\n2026-10-31;100\r\n');
    await expect(files.deliver(journal('J-SECOND'), neverAborted())).rejects.toMatchObject({
      failureClass: 'invalid',
      detail: { path },
    });
    expect(await readFile(path, 'utf8')).toBe('date;amount\r\n2026-10-31;100\r\n');
  });

  it('refuses a legal entity that could leave the directory, an undated posting and a float amount', async () => {
    const files = connector();
    for (const body of [
      journal('J-1', { legalEntity: '../etc' }),
      journal('J-2', { postingDate: '31/10/2026' }),
      invoice('I-3', { total: '3.868e1' }),
    ])
      await expect(files.deliver(body, neverAborted())).rejects.toMatchObject({ failureClass: 'invalid' });
    expect(await readdir(scratch.path)).toEqual([]);
  });

  it('refuses settings the catalog should have refused, at delivery, as invalid', async () => {
    const files = createFileConnector(
      { ...fileTarget(scratch.path), settings: { directory: '', formats: ['xml'] } },
      noSecrets,
    );
    await expect(files.deliver(journal(), neverAborted())).rejects.toMatchObject({ failureClass: 'invalid' });
  });
});
