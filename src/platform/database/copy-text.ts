/**
 * PostgreSQL COPY text format: one row per line, columns separated by tabs, NULL written as \N, and
 * backslash, tab, newline and carriage return escaped. JSON text rarely holds any of them, so the
 * common value passes through untouched.
 */
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function copyTextValue(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  return NEEDS_ESCAPE.test(text) ? text.replace(/[\\\t\n\r]/g, (character) => ESCAPES[character] as string) : text;
}

export function copyTextRow(values: ReadonlyArray<string | number | null | undefined>): string {
  return values.map(copyTextValue).join('\t');
}
