"""``python -m samples.social_media_automation draft|publish``: the pipeline's steps from a
shell or a notebook. Settings come from SOCIAL_* and SOCIAL_AIRTABLE_* (see config.py and
integrations/airtable/client.py)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

import requests

from core.settings import SettingsError
from integrations.airtable.client import CalendarConfigError, ContentCalendar
from integrations.postgres.client import CatalogUnavailableError
from integrations.social_gateway.client import GatewayClient, GatewayError
from samples.social_media_automation.config import load_social_settings
from samples.social_media_automation.pipeline import draft, publish_due


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples.social_media_automation")
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draft", help="select, render and caption; add Draft rows to Airtable")
    d.add_argument("--platform", action="append", required=True, help="repeat per platform")
    d.add_argument("--mode", default="new", choices=("new", "tag", "search", "all"))
    d.add_argument("--value", help="the tag or the saved search text")
    d.add_argument("--limit", type=int, default=20)
    sub.add_parser("publish", help="post due Approved rows through the gateway")
    args = parser.parse_args(argv)
    try:
        settings = load_social_settings()
        calendar = ContentCalendar.from_env()
        if args.command == "draft":
            report = draft(
                settings, calendar, args.platform, mode=args.mode, value=args.value,
                limit=args.limit,
            )  # fmt: skip
        else:
            if not settings.gateway_url or not settings.gateway_api_key:
                raise SettingsError("set SOCIAL_GATEWAY_URL and SOCIAL_GATEWAY_API_KEY")
            gateway = GatewayClient(settings.gateway_url, settings.gateway_api_key)
            report = publish_due(settings, calendar, gateway)
    except (SettingsError, CalendarConfigError, ValueError) as exc:
        print(f"social: {exc}", file=sys.stderr)
        return 2
    except (CatalogUnavailableError, GatewayError) as exc:
        print(f"social: {exc}", file=sys.stderr)
        return 1
    except requests.RequestException as exc:  # pyairtable's transport
        print(f"social: Airtable request failed: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(asdict(report), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
