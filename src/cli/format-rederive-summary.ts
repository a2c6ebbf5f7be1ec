import type { RederiveSummary } from '../modules/metering/index.js';

function show(value: string | null): string {
  return value ?? '(none)';
}

/** What a replay or reprocess changed, as lines an operator reads. */
export function formatRederiveSummary(summary: RederiveSummary): string[] {
  const { usage, exceptions } = summary;
  const lines = [
    `usage: ${usage.created} created, ${usage.updated} updated, ${usage.removed} removed, ${usage.unchanged} unchanged`,
    `exceptions: ${exceptions.opened} opened, ${exceptions.updated} updated, ${exceptions.resolved} resolved`,
  ];
  if (summary.invoicedChanges === 0) return lines;
  lines.push(`invoiced: ${summary.invoicedChanges} invoiced record(s) would change and were left as invoiced:`);
  for (const change of summary.invoiced) {
    const values =
      change.change === 'update' ? `, value ${show(change.invoicedValue)} -> ${show(change.derivedValue)}` : '';
    lines.push(
      `  event ${change.eventSeq}, meter ${change.meterKey}, invoice ${change.invoiceId}: ${change.change}${values}`,
    );
  }
  const unlisted = summary.invoicedChanges - summary.invoiced.length;
  if (unlisted > 0) lines.push(`  ... and ${unlisted} more`);
  return lines;
}
