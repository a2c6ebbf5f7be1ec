// The 149 positional columns of FBDI's GlInterface.csv, in file order. Oracle publishes the names (the
// GL_INTERFACE table) but the order only through its spreadsheet template, so the list is written as
// its runs of numbered columns and checked against an independently collected copy of the order
// (gl-interface-columns.test.ts reads vendor-apis/oracle-fusion/GlInterface-columns.csv).

const run = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, index) => `${prefix}${from + index}`);

export const GL_INTERFACE_COLUMNS: readonly string[] = Object.freeze([
  'STATUS',
  'LEDGER_ID',
  'ACCOUNTING_DATE',
  'USER_JE_SOURCE_NAME',
  'USER_JE_CATEGORY_NAME',
  'CURRENCY_CODE',
  'DATE_CREATED',
  'ACTUAL_FLAG',
  ...run('SEGMENT', 1, 30),
  'ENTERED_DR',
  'ENTERED_CR',
  'ACCOUNTED_DR',
  'ACCOUNTED_CR',
  ...run('REFERENCE', 1, 10),
  ...run('REFERENCE', 21, 30),
  'STAT_AMOUNT',
  'USER_CURRENCY_CONVERSION_TYPE',
  'CURRENCY_CONVERSION_DATE',
  'CURRENCY_CONVERSION_RATE',
  'GROUP_ID',
  'ATTRIBUTE_CATEGORY',
  ...run('ATTRIBUTE', 1, 20),
  'ATTRIBUTE_CATEGORY3',
  'AVERAGE_JOURNAL_FLAG',
  'ORIGINATING_BAL_SEG_VALUE',
  'LEDGER_NAME',
  'ENCUMBRANCE_TYPE_ID',
  'JGZZ_RECON_REF',
  'PERIOD_NAME',
  ...run('REFERENCE', 18, 20),
  ...run('ATTRIBUTE_DATE', 1, 10),
  ...run('ATTRIBUTE_NUMBER', 1, 10),
  'GLOBAL_ATTRIBUTE_CATEGORY',
  ...run('GLOBAL_ATTRIBUTE', 1, 20),
  ...run('GLOBAL_ATTRIBUTE_DATE', 1, 5),
  ...run('GLOBAL_ATTRIBUTE_NUMBER', 1, 5),
]);

export type GlInterfaceColumn = (typeof GL_INTERFACE_COLUMNS)[number];

const POSITIONS = new Map(GL_INTERFACE_COLUMNS.map((name, index) => [name, index]));

/** A row as column name -> value; every column not given is empty. Throws on a name that is no column. */
export function toPositionalRow(values: Readonly<Record<string, string>>): string[] {
  const row = new Array<string>(GL_INTERFACE_COLUMNS.length).fill('');
  for (const [name, value] of Object.entries(values)) {
    const index = POSITIONS.get(name);
    if (index === undefined) throw new Error(`${name} is not a GL_INTERFACE column`);
    row[index] = value;
  }
  return row;
}
