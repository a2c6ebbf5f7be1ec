/** Columns padded to their widest cell; the last one (free text) is not. */
export function formatTable(rows: readonly string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * One page of a listing as an operator reads it: JSON with `--json`; otherwise a table (header row
 * first), `empty` when there is nothing, and how to ask for the next page.
 */
export function printPage<T>(
  page: { items: readonly T[]; next: string | null },
  options: { json: unknown; empty: string; rows: (items: readonly T[]) => string[][] },
): void {
  if (options.json) {
    console.log(JSON.stringify(page, null, 2));
    return;
  }
  if (page.items.length === 0) {
    console.log(options.empty);
    return;
  }
  for (const line of formatTable(options.rows(page.items))) console.log(line);
  if (page.next) console.log(`more: add --after ${page.next} for the next page`);
}
