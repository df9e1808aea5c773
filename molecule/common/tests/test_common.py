"""Behaviour of a host after the common role, seen from outside the role."""

import os

testinfra_hosts = [f"podman://{os.environ.get('COMMON_INSTANCE', 'molecule-common')}"]


def test_base_and_extra_packages_installed(host):
    for name in ("curl", "locales", "tzdata", "jq", "unattended-upgrades"):
        assert host.package(name).is_installed, name


def test_time_zone_is_applied(host):
    assert host.check_output("date +%Z") in ("CET", "CEST")
    assert host.file("/etc/localtime").linked_to.endswith("Europe/Berlin")


def test_a_tzdata_upgrade_keeps_the_time_zone(host):
    # What tzdata's postinst does on every upgrade (they arrive as security updates).
    host.check_output("DEBIAN_FRONTEND=noninteractive dpkg-reconfigure tzdata")
    assert host.file("/etc/localtime").linked_to.endswith("/Europe/Berlin")
    assert host.check_output("timedatectl show -p Timezone --value") == "Europe/Berlin"


def test_locale_is_generated_and_default(host):
    assert "en_GB.utf8" in host.check_output("locale -a").split()
    out = host.check_output("env -i bash -lc 'source /etc/default/locale; LANG=$LANG locale'")
    assert 'LC_CTYPE="en_GB.UTF-8"' in out


def test_ntp_servers_configured_and_timesyncd_enabled(host):
    conf = host.file("/etc/systemd/timesyncd.conf.d/50-cdaprod.conf")
    assert "NTP=0.debian.pool.ntp.org 1.debian.pool.ntp.org" in conf.content_string
    assert host.service("systemd-timesyncd").is_enabled


def test_service_user_cannot_log_in(host):
    user = host.user("cdaprod")
    assert user.exists
    assert user.shell == "/usr/sbin/nologin"
    assert user.home == "/opt/cdaprod"
    assert host.file("/opt/cdaprod").mode == 0o750
    # A login shell for the service user is refused.
    assert host.run("su -s /bin/sh -c true cdaprod").rc == 0  # explicit shell works (root)
    assert host.run("su cdaprod -c true").rc != 0


def test_journald_runs_with_the_limits(host):
    assert host.service("systemd-journald").is_running
    # journald reports the limits it actually applied in its startup message.
    out = host.check_output("journalctl -b -u systemd-journald --no-pager -o cat")
    assert "max 256.0M" in out


def test_unattended_security_upgrades_enabled(host):
    out = host.check_output("apt-config dump APT::Periodic::Unattended-Upgrade")
    assert '"1"' in out
    origins = host.check_output("apt-config dump Unattended-Upgrade::Origins-Pattern")
    assert "bookworm-security" in origins or "${distro_codename}-security" in origins
    assert host.service("unattended-upgrades").is_enabled
