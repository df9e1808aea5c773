"""The social gateway: one HTTP API in front of the social platforms, queueing each post once
per idempotency key and delivering it out of the request, never twice
(``python -m services.social_gateway serve|migrate|new-api-key``; README.md: the API, the
states of a post, what is retried).

Layout, after the FastAPI full-stack template: ``app.py`` builds the app, ``routes/`` holds
the routes by audience, ``deps.py`` their typed dependencies, ``schemas.py`` and ``errors.py``
what they accept and refuse, ``config.py`` the one settings class; the domain beside them:
``publishing.py`` (queue once per key), ``worker.py`` (delivery), ``media.py`` (files opened
once), ``adapters.py`` and ``delivery.py`` (the platforms), ``ratelimit.py``, ``store.py`` and
``migrations/`` (PostgreSQL), ``metrics.py``.
"""
