import type { Command } from 'commander';
import { printResult } from './print-result.js';

/**
 * Columns padded to their widest cell; the last one (free text) is not, unless it is one of the
 * `rightAligned` columns (numbers), which are padded on the left.
 */
export function formatTable(rows: readonly string[][], rightAligned: ReadonlySet<number> = new Set()): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => {
        if (rightAligned.has(column)) return cell.padStart(widths[column] ?? 0);
        return column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0);
      })
      .join('  ')
      .trimEnd(),
  );
}

/** The options of a paged listing: where the page starts (`after`, such as `--after <id>`), its size, JSON. */
export function withPageOptions(command: Command, after: { flag: string; description: string }): Command {
  return command
    .option(after.flag, after.description)
    .option('--limit <n>', 'page size, 1-1000 (default 100)')
    .option('--json', 'print the page as JSON ({ items, next })');
}

/**
 * One page of a listing as an operator reads it: JSON with `--json`; otherwise a table (header row
 * first), `empty` when there is nothing, and how to ask for the next page.
 */
export function printPage<T>(
  page: { items: readonly T[]; next: string | null },
  options: { json: unknown; empty: string; rows: (items: readonly T[]) => string[][] },
): void {
  printResult(page, options.json, ({ items, next }) => {
    if (items.length === 0) return [options.empty];
    const table = formatTable(options.rows(items));
    return next ? [...table, `more: add --after ${next} for the next page`] : table;
  });
}
