"""A throwaway PostgreSQL cluster for tests and benchmarks.

``initdb`` refuses to run as root, and CI runs as root on a fresh Debian machine, so when
the current user is root the cluster directory is handed to the ``postgres`` system user and
the server binaries run through ``runuser``. The server listens on a unix socket in the
cluster directory and on a free port of 127.0.0.1, and is stopped and removed on exit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

from platformctl.terraform_moto import free_port

_PG_BIN_CANDIDATES = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin")


class EphemeralPostgresError(RuntimeError):
    """The throwaway cluster could not be created or started."""


def find_pg_bin() -> Path:
    """Directory holding initdb and pg_ctl (Debian's layout, or PATH)."""
    override = os.environ.get("PG_BIN")
    candidates = [override] if override else list(_PG_BIN_CANDIDATES)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise EphemeralPostgresError(
        "initdb not found: install the Debian package 'postgresql' or set PG_BIN"
    )


class EphemeralPostgres:
    """Context manager: ``with EphemeralPostgres() as pg: psycopg.connect(pg.dsn)``."""

    def __init__(self, database: str = "catalog") -> None:
        self.database = database
        self.port = free_port()
        self._bin = find_pg_bin()
        self._root: Path | None = None
        self._as_root = os.geteuid() == 0

    @property
    def datadir(self) -> Path:
        assert self._root is not None, "cluster not started"
        return self._root / "data"

    @property
    def dsn(self) -> str:
        user = "postgres" if self._as_root else os.environ.get("USER", "postgres")
        return f"host=127.0.0.1 port={self.port} user={user} dbname={self.database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise EphemeralPostgresError(
                f"{' '.join(args[:2])} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()}"
            )
        return result

    def start(self) -> EphemeralPostgres:
        self._root = Path(tempfile.mkdtemp(prefix="pg-ephemeral-"))
        if self._as_root:
            shutil.chown(self._root, user="postgres", group="postgres")
        self._run(
            str(self._bin / "initdb"),
            "-D", str(self.datadir),
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
            "--username", "postgres" if self._as_root else os.environ.get("USER", "postgres"),
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self._root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self._bin / "pg_ctl"),
            "-D", str(self.datadir),
            "-o", options,
            "-l", str(self._root / "server.log"),
            "-w", "start",
        )  # fmt: skip
        self._run(
            str(self._bin / "createdb"),
            "-h", "127.0.0.1", "-p", str(self.port),
            "-U", "postgres" if self._as_root else os.environ.get("USER", "postgres"),
            self.database,
        )  # fmt: skip
        return self

    def stop(self) -> None:
        if self._root is None:
            return
        try:
            if (self.datadir / "postmaster.pid").exists():
                self._run(str(self._bin / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    def create_database(self, name: str) -> str:
        """Create another database in the cluster and return its DSN."""
        self._run(
            str(self._bin / "createdb"),
            "-h", "127.0.0.1", "-p", str(self.port),
            "-U", "postgres" if self._as_root else os.environ.get("USER", "postgres"),
            name,
        )  # fmt: skip
        return self.dsn.replace(f"dbname={self.database}", f"dbname={name}")

    def __enter__(self) -> EphemeralPostgres:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
