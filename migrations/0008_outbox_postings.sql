-- Postings: what the outbox delivers to each target. A posting is written in the transaction of the
-- change that causes it (with its outbox message), carries the rendered document and the target's
-- external id, and lives through pending → in_flight → delivered, or retrying, dead (the dead-letter
-- queue) or cancelled. The dispatcher claims postings with FOR UPDATE SKIP LOCKED; a claim is a lease,
-- so a dispatcher that dies mid-delivery gives its postings back when the lease runs out.
create table postings (
  id bigint generated always as identity primary key,
  message_id bigint references outbox (id),
  target_key text not null,
  -- Deterministic, unique per target: retries, restarts and replays reuse it, never a second document.
  external_id text not null,
  -- What the document is (journal, invoice, credit_memo, void, ...) and what it is about.
  kind text not null,
  subject text not null,
  legal_entity text,
  period text,
  body jsonb not null,
  -- Postings that summarize several changes (a day's journal entry) share a group: changes are added to
  -- the group's open posting until it is claimed, then a new one (the next sequence) is started.
  group_key text,
  sequence integer not null default 1,
  status text not null default 'pending'
    check (status in ('pending', 'in_flight', 'retrying', 'delivered', 'dead', 'cancelled')),
  -- A posting waits until the one it depends on is delivered (a memo after the invoice it corrects).
  depends_on bigint references postings (id),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  -- Set while claimed: until when the claim holds, and by which dispatcher.
  lease_until timestamptz,
  claimed_by text,
  -- The last attempt's outcome was unknown (a timeout, a dropped answer): read the target back first.
  needs_lookup boolean not null default false,
  target_document_id text,
  cancel_reason text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  delivered_at timestamptz,
  unique (target_key, external_id)
);

create index postings_due on postings (next_attempt_at, id) where status in ('pending', 'retrying');
create index postings_in_flight on postings (target_key, lease_until) where status = 'in_flight';
create index postings_by_status on postings (status, target_key, id);
create index postings_by_group on postings (target_key, group_key, sequence) where group_key is not null;

-- Every attempt, with the target's own answer kept whole: what an operator reads in the dead-letter queue.
create table posting_attempts (
  posting_id bigint not null references postings (id),
  attempt integer not null,
  started_at timestamptz not null,
  finished_at timestamptz not null,
  outcome text not null check (outcome in ('delivered', 'adopted', 'failed')),
  failure_class text check (failure_class in ('throttled', 'unavailable', 'unknown_outcome', 'invalid', 'auth')),
  message text,
  target_text text,
  status_code integer,
  error_code text,
  error_path text,
  primary key (posting_id, attempt)
);

-- Per target, shared by every dispatcher process: the rate limit's next free slot, the adaptive
-- concurrency cap, and the circuit breaker. Each claim locks the target's row, so limits hold across
-- processes.
create table posting_targets (
  target_key text primary key,
  next_slot_at timestamptz not null,
  concurrency_cap integer not null,
  successes_since_backoff integer not null default 0,
  breaker text not null default 'closed' check (breaker in ('closed', 'open', 'half_open')),
  consecutive_failures integer not null default 0,
  breaker_until timestamptz,
  updated_at timestamptz not null
);
