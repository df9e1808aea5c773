"""Server-side records of browser sessions (catalog table ``web_sessions``).

The signed session cookie holds a random id; a session counts while its row exists, has not
expired and was made for the user's current password hash. So logging out (which deletes the
row) ends a copied cookie as well, and a password change ends every session of that user.
Only the SHA-256 of the id is stored.
"""

from __future__ import annotations

import hashlib
import secrets

import psycopg

from samples.video_archive.web.database import CatalogPool
from samples.video_archive.web.errors import ApiError
from samples.video_archive.web.settings import Principal


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def secret_mark(user: Principal) -> str:
    """What ties a session to the password hash the user had when it began."""
    return _sha256(user.secret)[:32]


class SessionStore:
    def __init__(self, catalog: CatalogPool, max_age_s: int) -> None:
        self._catalog = catalog
        self._max_age_s = max_age_s

    def start(self, user: Principal) -> str:
        """A new session of ``user``: its id, for the cookie. Expired rows go meanwhile."""
        session_id = secrets.token_urlsafe(32)
        with self._catalog.connection() as conn:
            conn.execute("DELETE FROM web_sessions WHERE expires_at < now()")
            conn.execute(
                "INSERT INTO web_sessions (id_sha256, user_name, secret_mark, expires_at)"
                " VALUES (%s, %s, %s, now() + make_interval(secs => %s))",
                (_sha256(session_id), user.name, secret_mark(user), self._max_age_s),
            )
        return session_id

    def counts(self, session_id: str, user: Principal) -> bool:
        """Whether the session is still ``user``'s; False too when the catalog is down."""
        try:
            with self._catalog.connection() as conn:
                row = conn.execute(
                    "SELECT 1 FROM web_sessions WHERE id_sha256 = %s AND user_name = %s"
                    " AND secret_mark = %s AND expires_at > now()",
                    (_sha256(session_id), user.name, secret_mark(user)),
                ).fetchone()
        except (ApiError, psycopg.Error):
            return False
        return row is not None

    def end(self, session_id: str) -> None:
        with self._catalog.connection() as conn:
            conn.execute("DELETE FROM web_sessions WHERE id_sha256 = %s", (_sha256(session_id),))
