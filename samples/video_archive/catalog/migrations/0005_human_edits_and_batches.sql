-- Human edits are kept. Titles, descriptions and tags come from sidecars (the pipeline) and
-- from people (the web application, or anyone else with access to the catalog); until now
-- both landed in the same columns and the purge deleted an asset with its last file, edits
-- included.
--
-- * assets.edited_at: when a person last changed title, description or tags. Set by a
--   trigger, so every editing path is covered, for any change that the pipeline did not
--   declare as its own: the pipeline's sidecar writes run with
--   set_config('video_archive.writer', 'pipeline', true) in their transaction.
-- * assets.file_gone_at: an edited asset that lost its last file is kept and marked here
--   instead of being purged; it waits for a person to delete it, or for its content to come
--   back (a rescan of the same content clears the mark, edits intact).
-- * Existing rows cannot tell whether a value came from a sidecar or a person, so every
--   asset that has a title, a description or tags counts as edited: keeping a row too many
--   is recoverable, deleting a person's work is not.
ALTER TABLE assets ADD COLUMN edited_at timestamptz, ADD COLUMN file_gone_at timestamptz;

CREATE FUNCTION archive_mark_human_edit() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    IF coalesce(current_setting('video_archive.writer', true), '') <> 'pipeline'
       AND (NEW.title IS DISTINCT FROM OLD.title
            OR NEW.description IS DISTINCT FROM OLD.description
            OR NEW.tags IS DISTINCT FROM OLD.tags) THEN
        NEW.edited_at := now();
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER assets_mark_human_edit BEFORE UPDATE OF title, description, tags ON assets
    FOR EACH ROW EXECUTE FUNCTION archive_mark_human_edit();

UPDATE assets SET edited_at = updated_at
WHERE title IS NOT NULL OR description IS NOT NULL OR tags <> '{}';

CREATE INDEX assets_file_gone_idx ON assets (file_gone_at) WHERE file_gone_at IS NOT NULL;

-- Silver runs as mapped Airflow tasks: one run record per batch (part) of a run, so that the
-- batches of one run do not overwrite each other and a retried batch overwrites its own.
ALTER TABLE runs ADD COLUMN part text NOT NULL DEFAULT '';
ALTER TABLE runs DROP CONSTRAINT runs_run_id_layer_source_name_key;
ALTER TABLE runs ADD CONSTRAINT runs_run_id_layer_source_name_part_key
    UNIQUE NULLS NOT DISTINCT (run_id, layer, source_name, part);
