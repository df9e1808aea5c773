-- Subtitle cues with their timings, so that an answer can cite where in a video something is
-- said. sidecar_text keeps the cues' joined text for full-text search and the index; the
-- cues are derived from the sidecars alone and are replaced whenever those are re-read.
CREATE TABLE subtitle_cues (
    asset_id  bigint           NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    seq       integer          NOT NULL,
    start_s   double precision NOT NULL CHECK (start_s >= 0),
    end_s     double precision NOT NULL CHECK (end_s >= start_s),
    text      text             NOT NULL,
    PRIMARY KEY (asset_id, seq)
);

-- Earlier scans kept no timings: the next scan re-reads every video's sidecars (a changed
-- signature), and only those; a file whose content is known is not probed again.
UPDATE files SET sidecar_signature = -1 WHERE sidecar_signature <> 0;
