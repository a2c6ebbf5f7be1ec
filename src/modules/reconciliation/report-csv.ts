import { stringify } from 'csv-stringify/sync';
import type { ReconciliationReport } from './service.js';

// A kept report as CSV, one part at a time, for finance's spreadsheets: its mismatches, its totals per
// stage (one row per entity, currency and target), or its usage rows per customer and meter.

export const REPORT_PARTS = ['mismatches', 'totals', 'meters'] as const;
export type ReportPart = (typeof REPORT_PARTS)[number];

const MISMATCH_COLUMNS = [
  'seq',
  'class',
  'legalEntity',
  'currency',
  'customer',
  'meter',
  'targetKey',
  'invoiceId',
  'postingId',
  'externalId',
  'targetDocumentId',
  'expected',
  'actual',
  'detail',
  'action',
  'repaired',
] as const;

export function reportCsv(report: ReconciliationReport, part: ReportPart): string {
  if (part === 'mismatches')
    return stringify(
      report.mismatches.map((mismatch) => MISMATCH_COLUMNS.map((column) => mismatch[column] ?? '')),
      { header: true, columns: [...MISMATCH_COLUMNS], cast: { boolean: (value) => String(value) } },
    );
  if (part === 'meters')
    return stringify(report.rows as unknown as Record<string, unknown>[], {
      header: true,
      columns: [
        'legalEntity',
        'currency',
        'customer',
        'meter',
        'usageRecords',
        'usageQuantity',
        'invoicedRecords',
        'invoicedRecordQuantity',
        'lineQuantity',
        'lineAmount',
      ],
    });
  const rows = report.totals.flatMap((total) => {
    const targets = Object.keys(total.posted);
    const base = [
      total.legalEntity,
      total.currency,
      total.usageRecords,
      total.usageRecordsInvoiced,
      total.documents,
      total.invoiced,
    ];
    return targets.length === 0
      ? [[...base, '', '', '']]
      : targets.map((target) => [...base, target, total.posted[target], total.verified[target] ?? '0']);
  });
  return stringify(rows, {
    header: true,
    columns: [
      'legalEntity',
      'currency',
      'usageRecords',
      'usageRecordsInvoiced',
      'documents',
      'invoiced',
      'target',
      'posted',
      'verified',
    ],
  });
}
