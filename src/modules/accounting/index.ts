// The accounting module's one public door.
export { AccountingError, UnbalancedEntryError } from './accounting.js';
export { externalIdFor, isPortableExternalId, EXTERNAL_ID_PREFIXES, type ExternalIdKind } from './external-id.js';
export { documentJournalLines, type DocumentContext } from './journal-lines.js';
export { summarizeInto, assertBalanced } from './journal-entry.js';
export { createPostingPlanner, type PostingPlannerDependencies } from './posting-planner.js';
export { createTargetConnectors } from './target-connectors.js';
export { createPostingRenderer } from './posting-renderer.js';
export { createPostingPreview, type PostingPreview } from './posting-preview.js';
export { createAccruals, ACCRUAL_ACTOR, type AccrualResult, type AccrualOptions } from './accruals.js';
export { findAccrualRun, type AccrualEntry, type AccrualRun } from './accrual-runs.js';
export { periodsToAccrue, type AccrualSchedule } from './accrual-schedule.js';
export { notePostedDocuments } from './posted-documents.js';
