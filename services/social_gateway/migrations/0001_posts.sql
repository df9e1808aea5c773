-- One row per idempotency key: the unique constraint is what makes a retried or concurrent
-- duplicate request unable to create a second post.
CREATE TABLE social_gateway.posts (
    id               bigserial   PRIMARY KEY,
    idempotency_key  text        NOT NULL,
    request_sha256   text        NOT NULL,
    platform         text        NOT NULL,
    status           text        NOT NULL DEFAULT 'publishing'
                     CHECK (status IN ('publishing', 'published', 'failed')),
    external_id      text,
    url              text,
    error            text,
    attempts         integer     NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT posts_idempotency_key_unique UNIQUE (idempotency_key)
);
