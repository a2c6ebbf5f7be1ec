-- Which postings each reconciliation run read back from their target, and when: what the service level
-- "reconciled within H hours of posting" is measured on.
create table reconciliation_reads (
  run_id text not null references reconciliation_runs (id),
  posting_id bigint not null,
  read_at timestamptz not null,
  primary key (run_id, posting_id)
);

create index reconciliation_reads_by_posting on reconciliation_reads (posting_id, read_at);

-- Runs in the order they were started, which the clock alone cannot tell apart (two runs in one instant):
-- a period's latest run is the one with the highest number.
alter table reconciliation_runs add column run_number bigint generated always as identity;
