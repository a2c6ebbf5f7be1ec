-- Lineage reads postings by what they carry and by what a target calls them. A GIN index on the body
-- (jsonb_path_ops: containment only, smaller than the default operator class) answers "which postings
-- name this invoice" (`body @> ...`) without scanning every body; the target's document id is what a
-- person holding an ERP document number looks a posting up by.
create index postings_body_paths on postings using gin (body jsonb_path_ops);
create index postings_by_target_document on postings (target_key, target_document_id) where target_document_id is not null;
