-- Keyword search as PostgreSQL full-text search, replacing 0003's trigram LIKE matching
-- (at 100,000 assets a common word matched a quarter of the catalog and every candidate was
-- re-checked with LIKE and probed for a present file: p95 5 s at 20 clients).
--
-- * assets.present_paths / present_source_ids: the asset's present file paths (space-joined)
--   and the sources holding them; both NULL when it has no present file. Kept by
--   statement-level triggers on files, so every writer (scanner, purge, source removal,
--   bulk COPY) keeps them right, and a search probes no files per candidate.
-- * assets.search_document: a weighted tsvector (A title and tags, B description,
--   C sidecar text and transcript, D path words) with a GIN index; queries use
--   websearch_to_tsquery and rank with ts_rank.
-- * indexes for the filters: btree on duration, height, codec and recording date, GIN on
--   present_source_ids; tags keep 0003's GIN index.

DROP INDEX assets_search_text_trgm_idx;
DROP INDEX files_rel_path_trgm_idx;
ALTER TABLE assets DROP COLUMN search_text;
DROP FUNCTION archive_search_text(text, text, text, text[]);

ALTER TABLE assets ADD COLUMN present_paths text, ADD COLUMN present_source_ids bigint[];

CREATE FUNCTION archive_refresh_present_paths(asset_ids bigint[])
RETURNS void LANGUAGE sql AS
$$
    UPDATE assets a SET present_paths = p.paths, present_source_ids = p.source_ids
    FROM (
        SELECT i.id, f.paths, f.source_ids FROM unnest(asset_ids) AS i (id)
        LEFT JOIN LATERAL (
            SELECT string_agg(rel_path, ' ' ORDER BY id) AS paths,
                   array_agg(DISTINCT source_id) AS source_ids
            FROM files WHERE asset_id = i.id AND status = 'present'
        ) f ON true
    ) p
    WHERE a.id = p.id AND (a.present_paths IS DISTINCT FROM p.paths
                           OR a.present_source_ids IS DISTINCT FROM p.source_ids)
$$;

-- One statement-level trigger per event (a trigger with transition tables may have only one
-- event): one UPDATE of the affected assets per statement, not one per file row.
CREATE FUNCTION archive_files_inserted() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM archive_refresh_present_paths(ARRAY(SELECT DISTINCT asset_id FROM new_rows));
    RETURN NULL;
END
$$;

CREATE FUNCTION archive_files_updated() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM archive_refresh_present_paths(ARRAY(
        SELECT asset_id FROM new_rows UNION SELECT asset_id FROM old_rows));
    RETURN NULL;
END
$$;

CREATE FUNCTION archive_files_deleted() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM archive_refresh_present_paths(ARRAY(SELECT DISTINCT asset_id FROM old_rows));
    RETURN NULL;
END
$$;

CREATE TRIGGER files_present_paths_insert AFTER INSERT ON files
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION archive_files_inserted();
CREATE TRIGGER files_present_paths_update AFTER UPDATE ON files
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION archive_files_updated();
CREATE TRIGGER files_present_paths_delete AFTER DELETE ON files
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION archive_files_deleted();

UPDATE assets a SET present_paths = p.paths, present_source_ids = p.source_ids
FROM (SELECT asset_id, string_agg(rel_path, ' ' ORDER BY id) AS paths,
             array_agg(DISTINCT source_id) AS source_ids
      FROM files WHERE status = 'present' GROUP BY asset_id) p
WHERE a.id = p.asset_id;

-- IMMUTABLE (array_to_string is only STABLE in general, but for text[] it depends on nothing
-- but its input; the configuration is named, not taken from the session) so that it can
-- feed a stored column. Paths are split on every non-alphanumeric character, so
-- "trips/lisbon_tram-ride.mp4" yields lisbon, tram, ride. Long sidecar text and transcripts
-- are cut at 100,000 characters each: a tsvector may not exceed 1 MB.
CREATE FUNCTION archive_search_document(
    title text, tags text[], description text, sidecar_text text, transcript text, paths text
) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT setweight(to_tsvector('pg_catalog.english'::regconfig,
                                 concat_ws(' ', title, array_to_string(tags, ' '))), 'A')
        || setweight(to_tsvector('pg_catalog.english'::regconfig, coalesce(description, '')), 'B')
        || setweight(to_tsvector('pg_catalog.english'::regconfig,
                                 concat_ws(' ', left(sidecar_text, 100000),
                                           left(transcript, 100000))), 'C')
        || setweight(to_tsvector('pg_catalog.english'::regconfig,
                                 regexp_replace(coalesce(paths, ''), '[^[:alnum:]]+', ' ', 'g')),
                     'D')
$$;

ALTER TABLE assets ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    archive_search_document(title, tags, description, sidecar_text, transcript, present_paths)
) STORED;
CREATE INDEX assets_search_document_idx ON assets USING gin (search_document);

-- Filters. The btree ones are partial on status = 'probed': searches return nothing else.
CREATE INDEX assets_duration_idx ON assets (duration_s) WHERE status = 'probed';
CREATE INDEX assets_height_idx ON assets (height) WHERE status = 'probed';
CREATE INDEX assets_video_codec_idx ON assets (video_codec) WHERE status = 'probed';
CREATE INDEX assets_present_source_ids_idx ON assets USING gin (present_source_ids);
-- The recording date, or the cataloguing date when the file carries none. Not partial: the
-- planner reads an expression's statistics only from a non-partial index.
CREATE INDEX assets_recorded_idx ON assets ((coalesce(creation_time, created_at)));
