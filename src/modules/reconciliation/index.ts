// The reconciliation module's one public door.
export {
  createReconciliations,
  type Reconciliations,
  type ReconciliationsDependencies,
  type ReconciliationReport,
} from './service.js';
export {
  MISMATCH_CLASSES,
  REPAIRABLE,
  type Mismatch,
  type MismatchClass,
  type ReconciliationRun,
} from './reconciliation.js';
export { reportCsv, REPORT_PARTS, type ReportPart } from './report-csv.js';
export { reconciledWithinObjective, reconciliationMismatchRule } from './reconciliation-alerts.js';
export { billingItemPlace, placeDifferences, sentLines, sentTotal, sumByPlace } from './sent-figures.js';
