"""The gateway's settings (services/social_gateway/config.py) on the project's one mechanism:
the environment over the TOML file over the defaults, platform secrets from
SOCIAL_GATEWAY_SECRET_<NAME>, no start without API keys or secrets, and the files the
social_gateway role writes giving the running configuration the role means."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from gateway_testlib import SECRET

from core.settings import SettingsError
from services.social_gateway.adapters import build_adapter
from services.social_gateway.config import DatabaseSettings, GatewaySettings, secret_variable

ROOT = Path(__file__).resolve().parents[3]
DIGEST = "a" * 64
BASE = {"SOCIAL_GATEWAY_DSN": "host=x", "SOCIAL_GATEWAY_API_KEYS": f"ci:{DIGEST}"}


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_refuses_to_start_without_api_keys_or_secrets(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SOCIAL_GATEWAY_API_KEYS: the gateway never runs"):
        GatewaySettings.load({"SOCIAL_GATEWAY_DSN": "host=x"})
    with pytest.raises(SettingsError, match="name:<sha256"):
        GatewaySettings.load({"SOCIAL_GATEWAY_DSN": "host=x", "SOCIAL_GATEWAY_API_KEYS": "a:b"})
    with pytest.raises(SettingsError, match="SOCIAL_GATEWAY_DSN: set it to the PostgreSQL"):
        GatewaySettings.load({"SOCIAL_GATEWAY_API_KEYS": f"ci:{DIGEST}"})
    config = _file(tmp_path, '[platforms.hook]\nkind = "webhook"\nurl = "http://127.0.0.1:1/"\n')
    env = {**BASE, "SOCIAL_GATEWAY_CONFIG": str(config)}
    with pytest.raises(SettingsError, match="set SOCIAL_GATEWAY_SECRET_HOOK"):
        GatewaySettings.load(env)
    settings = GatewaySettings.load({**env, "SOCIAL_GATEWAY_SECRET_HOOK": SECRET})
    assert settings.platforms["hook"].secret == SECRET
    assert SECRET not in repr(settings)


def test_a_discord_webhook_token_comes_only_from_the_secret(tmp_path: Path) -> None:
    url = "https://discord.com/api/webhooks/4242"
    config = _file(tmp_path, f'[platforms.team-discord]\nkind = "discord"\nurl = "{url}"\n')
    env = {**BASE, "SOCIAL_GATEWAY_CONFIG": str(config)}
    with pytest.raises(
        SettingsError, match="the last part of its URL: set SOCIAL_GATEWAY_SECRET_TEAM_DISCORD"
    ):
        GatewaySettings.load(env)
    settings = GatewaySettings.load({**env, "SOCIAL_GATEWAY_SECRET_TEAM_DISCORD": "tok-en"})
    discord = settings.platforms["team-discord"]
    assert (discord.url, discord.endpoint) == (url, f"{url}/tok-en")
    assert build_adapter(discord).webhook_url == f"{url}/tok-en"
    assert "tok-en" not in repr(settings)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('kind = "myspace"\nurl = "http://h/"', "platforms.hook.kind"),
        ('kind = "discord"\nurl = "ftp://h/"', "must be an http(s) URL"),
        ('kind = "discord"\nurl = "http://h/"\ncolour = "red"', "'platforms.hook.colour'"),
        ('kind = "discord"\nurl = "http://h/"\nper_minute = 0', "platforms.hook.per_minute"),
    ],
)
def test_bad_platform_tables_name_the_key(tmp_path: Path, table: str, message: str) -> None:
    config = _file(tmp_path, f"[platforms.hook]\n{table}\n")
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        GatewaySettings.load({**BASE, "SOCIAL_GATEWAY_CONFIG": str(config)})


def test_environment_over_file_over_defaults(tmp_path: Path) -> None:
    config = _file(
        tmp_path,
        'bind_host = "10.0.0.5"\nbind_port = 8711\nmedia_root = "/srv/file"\n'
        '[platforms.team-hook]\nkind = "webhook"\nurl = "http://h/"\n'
        f'secret = "{"f" * 20}"\nper_minute = 12\n',
    )
    from_file = GatewaySettings.load({**BASE, "SOCIAL_GATEWAY_CONFIG": str(config)})
    assert (from_file.bind_host, from_file.bind_port) == ("10.0.0.5", 8711)
    assert from_file.media_root == Path("/srv/file")
    assert from_file.platforms["team-hook"].secret == "f" * 20
    assert from_file.platforms["team-hook"].per_minute == 12
    assert from_file.worker_concurrency == 2  # default: neither file nor environment
    environ = {
        **BASE,
        "SOCIAL_GATEWAY_CONFIG": str(config),
        "SOCIAL_GATEWAY_BIND_HOST": "10.0.0.6",
        "SOCIAL_GATEWAY_MEDIA_ROOT": "/srv/env",
        secret_variable("team-hook"): "e" * 20,
    }
    from_env = GatewaySettings.load(environ)
    assert (from_env.bind_host, from_env.bind_port) == ("10.0.0.6", 8711)
    assert from_env.media_root == Path("/srv/env")
    assert secret_variable("team-hook") == "SOCIAL_GATEWAY_SECRET_TEAM_HOOK"
    assert from_env.platforms["team-hook"].secret == "e" * 20
    assert from_env.api_keys == {"ci": DIGEST}
    no_root = GatewaySettings.load({**BASE, "SOCIAL_GATEWAY_MEDIA_ROOT": ""})
    assert no_root.media_root is None  # not Path(""): that would be the working directory


def test_api_keys_list_and_the_database_alone() -> None:
    other = "B" * 64
    settings = GatewaySettings.load(
        {**BASE, "SOCIAL_GATEWAY_API_KEYS": f" ci:{DIGEST} ; airflow:{other};"}
    )
    assert settings.api_keys == {"ci": DIGEST, "airflow": other.lower()}
    assert DatabaseSettings.load({"SOCIAL_GATEWAY_DSN": "host=db"}).dsn == "host=db"


def _render_role_files(tmp_path: Path) -> tuple[Path, Path]:
    """The role's environment and settings files, rendered by Ansible from its templates."""
    playbook_bin = Path(sys.executable).parent / "ansible-playbook"
    if not playbook_bin.exists():
        pytest.skip("ansible-playbook is not installed in this environment")
    role = ROOT / "ansible" / "roles" / "social_gateway"
    feed = {"name": "feed", "kind": "webhook", "url": "http://h:8711/hook", "secret": SECRET}
    role_vars = {
        "social_gateway_bind_address": "10.89.0.7",
        "social_gateway_db_host": "postgres-1",
        "social_gateway_db_password": "a-test-password",
        "social_gateway_api_keys": [{"name": "platform", "key": "k" * 32}],
        "social_gateway_platforms": [{**feed, "per_minute": 10}],
        "social_gateway_worker_concurrency": 3,
    }
    files = ["social-gateway.env", "social-gateway.toml"]
    play = {
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "vars_files": [str(role / "defaults" / "main.yml"), str(role / "vars" / "main.yml")],
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": [
            {
                "ansible.builtin.template": {
                    "src": f"{role}/templates/{name}.j2", "dest": str(tmp_path / name),
                    "mode": "0600",
                }
            }
            for name in files
        ],
    }  # fmt: skip
    (tmp_path / "vars.json").write_text(json.dumps(role_vars), encoding="utf-8")
    (tmp_path / "play.yml").write_text(json.dumps([play]), encoding="utf-8")
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(ROOT / "ansible" / "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
    }
    result = subprocess.run(
        [str(playbook_bin), "-i", "localhost,", "-e", f"@{tmp_path / 'vars.json'}",
         str(tmp_path / "play.yml")],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return tmp_path / files[0], tmp_path / files[1]


@pytest.mark.slow
def test_the_roles_files_give_the_configuration_the_role_means(tmp_path: Path) -> None:
    env_file, config = _render_role_files(tmp_path)
    environ = {"SOCIAL_GATEWAY_CONFIG": str(config)}
    for line in env_file.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            environ[name] = value.strip('"')
    settings = GatewaySettings.load(environ)
    assert (settings.bind_host, settings.bind_port) == ("10.89.0.7", 8710)
    assert settings.media_root == Path("/srv/social/derivatives")
    assert settings.worker_concurrency == 3
    assert settings.dsn.startswith("postgresql://social:a-test-password@postgres-1:5432/social")
    assert settings.api_keys == {"platform": hashlib.sha256(b"k" * 32).hexdigest()}
    feed = settings.platforms["feed"]
    assert (feed.kind, feed.url, feed.secret, feed.per_minute) == (
        "webhook", "http://h:8711/hook", SECRET, 10.0,
    )  # fmt: skip
    assert SECRET not in config.read_text(encoding="utf-8")
