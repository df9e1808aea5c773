-- A failure the platform may get over (429/5xx/network after every retry): the next request
-- with the same idempotency key tries again instead of returning the failure.
ALTER TABLE social_gateway.posts ADD COLUMN retryable boolean NOT NULL DEFAULT false;
