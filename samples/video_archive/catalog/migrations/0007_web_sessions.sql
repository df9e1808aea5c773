-- Browser sessions of the web service. The signed session cookie carries a random id; this
-- table says whether that id still counts. Logging out deletes its row, so a copied cookie
-- stops working too; a row is tied to the user's password hash as it was at login (by a
-- digest of it), so a password change ends every session of that user.
CREATE TABLE web_sessions (
    id_sha256   text        PRIMARY KEY,
    user_name   text        NOT NULL,
    secret_mark text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX web_sessions_expires_idx ON web_sessions (expires_at);
