import { parseDocument } from 'yaml';
import { ValidationError, type FieldError } from '../../platform/errors.js';

/**
 * The document in a catalog file's text: JSON when the name ends in `.json`, YAML otherwise. Both go
 * through the yaml library, which refuses duplicate keys (JSON.parse would silently keep the last one) and
 * caps alias expansion. YAML 1.2's core schema keeps timestamps as strings and never builds Dates.
 * Throws a ValidationError listing every syntax error as `file:line:column: reason` at path "".
 */
export function parseCatalogFile(text: string, fileName: string): unknown {
  const errors: FieldError[] = [];
  if (fileName.toLowerCase().endsWith('.json')) {
    const jsonError = strictJsonError(text, fileName);
    if (jsonError !== undefined) throw new ValidationError(`${fileName} is not valid JSON`, [jsonError]);
  }
  const document = parseDocument(text, { uniqueKeys: true });
  for (const error of document.errors) {
    const position = error.linePos?.[0];
    const where = position === undefined ? fileName : `${fileName}:${position.line}:${position.col}`;
    errors.push({ path: '', message: `${where}: ${describeYamlError(error.code, error.message)}` });
  }
  if (errors.length > 0) throw new ValidationError(`${fileName} cannot be parsed`, errors);
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // An alias expanding past the cap (a "billion laughs" file) throws here rather than in `errors`.
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`${fileName} cannot be parsed`, [{ path: '', message: `${fileName}: ${reason}` }]);
  }
}

function describeYamlError(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key: each key may appear once in a mapping';
  // The library appends the position and an excerpt; the position is already in front of the reason.
  return message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
}

// YAML accepts more than JSON (comments, unquoted strings), so a `.json` file is first held to JSON's syntax.
function strictJsonError(text: string, fileName: string): FieldError | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    if (position === null) return { path: '', message: `${fileName}: ${message}` };
    const offset = Number(position[1]);
    const before = text.slice(0, offset).split('\n');
    const line = before.length;
    const column = (before[before.length - 1]?.length ?? 0) + 1;
    return { path: '', message: `${fileName}:${line}:${column}: ${message.replace(/ in JSON at position \d+.*$/s, '')}` };
  }
}
