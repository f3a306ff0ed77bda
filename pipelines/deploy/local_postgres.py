"""A throwaway PostgreSQL cluster on a free local port, for the deployment's test and benchmark.

``initdb`` and ``postgres`` refuse to run as root, so as root the cluster belongs to the
``postgres`` system user (``runuser -u postgres``). The cluster lives in its own temporary
folder (the postgres user cannot enter pytest's root-only temp folders) and is removed on stop.
The superuser has a password (scram-sha-256 over TCP): the URL carries a real secret, so a test
can check that nothing prints it.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "postgresql"  # the Debian package holding initdb, pg_ctl and postgres
SYSTEM_USER = "postgres"


class PostgresMissing(RuntimeError):
    pass


def postgres_bindir() -> Path:
    """The folder holding initdb and pg_ctl: PATH, else ``pg_config --bindir``, else Debian's."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent  # a symlink on PATH points into the real folder
    if shutil.which("pg_config"):
        done = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidate = Path(done.stdout.strip())
        if done.returncode == 0 and (candidate / "initdb").exists():
            return candidate
    # Debian keeps the server binaries off PATH, one folder per major version.
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if versions:
        return Path(versions[0]).parent
    raise PostgresMissing(
        f"PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian package "
        f"'{PACKAGE}' (apt-get install -y {PACKAGE}; ./run test does it when run as root)"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LocalPostgres:
    folder: Path
    port: int
    user: str
    password: str
    database: str

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}"

    def _as_owner(self, command: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", SYSTEM_USER, "--", *command]
        return command

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(self._as_owner(command), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-1500:]}")

    def start(self) -> LocalPostgres:
        bindir = postgres_bindir()
        data = self.folder / "data"
        pwfile = self.folder / "pwfile"
        pwfile.write_text(self.password + "\n", encoding="utf-8")
        if os.geteuid() == 0:
            shutil.chown(self.folder, SYSTEM_USER)
            shutil.chown(pwfile, SYSTEM_USER)
        self._run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                self.user,
                "--pwfile",
                str(pwfile),
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "-E",
                "UTF8",
                "--locale=C",
            ]
        )
        pwfile.unlink()
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=200"
        )
        self._run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(self.folder / "postgres.log"),
                "-w",
                "start",
            ]
        )
        self._run(
            [
                str(bindir / "createdb"),
                "-h",
                str(self.folder),
                "-p",
                str(self.port),
                "-U",
                self.user,
                self.database,
            ]
        )
        return self

    def stop(self) -> None:
        """Stop the server (fast: running sessions are ended) and remove its folder."""
        try:
            data = self.folder / "data"
            if (data / "postmaster.pid").exists():
                bindir = postgres_bindir()
                self._run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def throwaway_postgres(database: str = "dagster") -> LocalPostgres:
    """A new cluster (not yet started): ``with_started = throwaway_postgres().start()``."""
    folder = Path(tempfile.mkdtemp(prefix="followup-pg-"))
    return LocalPostgres(
        folder=folder,
        port=free_port(),
        user="followup",
        password=secrets.token_urlsafe(16),
        database=database,
    )
