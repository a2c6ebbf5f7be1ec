import { parseDocument } from 'yaml';
import { ValidationError, type FieldError } from '../../platform/errors.js';
import { findHostileJson, MAX_JSON_DEPTH } from '../../platform/hostile-json.js';
import { findInexactNumbers } from '../../platform/json-numbers.js';
import { walkJson } from '../../platform/json-walk.js';
import { yamlTooDeepAt } from './yaml-depth.js';

// Ajv refuses "__proto__" where it is no declared property, with the catalog's own message.
const NO_FORBIDDEN_KEYS: ReadonlySet<string> = new Set();

/**
 * The document in a catalog file's text: JSON when the name ends in `.json`, YAML otherwise. Both go
 * through the yaml library, which refuses duplicate keys (JSON.parse would silently keep the last one) and
 * caps alias expansion. YAML 1.2's core schema keeps timestamps as strings and never builds Dates.
 * Nesting past MAX_JSON_DEPTH is refused before the yaml library builds anything (it recurses), and
 * values that cannot be stored (NUL, lone surrogates, numbers JSON would round) after, at their paths.
 * Throws a ValidationError listing every syntax error as `file:line:column: reason` at path "".
 */
export function parseCatalogFile(text: string, fileName: string): unknown {
  const errors: FieldError[] = [];
  if (fileName.toLowerCase().endsWith('.json')) checkJsonText(text, fileName);
  else {
    const line = yamlTooDeepAt(text, MAX_JSON_DEPTH);
    if (line !== undefined) {
      throw new ValidationError(`${fileName} nests too deeply`, [
        {
          path: '',
          message: `${fileName}:${line}: nests deeper than ${MAX_JSON_DEPTH} levels of mappings and sequences`,
        },
      ]);
    }
  }
  const document = parseDocument(text, { uniqueKeys: true });
  for (const error of document.errors) {
    const position = error.linePos?.[0];
    const where = position === undefined ? fileName : `${fileName}:${position.line}:${position.col}`;
    errors.push({ path: '', message: `${where}: ${describeYamlError(error.code, error.message)}` });
  }
  if (errors.length > 0) throw new ValidationError(`${fileName} cannot be parsed`, errors);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // An alias expanding past the cap (a "billion laughs" file) throws here rather than in `errors`.
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`${fileName} cannot be parsed`, [{ path: '', message: `${fileName}: ${reason}` }]);
  }
  // Aliases can nest deeper than the text does, so the depth is checked again on the value.
  const hostile = findHostileJson(value, { forbiddenKeys: NO_FORBIDDEN_KEYS });
  if (hostile.length > 0) throw new ValidationError(`${fileName} holds values that cannot be stored`, hostile);
  return value;
}

/** JSON's own syntax (YAML accepts more), nesting within the limit, and no number JSON.parse would round. */
function checkJsonText(text: string, fileName: string): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${fileName} is not valid JSON`, [jsonSyntaxError(text, fileName, error)]);
  }
  const tooDeep = walkJson(value, {}, { maxDepth: MAX_JSON_DEPTH });
  if (tooDeep.length > 0) throw new ValidationError(`${fileName} nests too deeply`, tooDeep);
  const inexact = findInexactNumbers(text);
  if (inexact.length > 0) throw new ValidationError(`${fileName} holds numbers that cannot be read exactly`, inexact);
}

function describeYamlError(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key: each key may appear once in a mapping';
  // The library appends the position and an excerpt; the position is already in front of the reason.
  return message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
}

function jsonSyntaxError(text: string, fileName: string, error: unknown): FieldError {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message);
  if (position === null) return { path: '', message: `${fileName}: ${message}` };
  const offset = Number(position[1]);
  const before = text.slice(0, offset).split('\n');
  const line = before.length;
  const column = (before[before.length - 1]?.length ?? 0) + 1;
  return { path: '', message: `${fileName}:${line}:${column}: ${message.replace(/ in JSON at position \d+.*$/s, '')}` };
}
