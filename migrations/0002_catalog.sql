-- Catalog versions: each apply of a catalog file that changes something is a new, numbered version,
-- kept whole with who applied it, when, its checksum and its diff against the version before.
-- Versions are append-only: history of what was billable, and how, must never be rewritten.

create table catalog_versions (
  version integer primary key check (version > 0),
  applied_at timestamptz not null,
  applied_by text not null,
  -- The validated catalog (defaults filled in), as the service checked it.
  document jsonb not null,
  -- SHA-256 (hex) of the document's canonical JSON (keys sorted).
  checksum text not null,
  -- What changed against the previous version, per kind: added, removed and changed keys.
  diff jsonb not null
);

create function catalog_versions_are_immutable() returns trigger
language plpgsql as $$
begin
  if tg_op = 'TRUNCATE' then
    raise exception 'catalog versions are immutable';
  end if;
  raise exception 'catalog versions are immutable (version %)', old.version;
end;
$$;

create trigger catalog_versions_immutable
  before update or delete on catalog_versions
  for each row execute function catalog_versions_are_immutable();

create trigger catalog_versions_not_truncated
  before truncate on catalog_versions
  for each statement execute function catalog_versions_are_immutable();
