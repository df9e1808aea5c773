-- Video archive catalog: sources, assets (one per content fingerprint), the files that hold
-- them (one per path), quarantine reasons and pipeline runs.

CREATE TABLE sources (
    id            bigserial   PRIMARY KEY,
    name          text        NOT NULL UNIQUE,
    kind          text        NOT NULL CHECK (kind IN ('local', 's3')),
    uri           text        NOT NULL,
    include_globs text[]      NOT NULL DEFAULT '{}',
    exclude_globs text[]      NOT NULL DEFAULT '{}',
    status        text        NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'online', 'offline')),
    status_reason text,
    last_scan_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE assets (
    id                bigserial   PRIMARY KEY,
    fingerprint       text        NOT NULL UNIQUE,
    size_bytes        bigint      NOT NULL,
    full_hash         text,
    status            text        NOT NULL DEFAULT 'registered'
                      CHECK (status IN ('registered', 'probed', 'quarantined')),
    quarantine_reason text,
    -- bronze: technical metadata from ffprobe
    probe             jsonb,
    container         text,
    duration_s        double precision,
    width             integer,
    height            integer,
    fps               double precision,
    variable_fps      boolean,
    rotation          integer,
    video_codec       text,
    audio_codec       text,
    audio_channels    integer,
    audio_layout      text,
    bit_rate          bigint,
    creation_time     timestamptz,
    camera_make       text,
    camera_model      text,
    gps_lat           double precision,
    gps_lon           double precision,
    -- descriptive metadata: sidecars, later human edits
    title             text,
    description       text,
    tags              text[]      NOT NULL DEFAULT '{}',
    sidecar_text      text,
    transcript        text,
    -- silver: derivatives and checks
    poster_path       text,
    sprite_path       text,
    proxy_path        text,
    scene_cuts_s      double precision[],
    phash             text,
    quality_issues    text[]      NOT NULL DEFAULT '{}',
    -- layer bookkeeping
    probed_at         timestamptz,
    derived_at        timestamptz,
    indexed_at        timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX assets_status_idx ON assets (status);
CREATE INDEX assets_phash_idx ON assets (phash) WHERE phash IS NOT NULL;

CREATE TABLE files (
    id            bigserial   PRIMARY KEY,
    source_id     bigint      NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    rel_path      text        NOT NULL,
    asset_id      bigint      NOT NULL REFERENCES assets (id),
    size_bytes    bigint      NOT NULL,
    mtime_ns      bigint      NOT NULL,
    status        text        NOT NULL DEFAULT 'present' CHECK (status IN ('present', 'missing')),
    missing_since timestamptz,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_id, rel_path)
);

CREATE INDEX files_asset_idx ON files (asset_id);
CREATE INDEX files_missing_idx ON files (missing_since) WHERE status = 'missing';

CREATE TABLE runs (
    id          bigserial   PRIMARY KEY,
    run_id      text        NOT NULL,
    layer       text        NOT NULL CHECK (layer IN ('bronze', 'silver', 'gold')),
    source_name text,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    counts      jsonb       NOT NULL DEFAULT '{}',
    errors      jsonb       NOT NULL DEFAULT '[]',
    UNIQUE NULLS NOT DISTINCT (run_id, layer, source_name)
);
