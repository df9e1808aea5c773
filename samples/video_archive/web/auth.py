"""Passwords, API keys and CSRF tokens.

Passwords are stored as scrypt hashes (``scrypt$n$r$p$salt$hash``); API keys as the SHA-256
of the key (keys are long random strings, so a fast hash is enough). Comparisons are
constant-time. The CSRF token is a random value kept in the signed session and echoed in
every form (and in the ``X-CSRF-Token`` header for script calls).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import HTTPConnection

from samples.video_archive.web.settings import Principal, WebSettings

# OWASP's scrypt parameters at 16 MiB (N=2^14, r=8, p=5: five times the work of p=1). A hash
# keeps its own parameters, so hashes made with others still verify.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 5
API_KEY_HEADER = "X-API-Key"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
# The key of the session's id (web/sessions.py) in the signed session cookie.
SESSION_ID_KEY = "sid"
_NOT_ASKED = object()


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """scrypt hash of a password in the form the settings expect."""
    if len(password) < 10:
        raise ValueError("passwords need at least 10 characters")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash was made with other parameters than hash_password uses now."""
    return not stored.startswith(f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}$")


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, expected = stored.split("$")
        if kind != "scrypt":
            return False
        digest = hashlib.scrypt(
            password.encode(),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected) // 2,
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)


# Run for unknown user names too, so a login takes as long whether or not the name exists.
_DUMMY_HASH = hash_password("not-a-real-password", salt=b"\0" * 16)


def authenticate_user(settings: WebSettings, name: str, password: str) -> Principal | None:
    user = settings.users.get(name)
    ok = verify_password(password, user.secret if user else _DUMMY_HASH)
    return user if ok and user else None


def session_user(settings: WebSettings, request: HTTPConnection) -> Principal | None:
    """The user logged in through the request's signed session cookie, if the session still
    counts (web/sessions.py: not logged out, not expired, the same password). Asked once
    per request."""
    state = request.state
    if getattr(state, "session_principal", _NOT_ASKED) is _NOT_ASKED:
        session = request.session if "session" in request.scope else {}
        name, session_id = session.get("user"), session.get(SESSION_ID_KEY)
        user = settings.users.get(name) if isinstance(name, str) else None
        if user is not None and not (
            isinstance(session_id, str) and request.app.state.sessions.counts(session_id, user)
        ):
            user = None
        state.session_principal = user
    return state.session_principal


def new_api_key() -> tuple[str, str]:
    """(key to hand out, SHA-256 to store in the settings)."""
    key = secrets.token_urlsafe(32)
    return key, hashlib.sha256(key.encode()).hexdigest()


def authenticate_api_key(settings: WebSettings, key: str) -> Principal | None:
    digest = hashlib.sha256(key.encode()).hexdigest()
    match = None
    for principal in settings.api_keys.values():
        if hmac.compare_digest(digest, principal.secret.lower()):
            match = principal
    return match


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected and given) and hmac.compare_digest(str(expected), str(given))
