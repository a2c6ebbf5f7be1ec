-- Meterbridge store, first version: API keys, the event schema registry and the raw event log.
-- Money never appears here yet; when it does it is numeric, never float.

create table store_meta (
  key text primary key,
  value text not null,
  created_at timestamptz not null default now()
);

-- Keys are stored as SHA-256 digests only: they are long random secrets, not passwords, so a fast
-- digest is enough and lets a request be authenticated by one index lookup.
create table api_keys (
  id text primary key,
  key_hash text not null unique,
  role text not null check (role in ('ingest', 'read', 'finance', 'admin')),
  name text,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

-- Versions are immutable once registered: a changed schema is a new version.
create table event_schemas (
  event_type text not null,
  version integer not null check (version > 0),
  schema jsonb not null,
  schema_hash text not null,
  compatibility text not null check (compatibility in ('backward', 'none')),
  created_at timestamptz not null default now(),
  primary key (event_type, version)
);

-- The immutable raw event log. (source, id) is unique forever: that constraint *is* the dedup.
-- seq is the ingestion sequence number. Sequence values are taken before commit, so concurrent
-- transactions can commit out of seq order; tx_id (the inserting transaction) lets a reader consume
-- in a gap-free order: rows whose tx_id is below the oldest running transaction, ordered by (tx_id, seq).
create table raw_events (
  seq bigint generated always as identity primary key,
  tx_id xid8 not null default pg_current_xact_id(),
  source text not null,
  id text not null,
  type text not null,
  subject text,
  time timestamptz not null,
  datacontenttype text,
  dataschema text,
  schema_version integer,
  data jsonb,
  extensions jsonb,
  payload_hash text not null,
  received_at timestamptz not null,
  constraint raw_events_source_id_key unique (source, id)
);

create index raw_events_read_order on raw_events (tx_id, seq);

create function raw_events_are_immutable() returns trigger
language plpgsql as $$
begin
  raise exception 'raw events are immutable (source %, id %)', old.source, old.id;
end;
$$;

create trigger raw_events_immutable
  before update or delete on raw_events
  for each row execute function raw_events_are_immutable();
