-- One row per (asset, platform) draft: what was rendered, the calendar row, and the outcome.
CREATE TABLE social_automation.publications (
    id               bigserial   PRIMARY KEY,
    draft_key        text        NOT NULL UNIQUE,
    asset_id         bigint,     -- NULL for rows people added by hand
    platform         text        NOT NULL,
    record_id        text,
    status           text        NOT NULL
                     CHECK (status IN ('Draft', 'Approved', 'Published', 'Failed')),
    media_path       text,
    cover_path       text,
    caption          text,
    idempotency_key  text,
    gateway_post_id  bigint,
    external_id      text,
    url              text,
    reason           text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX publications_asset_platform ON social_automation.publications (asset_id, platform);

CREATE TABLE social_automation.selection_runs (
    id           bigserial   PRIMARY KEY,
    mode         text        NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL DEFAULT now(),
    drafted      integer     NOT NULL DEFAULT 0
);
