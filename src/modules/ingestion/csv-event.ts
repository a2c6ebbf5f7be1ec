import { ValidationError, type FieldError } from '../../platform/errors.js';
import { findInexactNumbers, inexactNumberMessage } from '../../platform/json-numbers.js';

// The one number syntax a data cell may use to become a JSON number: JSON's own, so "007", "1.",
// ".5", "+1", "0x10" and "1,5" stay strings instead of being guessed at.
const DECIMAL_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const DATA_PREFIX = 'data.';
const REQUIRED_COLUMNS = ['id', 'source', 'type'];

type Column = { kind: 'attribute'; name: string } | { kind: 'data-json' } | { kind: 'data-field'; path: string[] };

/** A checked CSV header: what each column contributes to the event. */
export interface CsvHeader {
  readonly columns: readonly Column[];
  readonly hasSpecversion: boolean;
}

export type CsvEventResult = { ok: true; event: Record<string, unknown> } | { ok: false; errors: FieldError[] };

function pointer(segments: readonly string[]): string {
  return segments.map((segment) => `/${segment.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Every data path is a leaf or an object, never both: `data.a` and `data.a.b` cannot coexist. */
function findPathClashes(paths: ReadonlyArray<readonly string[]>): FieldError[] {
  const joined = paths.map((path) => path.join('.'));
  const errors: FieldError[] = [];
  for (const leaf of joined) {
    const nested = joined.find((other) => other.startsWith(`${leaf}.`));
    if (nested)
      errors.push({
        path: `column "data.${nested}"`,
        message: `nests inside column "data.${leaf}", which already holds a value`,
      });
  }
  return errors;
}

/**
 * Reads the header row. Problems here concern every record, so they stop the load instead of
 * rejecting each line for the same reason.
 */
export function compileCsvHeader(names: readonly string[]): CsvHeader {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const columns: Column[] = [];
  names.forEach((raw, position) => {
    const name = raw.trim();
    const where = `column ${position + 1}`;
    if (name === '') errors.push({ path: where, message: 'has no name' });
    else if (seen.has(name)) errors.push({ path: `${where} "${name}"`, message: 'appears more than once' });
    seen.add(name);
    if (name === 'data') columns.push({ kind: 'data-json' });
    else if (name.startsWith(DATA_PREFIX)) {
      const path = name.slice(DATA_PREFIX.length).split('.');
      if (path.some((segment) => segment === ''))
        errors.push({ path: `${where} "${name}"`, message: 'has an empty segment in its data path' });
      columns.push({ kind: 'data-field', path });
    } else columns.push({ kind: 'attribute', name });
  });
  const fieldPaths = columns.flatMap((column) => (column.kind === 'data-field' ? [column.path] : []));
  if (seen.has('data') && fieldPaths.length > 0) {
    errors.push({
      path: 'column "data"',
      message: 'use either one "data" column holding a JSON object or "data.<field>" columns, not both',
    });
  }
  errors.push(...findPathClashes(fieldPaths));
  for (const required of REQUIRED_COLUMNS) {
    if (!seen.has(required)) errors.push({ path: `column "${required}"`, message: 'is required in the header' });
  }
  if (errors.length > 0) throw new ValidationError('the CSV header cannot be used', errors);
  return { columns, hasSpecversion: seen.has('specversion') };
}

function typedCell(cell: string): unknown {
  if (cell === 'true') return true;
  if (cell === 'false') return false;
  return DECIMAL_NUMBER.test(cell) ? Number(cell) : cell;
}

// Own properties even for "__proto__", so that envelope validation sees and refuses such a key
// instead of the assignment silently replacing the object's prototype.
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  path.slice(0, -1).forEach((segment) => {
    if (!Object.hasOwn(node, segment)) setOwn(node, segment, {});
    node = node[segment] as Record<string, unknown>;
  });
  setOwn(node, path[path.length - 1] as string, value);
}

/**
 * Turns one CSV record (as many cells as the header has columns) into a CloudEvent object for the
 * same validation as any other. An empty cell is the same as an absent column.
 */
export function csvRecordToEvent(header: CsvHeader, cells: readonly string[]): CsvEventResult {
  const event: Record<string, unknown> = header.hasSpecversion ? {} : { specversion: '1.0' };
  const errors: FieldError[] = [];
  let data: Record<string, unknown> | undefined;
  header.columns.forEach((column, position) => {
    const cell = cells[position] ?? '';
    if (column.kind === 'data-field') {
      data ??= {};
      if (cell === '') return;
      const value = typedCell(cell);
      if (typeof value === 'number' && !Number.isFinite(value)) {
        errors.push({ path: `/data${pointer(column.path)}`, message: `${cell} is too large to be a number` });
      } else if (typeof value === 'number' && findInexactNumbers(cell).length > 0) {
        errors.push({ path: `/data${pointer(column.path)}`, message: inexactNumberMessage(cell, value) });
      } else setPath(data, column.path, value);
    } else if (cell === '') {
      if (column.kind === 'attribute' && column.name === 'specversion') event.specversion = '1.0';
    } else if (column.kind === 'data-json') {
      try {
        event.data = JSON.parse(cell);
        errors.push(...findInexactNumbers(cell, '/data'));
      } catch (error) {
        errors.push({ path: '/data', message: `is not valid JSON: ${(error as Error).message}` });
      }
    } else setOwn(event, column.name, cell);
  });
  if (data !== undefined) event.data = data;
  return errors.length > 0 ? { ok: false, errors } : { ok: true, event };
}
