-- Reconciliation runs that are queued and run by a worker (a month of many documents takes minutes of
-- paced read-back: an HTTP caller asks with `Prefer: respond-async` and reads the run when it is done).
-- Every run keeps its request and holds a lease while it runs, renewed as it goes: a run whose process
-- died is taken over by a worker once its lease lapses, and started again from the beginning (a run
-- writes its mismatches, reads and repairs only in its last transaction, so nothing of it is doubled).

alter table reconciliation_runs drop constraint reconciliation_runs_status_check;
alter table reconciliation_runs
  add constraint reconciliation_runs_status_check check (status in ('queued', 'running', 'completed', 'failed'));

-- period, entity, repair, stuckAfterHours as asked (runs before this migration have none).
alter table reconciliation_runs add column request jsonb;
alter table reconciliation_runs add column lease_until timestamptz;
alter table reconciliation_runs add column attempts integer not null default 0;

create index reconciliation_runs_due on reconciliation_runs (run_number) where status in ('queued', 'running');
