"""Bring the FAB auth manager's platform users in line with the platform settings.

Reads JSON on stdin: {"email_domain": ..., "users": [{"username", "role", "password"} with
optional "email", "first_name", "last_name"]}. A missing user is created; a listed user whose
role, e-mail, names or password differ is updated. Users that are not listed (added by a
person) are left as they are.
Prints one JSON line, {"created": [...], "updated": [...]}, with user names only.

Run with the Airflow environment's configuration (/usr/local/sbin/airflow-python).
"""

from __future__ import annotations

import json
import sys

from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder
from werkzeug.security import check_password_hash


def _with_defaults(user: dict, email_domain: str) -> dict:
    """FAB requires an e-mail address and both names: fill in what the settings leave out."""
    return {
        "email": f"{user['username']}@{email_domain}",
        "first_name": user["username"],
        "last_name": f"{user['role']} user",
        **user,
    }


def _sync(sm, wanted: dict) -> str | None:
    """Create or update one user; returns "created", "updated" or None (already as wanted)."""
    role = sm.find_role(wanted["role"])
    if role is None:
        raise SystemExit(f"{wanted['role']!r} is not a role of the auth manager")
    user = sm.find_user(username=wanted["username"])
    if user is None:
        created = sm.add_user(
            wanted["username"],
            wanted["first_name"],
            wanted["last_name"],
            wanted["email"],
            role,
            wanted["password"],
        )
        if not created:
            raise SystemExit(f"the auth manager could not create user {wanted['username']!r}")
        return "created"
    fields = {
        "email": wanted["email"],
        "first_name": wanted["first_name"],
        "last_name": wanted["last_name"],
    }
    stale = [name for name, value in fields.items() if getattr(user, name) != value]
    if [r.name for r in user.roles] != [role.name] or stale:
        for name in stale:
            setattr(user, name, fields[name])
        user.roles = [role]
        sm.update_user(user)
        stale.append("roles")
    if not check_password_hash(user.password, wanted["password"]):
        sm.reset_password(user.id, wanted["password"])
        stale.append("password")
    return "updated" if stale else None


def main() -> None:
    result: dict[str, list[str]] = {"created": [], "updated": []}
    with get_application_builder() as appbuilder:
        settings = json.load(sys.stdin)
        for user in settings["users"]:
            wanted = _with_defaults(user, settings["email_domain"])
            outcome = _sync(appbuilder.sm, wanted)
            if outcome:
                result[outcome].append(wanted["username"])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
