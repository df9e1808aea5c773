"""Bad role input stops the play before any change, with a message that says what to do."""

from __future__ import annotations

from tests.ansible_runs import apply_role_in_check_mode


def test_wrong_type_fails_at_argument_validation(tmp_path):
    rc, out = apply_role_in_check_mode(
        tmp_path, "common", {"common_unattended_upgrades_enabled": "sometimes"}
    )
    assert rc != 0
    assert "Validating arguments against arg spec" in out
    assert "common_unattended_upgrades_enabled" in out
    assert "bool" in out
    # Nothing after validation ran.
    assert "Install base packages" not in out


def test_missing_wheelhouse_says_how_to_build_it(tmp_path):
    missing = tmp_path / "no-such-wheelhouse.tar"
    rc, out = apply_role_in_check_mode(
        tmp_path, "wheelhouse_venv", {"wheelhouse_venv_archive": str(missing)}
    )
    assert rc != 0
    assert f"No wheelhouse at {missing}" in out
    assert "make wheelhouse" in out
    assert "Install the system packages the wheels need" not in out


def test_unset_wheelhouse_says_where_it_comes_from(tmp_path):
    # Roles have no default for what they take from the repository.
    rc, out = apply_role_in_check_mode(tmp_path, "wheelhouse_venv", {})
    assert rc != 0
    assert "wheelhouse_venv_archive must name the wheelhouse archive" in out
    assert "ansible/group_vars/all/repository.yml" in out
    assert "PLATFORM_REPOSITORY_DIR" in out


def test_unset_notebooks_say_where_they_come_from(tmp_path):
    rc, out = apply_role_in_check_mode(tmp_path, "papermill", {})
    assert rc != 0
    assert "papermill_notebooks_src and papermill_runner_src must name" in out
    assert "ansible/group_vars/all/repository.yml" in out
    assert "Install the Python environment from the wheelhouse" not in out
