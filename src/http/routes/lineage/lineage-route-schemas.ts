import { DEFAULT_EVENT_PAGE } from '../../../modules/lineage/index.js';
import { MAX_PAGE } from '../../../platform/paging.js';

// The lineage query string is checked by the lineage module (lineage-query.ts), so that every problem
// is reported together: unknown and repeated parameters included. The schema only describes it.
const text = (description: string) => ({ description }) as const;

export const lineageQuerystring = {
  type: 'object',
  additionalProperties: true,
  properties: {
    event: text(
      'An event as `<source>/<id>`, split at the last `/` (a CloudEvents source often has slashes of its own).',
    ),
    source: text("An event's source, with `id` (instead of `event`)."),
    id: text("An event's id, with `source`."),
    document: text(
      "A target's document as `<target>/<id>`: the target key from the catalog, then the target's own id for the document (NetSuite's internal id, ...) or the posting's external id.",
    ),
    invoice: text('An invoice id, with `line`.'),
    line: text('A line number of the invoice, from 1.'),
    limit: text(`Events per usage line on the first page, 1-${MAX_PAGE} (default ${DEFAULT_EVENT_PAGE}).`),
  },
} as const;

const open = (description: string) => ({ type: 'object', additionalProperties: true, description }) as const;

export const lineageSchema = {
  type: 'object',
  required: ['lookup'],
  additionalProperties: true,
  description:
    'A tree by `lookup`. event: `event`, `metering` (metered, telemetry, not_metered_yet), `note`, `usage[]` (each record with `billing` and the `lines` billing it, each with its `invoice`, `line` and `postings`), `exceptions[]`. line: `invoice`, `line`, `events` (first page, `next`, `eventsPath`), `postings`. document: `target`, `document`, `postings[]`, each with its `lines` and the `invoices` it carries (`lines[]` with `postingLines` and `events`). See docs/lineage.md.',
  properties: {
    lookup: { type: 'string', enum: ['event', 'line', 'document'] },
    event: open('The event looked up.'),
    invoice: open('The invoice of the line looked up.'),
    line: open('The line looked up.'),
  },
} as const;
