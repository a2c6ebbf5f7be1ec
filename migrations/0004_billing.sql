-- Billing: runs that close a period, invoices with lines, numbering per legal entity, and the outbox
-- through which finalized invoices leave (for the posting stage). Money is numeric, never float.

-- A run is one transaction: a run that fails leaves no row (and no invoice) behind.
create table billing_runs (
  id text primary key,
  -- The calendar month closed, "2026-10": every subscription period whose covered part starts in it.
  period text not null,
  started_at timestamptz not null,
  finished_at timestamptz not null,
  actor text not null,
  summary jsonb not null
);

create index billing_runs_by_period on billing_runs (period, started_at);

create table invoices (
  id text primary key,
  -- An invoice bills a period; a memo corrects a finalized invoice's period (late usage, `memo` policy).
  document text not null default 'invoice' check (document in ('invoice', 'memo')),
  corrects_invoice_id text references invoices (id),
  -- A regenerated invoice (late usage, `reissue` policy): the voided invoice it replaces.
  replaces_invoice_id text references invoices (id),
  subscription_key text not null,
  period_start timestamptz not null,
  period_end timestamptz not null,
  -- The part of the period the subscription was active in: the usage window this invoice bills.
  covered_start timestamptz not null,
  covered_end timestamptz not null,
  customer_key text not null,
  legal_entity text not null,
  currency text not null,
  status text not null check (status in ('draft', 'finalized', 'void')),
  -- Gapless per legal entity, assigned on finalization.
  number text,
  subtotal numeric not null,
  tax_total numeric not null,
  total numeric not null,
  catalog_version integer not null,
  -- SHA-256 of the drafted content (lines and totals): a re-run that drafts the same invoice changes nothing.
  content_hash text not null,
  billing_run_id text not null references billing_runs (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  -- A draft finalizes on its own once this passes (the grace period), or earlier on command.
  finalize_after timestamptz not null,
  finalized_at timestamptz,
  -- Set by the posting stage once an ERP holds the invoice; a posted invoice is never voided.
  posted_at timestamptz,
  voided_at timestamptz,
  constraint invoices_number_key unique (legal_entity, number),
  constraint memos_correct_an_invoice check ((document = 'memo') = (corrects_invoice_id is not null))
);

-- One invoice per subscription and period: a re-run updates its draft, never adds a second. And at most
-- one draft memo per corrected invoice (a re-run updates it).
create unique index invoices_one_per_period on invoices (subscription_key, period_start) where document = 'invoice' and status <> 'void';
create unique index memos_one_draft_per_invoice on invoices (corrects_invoice_id) where document = 'memo' and status = 'draft';

create index invoices_by_status on invoices (status, finalize_after);
create index invoices_by_customer on invoices (customer_key, period_start);

create table invoice_lines (
  invoice_id text not null references invoices (id) on delete cascade,
  line_no integer not null check (line_no > 0),
  kind text not null check (kind in ('usage', 'flat_fee', 'discount', 'adjustment', 'tax')),
  charge_key text,
  meter_key text,
  description text not null,
  -- The period the line bills (an in-advance fee bills the next one).
  period_start timestamptz not null,
  period_end timestamptz not null,
  quantity numeric,
  -- Unit price when one price explains the line; otherwise the breakdown does.
  unit_price numeric,
  amount numeric not null,
  -- The rating engine's exact lines (tiers, packages, minimum, ...) and the quantity per group-by value.
  breakdown jsonb not null default '[]',
  groups jsonb not null default '[]',
  -- An adjustment line: the finalized invoice whose period it re-rates (late usage rolled forward).
  adjusts_invoice_id text references invoices (id),
  primary key (invoice_id, line_no)
);

-- A finalized invoice never changes: lines and amounts are what was sent.
create function invoices_finalized_are_final() returns trigger
language plpgsql as $$
begin
  -- Voiding keeps the number and every amount; only status and voided_at change.
  if tg_op = 'UPDATE' and old.status = 'finalized' and new.status = 'void' and new.number is not distinct from old.number
     and new.total = old.total and new.posted_at is null then
    return new;
  end if;
  -- The posting stage records when an ERP took the invoice.
  if tg_op = 'UPDATE' and old.status = new.status and old.posted_at is null and new.posted_at is not null
     and new.total = old.total and new.number is not distinct from old.number then
    return new;
  end if;
  raise exception 'invoice % is % and cannot change', old.id, old.status;
end;
$$;

create trigger invoices_final
  before update or delete on invoices
  for each row when (old.status <> 'draft')
  execute function invoices_finalized_are_final();

create function invoice_lines_of_final_invoices() returns trigger
language plpgsql as $$
declare
  invoice_status text;
begin
  select status into invoice_status from invoices where id = coalesce(new.invoice_id, old.invoice_id);
  if invoice_status is distinct from 'draft' then
    raise exception 'lines of invoice % (%) cannot change', coalesce(new.invoice_id, old.invoice_id), invoice_status;
  end if;
  return coalesce(new, old);
end;
$$;

create trigger invoice_lines_final
  before insert or update or delete on invoice_lines
  for each row execute function invoice_lines_of_final_invoices();

-- Usage billed by an invoice that is voided to be reissued goes back to no invoice, so that the
-- regenerated invoice can bill it; any other change to invoiced usage stays refused.
create or replace function usage_records_invoiced_are_final() returns trigger
language plpgsql as $$
begin
  if tg_op = 'UPDATE' and new.invoice_id is null
     and (select status from invoices where id = old.invoice_id) = 'void'
     and (new.event_seq, new.meter_key, new.value, new.customer_key, new.subscription_key)
         is not distinct from (old.event_seq, old.meter_key, old.value, old.customer_key, old.subscription_key) then
    return new;
  end if;
  raise exception 'usage record (event %, meter %) is invoiced (%) and cannot change', old.event_seq, old.meter_key, old.invoice_id;
end;
$$;

-- The last number given per legal entity; the row is locked while a number is taken, so numbers
-- are consecutive and none is lost (a rolled-back finalization gives its number back).
create table invoice_sequences (
  legal_entity text primary key,
  last_number bigint not null
);

-- Side effects leave through here, written in the same transaction as the change they announce.
create table outbox (
  id bigint generated always as identity primary key,
  topic text not null,
  key text not null,
  payload jsonb not null,
  created_at timestamptz not null,
  published_at timestamptz
);

create index outbox_unpublished on outbox (id) where published_at is null;
