-- Posts are delivered by the gateway's worker, out of the request: the row keeps what to
-- publish (text, media path), new posts start 'queued', and 'unknown' marks a post that may
-- exist on the platform (the request was sent, no answer came) and is never re-sent
-- automatically. Rows from before keep their status; their text is NULL (they were
-- published or failed already).
ALTER TABLE social_gateway.posts
    ADD COLUMN text       text,
    ADD COLUMN media_path text;
ALTER TABLE social_gateway.posts DROP CONSTRAINT posts_status_check;
ALTER TABLE social_gateway.posts
    ADD CONSTRAINT posts_status_check
    CHECK (status IN ('queued', 'publishing', 'published', 'failed', 'unknown'));
ALTER TABLE social_gateway.posts ALTER COLUMN status SET DEFAULT 'queued';
-- The worker's queue: the oldest queued post first.
CREATE INDEX posts_queued ON social_gateway.posts (id) WHERE status = 'queued';
