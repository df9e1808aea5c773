-- Sidecars (.srt/.vtt/.xmp/.json) are re-read when they change even if the video did not:
-- the signature is the newest sidecar mtime (ns) plus the number of sidecars, 0 for none.
ALTER TABLE files ADD COLUMN sidecar_signature bigint NOT NULL DEFAULT 0;
