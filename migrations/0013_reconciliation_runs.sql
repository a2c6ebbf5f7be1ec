-- Reconciliation: each run over a period (and optionally one legal entity) is kept with its totals at
-- each stage and its mismatches, so a report can be read again (JSON or CSV) and a mismatch repaired later.

create table reconciliation_runs (
  id text primary key,
  period text not null,
  legal_entity text,
  provisional boolean not null,
  repair boolean not null,
  status text not null check (status in ('running', 'completed', 'failed')),
  requested_by text not null,
  started_at timestamptz not null,
  finished_at timestamptz,
  -- Mismatches by class, targets left unverified, postings read back; totals per stage; meter rows.
  summary jsonb not null default '{}',
  totals jsonb not null default '[]',
  meter_rows jsonb not null default '[]',
  error text
);

create index reconciliation_runs_by_period on reconciliation_runs (period, started_at desc);

create table reconciliation_mismatches (
  run_id text not null references reconciliation_runs (id),
  seq integer not null,
  class text not null,
  legal_entity text,
  currency text,
  customer text,
  meter text,
  target_key text,
  invoice_id text,
  posting_id text,
  external_id text,
  target_document_id text,
  -- Exact amounts or counts, as text: what Meterbridge has and what the other side has.
  expected text,
  actual text,
  detail text not null,
  action text not null,
  repaired boolean not null default false,
  primary key (run_id, seq)
);
