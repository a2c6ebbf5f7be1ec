const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** `copy <table> (<columns>) from <origin>` in text format; names are code constants, checked anyway. */
export function copyStatement(table: string, columns: readonly string[], origin: string): string {
  for (const name of [table, ...columns]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  }
  return `copy ${table} (${columns.join(', ')}) from ${origin}`;
}
