"""The archive app's host seen from outside: the service runs unprivileged and sandboxed,
answers on the private address only, keeps its keys (the archive's, Airflow's) in a
root-only file, and a wrong setting stops the service with the line that names it."""

import urllib.request
from pathlib import Path

import yaml
from unit_sandbox import assert_sandboxed

INSTANCE = "molecule-archive-app"
testinfra_hosts = [f"podman://{INSTANCE}"]
PORT = 8501
UNIT = "archive-app"
VENV = "/opt/cdaprod/venv"
TEST_VARS = yaml.safe_load((Path(__file__).parents[1] / "vars" / "test.yml").read_text())


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode()


def test_service_runs_unprivileged_and_enabled(host):
    service = host.service(UNIT)
    assert service.is_running and service.is_enabled
    pid = host.check_output(f"systemctl show -p MainPID --value {UNIT}")
    assert host.check_output(f"stat -c %U /proc/{pid}") == "cdaprod"


def test_the_key_is_in_a_root_only_file(host):
    env = host.file("/etc/cdaprod/archive-app.env")
    assert env.mode == 0o600 and env.user == "root" and env.group == "root"
    content = env.content_string
    assert f"ARCHIVE_APP_API_KEY='{TEST_VARS['test_archive_app_api_key']}'" in content
    assert f"ARCHIVE_APP_ARCHIVE_URL='{TEST_VARS['test_archive_app_archive_url']}'" in content
    assert """ARCHIVE_APP_PUBLIC_ORIGINS='["https://app.molecule.test:8443"]'""" in content
    password = TEST_VARS["test_archive_app_airflow_password"]
    assert f"ARCHIVE_APP_AIRFLOW_PASSWORD='{password}'" in content


def test_listens_on_the_private_address_only(host, address):
    assert host.socket(f"tcp://{address}:{PORT}").is_listening
    for other in (f"tcp://0.0.0.0:{PORT}", f"tcp://:::{PORT}", f"tcp://127.0.0.1:{PORT}"):
        assert not host.socket(other).is_listening


def test_streamlit_answers_on_the_private_address(address):
    assert get(f"http://{address}:{PORT}/_stcore/health") == (200, "ok")
    status, page = get(f"http://{address}:{PORT}/")
    assert status == 200 and "<noscript>" in page  # the app's page; it renders over its socket


def test_a_missing_setting_is_named_and_nothing_starts(host):
    result = host.run(
        f"cd / && runuser -u cdaprod -- env -i ARCHIVE_APP_API_KEY=x {VENV}/bin/python "
        "-m services.archive_app serve"
    )
    assert result.rc == 2
    assert "ARCHIVE_APP_ARCHIVE_URL" in result.stderr and "Traceback" not in result.stderr


def test_service_is_sandboxed(host):
    assert_sandboxed(host, UNIT)
