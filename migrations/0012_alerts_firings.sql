-- Business alerts: each firing of a rule for one subject (a target, a meter, a period) is kept, with
-- when it fired and when it resolved; the notifications that tell a webhook about them; and the count
-- of events ingestion rejected per minute, which nothing else stores (a rejected event is not kept).

-- One row per firing. At most one firing of a (rule, subject) is open at a time: the partial unique
-- index decides, so several evaluators at once never open two. Measured values are numeric text, exact.
create table alerts (
  id bigint generated always as identity primary key,
  rule text not null,
  subject text not null,
  summary text not null,
  -- What the rule measured and the threshold it was held to, exact (numeric), latest evaluation's.
  observed numeric,
  threshold numeric,
  details jsonb not null default '{}',
  fired_at timestamptz not null,
  last_seen_at timestamptz not null,
  resolved_at timestamptz,
  check (resolved_at is null or resolved_at >= fired_at)
);

create unique index alerts_one_open_per_subject on alerts (rule, subject) where resolved_at is null;
create index alerts_by_fired on alerts (id) where resolved_at is null;

-- One notification per firing and one per resolution: the primary key is the dedup, written in the
-- transaction that opens or resolves the alert. Delivered with retries; a claim is a lease, so a process
-- killed mid-send gives it back, and the receiver deduplicates on the Idempotency-Key.
create table alert_notifications (
  alert_id bigint not null references alerts (id),
  kind text not null check (kind in ('fired', 'resolved')),
  created_at timestamptz not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  lease_until timestamptz,
  delivered_at timestamptz,
  last_error text,
  primary key (alert_id, kind)
);

create index alert_notifications_due on alert_notifications (next_attempt_at) where delivered_at is null;

-- Events ingestion refused, per minute (UTC): the schema-rejection rule's rate. Counted by every process.
create table alert_rejection_counts (
  minute timestamptz primary key,
  rejected bigint not null check (rejected >= 0)
);
