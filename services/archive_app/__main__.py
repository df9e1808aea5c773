"""``python -m services.archive_app serve``: the app under Streamlit's server, on the
settings' private address, headless, without usage statistics or the developer toolbar.
Settings errors stop it before Streamlit starts, with the line that names what to fix."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.settings import SettingsError
from services.archive_app.settings import AppSettings

APP = Path(__file__).with_name("app.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.archive_app")
    parser.add_argument("command", choices=["serve"])
    parser.parse_args(argv)
    try:
        settings = AppSettings.load()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from streamlit.web import bootstrap

    flags = {
        "server.address": settings.bind_host,
        "server.port": settings.bind_port,
        "server.headless": True,
        "browser.gatherUsageStats": False,
        "client.toolbarMode": "viewer",
        # The ingress terminates TLS and forwards to this private address only; the app's
        # WebSocket accepts its own public origins and nothing else.
        "server.enableCORS": True,
        "server.corsAllowedOrigins": settings.public_origins,
        "server.enableXsrfProtection": True,
    }
    bootstrap.load_config_options(flag_options=flags)
    bootstrap.run(str(APP), False, [], flags)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
