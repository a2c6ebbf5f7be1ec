import { Lexer } from 'yaml';

// How deep a YAML text nests, read from its tokens before anything builds a tree. The yaml library's
// composer recurses per level (10,000 levels overflow the stack) and nested explicit keys (`? ? ? x`)
// cost it time far worse than linear, so a hostile file must be refused before parseDocument sees it.
// The lexer is iterative, and is read no further than the first level past the limit.
//
// Flow collections (`[`, `{`) are counted as they open and close. Block collections are tracked by the
// column they start at, as YAML defines them: `-` opens a sequence at its column, `?` or `key:` a
// mapping at the key's column; a line indented less closes them. Text the YAML grammar refuses anyway
// may be miscounted; what matters is that no text nests past the limit uncounted.

const SCALAR = '\u001f';
// The lexer's markers (document mode, scalar, flow error end): tokens that are not text of the source.
const MARKERS = new Set(['\u0002', SCALAR, '\u0018']);

interface Collection {
  column: number;
  kind: 'sequence' | 'mapping';
}

/** The 1-based line of an offset, to say where the nesting went too deep. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) line += 1;
  return line;
}

/** Block collections open at a line's first token (at `column`); a line indented less closes the deeper ones. */
function closeFor(open: Collection[], column: number, token: string): void {
  for (;;) {
    const top = open[open.length - 1];
    if (top === undefined || top.column < column) return;
    // Same column: another item of the sequence, another key of the mapping, or (`key:` then `- item`
    // at the key's column) a sequence inside the mapping.
    if (top.column === column && (top.kind === 'mapping' || token === '-')) return;
    open.pop();
  }
}

/** Opens a block collection at `column`, unless the innermost one is that same collection continuing. */
function openAt(open: Collection[], column: number, kind: Collection['kind']): void {
  const top = open[open.length - 1];
  if (top && top.column === column && top.kind === kind) return;
  open.push({ column, kind });
}

/** The line at which `text` first nests deeper than `maxDepth` collections, or undefined. */
export function yamlTooDeepAt(text: string, maxDepth: number): number | undefined {
  const open: Collection[] = [];
  let flow = 0;
  let offset = 0;
  let lineStart = 0;
  let atLineStart = true;
  let scalarNext = false;
  let blockScalar = false;
  // Column of the line's last scalar (a key, when a `:` follows it).
  let keyColumn: number | undefined;
  for (const token of new Lexer().lex(text)) {
    const start = offset;
    if (!MARKERS.has(token)) offset += token.length;
    const column = start - lineStart;
    if (scalarNext) {
      // A scalar's text, which may span lines; a block scalar's text ends with its last line break.
      scalarNext = false;
      keyColumn = column;
      if (blockScalar) {
        blockScalar = false;
        lineStart = offset;
        atLineStart = true;
      }
      continue;
    }
    if (token === '\n' || token === '\r\n') {
      lineStart = offset;
      atLineStart = true;
      keyColumn = undefined;
      continue;
    }
    const kind = token[0];
    if (
      kind === ' ' ||
      kind === '\t' ||
      kind === '#' ||
      kind === '%' ||
      token === '\ufeff' ||
      (MARKERS.has(token) && token !== SCALAR)
    )
      continue;
    if (token === '---' || token === '...') {
      open.length = 0;
      flow = 0;
      continue;
    }
    if (atLineStart && flow === 0 && !(blockScalar && token === SCALAR)) closeFor(open, column, token);
    atLineStart = false;
    if (token === SCALAR) scalarNext = true;
    else if (token === '[' || token === '{') flow += 1;
    else if (token === ']' || token === '}') flow = Math.max(0, flow - 1);
    else if (flow > 0) keyColumn = column;
    else if (kind === '|' || kind === '>') blockScalar = true;
    else if (token === '-') openAt(open, column, 'sequence');
    else if (token === '?') openAt(open, column, 'mapping');
    else if (token === ':') {
      if (keyColumn !== undefined) openAt(open, keyColumn, 'mapping');
    } else keyColumn = column;
    if (open.length + flow > maxDepth) return lineOf(text, start);
  }
  return undefined;
}
