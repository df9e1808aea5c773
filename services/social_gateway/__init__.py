"""The social gateway: one HTTP API in front of the social platforms, publishing each post
once per idempotency key (``python -m services.social_gateway serve|migrate|new-api-key``).

Layout, after the FastAPI full-stack template: ``app.py`` builds the app, ``routes/`` holds
the routes by audience, ``deps.py`` their typed dependencies, ``schemas.py`` and ``errors.py``
what they accept and refuse, ``config.py`` the one settings class; the domain beside them:
``publishing.py`` (once per key), ``adapters.py`` and ``delivery.py`` (the platforms),
``ratelimit.py``, ``store.py`` and ``migrations/`` (PostgreSQL), ``metrics.py``.
"""
