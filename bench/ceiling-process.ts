import { parseArgs } from 'node:util';
import { pgliteCeiling, postgresCeiling, toStoredRows } from './ceiling.js';
import { chunk, generateEvents } from './event-generator.js';

/**
 * One ceiling measurement in a process of its own, so that neither its memory (PGlite instances,
 * a million prepared rows) nor its garbage collection weighs on the HTTP phase measured after it.
 * Prints the result as one JSON line.
 */
const { values } = parseArgs({
  options: {
    store: { type: 'string' },
    targets: { type: 'string' },
    events: { type: 'string' },
    batch: { type: 'string' },
    seed: { type: 'string' },
  },
});
const total = Number(values.events);
const rows = chunk(toStoredRows(generateEvents(total, 0, values.seed)), Number(values.batch));
const targets = (values.targets as string).split(',') as [string, string];
const result =
  values.store === 'pglite' ? await pgliteCeiling(targets, rows, total) : await postgresCeiling(targets, rows, total);
console.log(JSON.stringify(result));
