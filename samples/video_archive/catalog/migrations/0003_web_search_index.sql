-- Keyword search for the web service (samples/video_archive/web): trigram indexes so that
-- "every word appears somewhere" queries over titles, descriptions, sidecar text, tags and
-- paths use an index instead of scanning the catalog. pg_trgm is a trusted extension: the
-- database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The searchable text of an asset, lower-cased. Declared IMMUTABLE (array_to_string is only
-- STABLE in general, but for text[] its result depends on nothing but the input) so that it
-- can be indexed.
CREATE FUNCTION archive_search_text(title text, description text, sidecar_text text, tags text[])
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT lower(concat_ws(' ', title, description, sidecar_text, array_to_string(tags, ' '))) $$;

-- Stored, so that re-checking index candidates reads a column instead of re-computing text.
ALTER TABLE assets ADD COLUMN search_text text
    GENERATED ALWAYS AS (archive_search_text(title, description, sidecar_text, tags)) STORED;
CREATE INDEX assets_search_text_trgm_idx ON assets USING gin (search_text gin_trgm_ops);
CREATE INDEX files_rel_path_trgm_idx ON files USING gin (lower(rel_path) gin_trgm_ops);
CREATE INDEX assets_tags_idx ON assets USING gin (tags);
