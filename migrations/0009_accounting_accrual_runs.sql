-- Accrual runs: one row per period whose revenue still on drafts was accrued (by hand or by serve at the
-- period's end). The row is written in the transaction that writes the accrual's postings, so a crash
-- leaves neither; the primary key makes the first of several processes the one that accrues a period,
-- and the others find its row and write nothing.
create table accrual_runs (
  -- The calendar month accrued, "2026-10".
  period text primary key,
  accrued_at timestamptz not null,
  actor text not null,
  -- Draft documents whose revenue was accrued, and the entries written (AccrualResult's accruals):
  -- an empty list is a run that found nothing to accrue.
  documents integer not null,
  accruals jsonb not null
);
