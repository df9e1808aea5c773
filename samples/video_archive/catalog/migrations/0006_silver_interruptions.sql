-- Silver runs as Airflow tasks with a time limit. A file whose derivation outlasts the task
-- is killed with it, before its own ffmpeg bound can quarantine it; every retry would start
-- it again and be killed again. Each start is counted here and every finished outcome
-- (derived, quarantined, failed with a reason) resets the count, so what remains counts the
-- attempts that were killed from outside; after a few of them the asset is quarantined.
ALTER TABLE assets ADD COLUMN silver_interruptions integer NOT NULL DEFAULT 0;
