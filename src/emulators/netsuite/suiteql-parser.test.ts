import { describe, expect, it } from 'vitest';
import { NetSuiteError } from './netsuite-error.js';
import { parseSuiteQl } from './suiteql-parser.js';

describe('SuiteQL subset parser', () => {
  it("reads the connector's lookups: by external id, by a list of them, by type, ordered", () => {
    expect(parseSuiteQl("SELECT id, tranid, externalid FROM transaction WHERE externalid = 'mb-1'")).toEqual({
      table: 'transaction',
      columns: ['id', 'tranid', 'externalid'],
      where: [{ column: 'externalid', values: ['mb-1'] }],
      orderBy: undefined,
    });
    expect(
      parseSuiteQl(
        "select id from Transaction where externalid in ('a', 'b''c') and type = 'Journal' order by id desc",
      ),
    ).toEqual({
      table: 'transaction',
      columns: ['id'],
      where: [
        { column: 'externalid', values: ['a', "b'c"] },
        { column: 'type', values: ['Journal'] },
      ],
      orderBy: { column: 'id', descending: true },
    });
  });

  it('takes a date range on trandate, in ISO dates', () => {
    expect(
      parseSuiteQl(
        "SELECT id, externalid FROM transaction WHERE type = 'Journal' AND trandate BETWEEN TO_DATE('2026-10-01', 'YYYY-MM-DD') AND TO_DATE('2026-11-30', 'YYYY-MM-DD')",
      ).where,
    ).toEqual([
      { column: 'type', values: ['Journal'] },
      { column: 'trandate', between: ['2026-10-01', '2026-11-30'] },
    ]);
  });

  it("reads the batch read-back's lines query on transactionline, internal ids as numbers", () => {
    expect(
      parseSuiteQl(
        "SELECT transaction, item, expenseaccount, debitforeignamount, creditforeignamount FROM TransactionLine WHERE transaction IN (101, 102) AND taxline = 'F' AND mainline = 'F' ORDER BY uniquekey",
      ),
    ).toEqual({
      table: 'transactionline',
      columns: ['transaction', 'item', 'expenseaccount', 'debitforeignamount', 'creditforeignamount'],
      where: [
        { column: 'transaction', values: ['101', '102'] },
        { column: 'taxline', values: ['F'] },
        { column: 'mainline', values: ['F'] },
      ],
      orderBy: { column: 'uniquekey', descending: false },
    });
  });

  it('refuses everything else with 400 INVALID_PARAMETER', () => {
    for (const query of [
      'SELECT * FROM transaction',
      'SELECT id FROM customer',
      "SELECT id FROM transaction WHERE externalid LIKE 'a%'",
      "SELECT id FROM transaction WHERE externalid = 'a' OR 1 = 1",
      'SELECT id FROM transaction; DELETE FROM transaction',
      'SELECT id FROM transaction WHERE externalid = ',
      'SELECT amount FROM transaction',
      "SELECT id FROM transaction WHERE memo BETWEEN TO_DATE('2026-10-01', 'YYYY-MM-DD') AND TO_DATE('2026-10-02', 'YYYY-MM-DD')",
      "SELECT id FROM transaction WHERE trandate BETWEEN TO_DATE('10/1/2026', 'MM/DD/YYYY') AND TO_DATE('2026-10-02', 'YYYY-MM-DD')",
      "SELECT id FROM transaction WHERE trandate BETWEEN TO_DATE('2026-13-45', 'YYYY-MM-DD') AND TO_DATE('2026-10-02', 'YYYY-MM-DD')",
      '',
      // A column of the other table, a table this subset does not know, a join, a qualified column.
      'SELECT item FROM transaction',
      'SELECT foreigntotal FROM transactionline',
      "SELECT id FROM transactionline WHERE trandate BETWEEN TO_DATE('2026-10-01', 'YYYY-MM-DD') AND TO_DATE('2026-10-02', 'YYYY-MM-DD')",
      'SELECT id FROM transactionaccountingline',
      'SELECT id FROM transaction, transactionline',
      'SELECT transactionline.item FROM transactionline',
      'SELECT id FROM transactionline tl',
      'SELECT item FROM transactionline WHERE transaction IN ()',
      'SELECT item FROM transactionline WHERE transaction IN (101',
      `SELECT item FROM transactionline WHERE transaction IN (${Array.from({ length: 1001 }, (_, i) => i).join(', ')})`,
      'SELECT item FROM transactionline WHERE transaction = -1',
      'SELECT item FROM transactionline WHERE transaction = 1.5',
      `SELECT item FROM transactionline WHERE transaction = ${'9'.repeat(19)}`,
      "SELECT item FROM transactionline WHERE memo = 'a\u0000b'",
      "SELECT item FROM transactionline WHERE memo = 'a\ud800b'",
      'SELECT item FROM transactionline WHERE memo = \u0000',
      'SELECT item FROM transactionline WHERE memo = \ud800',
      `SELECT item FROM transactionline WHERE memo = '${'x'.repeat(100_001)}'`,
    ]) {
      let refusal: unknown;
      try {
        parseSuiteQl(query);
      } catch (error) {
        refusal = error;
      }
      expect(refusal, query).toBeInstanceOf(NetSuiteError);
      expect((refusal as NetSuiteError).body(), query).toMatchObject({
        status: 400,
        'o:errorDetails': [{ 'o:errorCode': 'INVALID_PARAMETER' }],
      });
    }
  });
});
