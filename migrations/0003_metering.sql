-- The metering stage: raw events become usage records (billable, attributed) or exceptions
-- (a meter matched but the event could not be attributed); events no meter reads are telemetry.

-- Where each stage loop is in the raw event log. A stage locks its row for the whole batch, so
-- two workers of one stage take turns and never process the same events at once.
create table stage_cursors (
  stage text primary key,
  tx_id xid8,
  seq bigint,
  events_processed bigint not null default 0,
  updated_at timestamptz not null
);

-- One record per (event, meter): that key *is* the idempotency of the stage, a re-run or a second
-- worker cannot create another. Quantities are numeric, never float. event_seq names a raw event;
-- there is no foreign key on purpose: raw events can never be deleted (a trigger refuses it), and the
-- check would lock (and so write) every raw event row a batch meters — half the cost of the insert.
create table usage_records (
  event_seq bigint not null,
  meter_key text not null,
  event_time timestamptz not null,
  received_at timestamptz not null,
  customer_key text not null,
  subscription_key text not null,
  legal_entity text not null,
  currency text not null,
  -- The meter's value path read exactly; null for a count meter without one.
  value numeric,
  -- unique_count: the canonical JSON text of the value, so "7" and 7 stay distinct values.
  distinct_key text,
  -- Group-by values by data path (null when the event lacks one).
  dimensions jsonb not null default '{}',
  -- The catalog version the record was derived with, and when (lineage).
  catalog_version integer not null,
  meter_effective_from timestamptz,
  derived_at timestamptz not null,
  -- Set by billing when the record is on an invoice; from then on the record never changes.
  invoice_id text,
  primary key (event_seq, meter_key)
);

create index usage_records_by_meter_customer_time on usage_records (meter_key, customer_key, event_time);

create function usage_records_invoiced_are_final() returns trigger
language plpgsql as $$
begin
  raise exception 'usage record (event %, meter %) is invoiced (%) and cannot change', old.event_seq, old.meter_key, old.invoice_id;
end;
$$;

create trigger usage_records_invoiced_final
  before update or delete on usage_records
  for each row when (old.invoice_id is not null)
  execute function usage_records_invoiced_are_final();

-- Events a meter matched but that could not become usage, with why. Never deleted: they close as
-- resolved (reprocessed or replayed into usage, or no longer metered) or ignored (by someone, with a reason).
create table metering_exceptions (
  id bigint generated always as identity primary key,
  -- A raw event (no foreign key, as for usage records).
  event_seq bigint not null,
  meter_key text not null,
  reason text not null check (reason in (
    'unknown_subject', 'no_active_subscription', 'ambiguous_subscription',
    'missing_value', 'non_numeric_value', 'negative_value', 'beyond_horizon')),
  detail text not null,
  event_type text not null,
  subject text,
  customer_key text,
  event_time timestamptz not null,
  status text not null default 'open' check (status in ('open', 'resolved', 'ignored')),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  -- How it closed: reprocessed, replayed, not_metered, or the reason given to ignore it.
  resolution text,
  resolved_by text,
  constraint metering_exceptions_event_meter_key unique (event_seq, meter_key)
);

create index metering_exceptions_by_status_reason on metering_exceptions (status, reason, id);

-- Events no meter reads: counted per type, never billable.
create table telemetry_counts (
  event_type text primary key,
  events bigint not null,
  last_event_time timestamptz not null
);

-- Who did what that changed billing state by hand (ignoring an exception, a replay). Append-only.
create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null,
  actor text not null,
  action text not null,
  target text not null,
  detail jsonb not null default '{}'
);

create function audit_log_is_append_only() returns trigger
language plpgsql as $$
begin
  raise exception 'the audit log is append-only';
end;
$$;

create trigger audit_log_append_only
  before update or delete on audit_log
  for each row execute function audit_log_is_append_only();

create trigger audit_log_not_truncated
  before truncate on audit_log
  for each statement execute function audit_log_is_append_only();
