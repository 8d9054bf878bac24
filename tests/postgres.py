"""A throwaway PostgreSQL server for the PostgreSQL run (DESIGN §5: SQLite by default,
PostgreSQL via DATABASE_URL for an organisation-wide install).

The server runs from Debian's packages (`.ci/run` installs `postgresql`), in a temporary
directory, on a Unix socket only, with no password: nothing outside the test can reach it.
PostgreSQL refuses to run as root, so as root it runs as the `postgres` user the package made.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

USER = "arbejdsglaede"
PORT = 5433


def _bin(program: str) -> str:
    found = shutil.which(program) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{program}"), reverse=True)), None
    )
    if found is None:
        pytest.fail(
            f"PostgreSQL's {program} is not installed: the PostgreSQL run needs the server "
            "(Debian: apt-get install postgresql; .ci/run installs it)."
        )
    return found


# In memory when the machine has room: on a virtual machine's disk, copying the template into
# each test's database took 200–240 ms; in /dev/shm, 25–40 ms. Each test's database is dropped
# after it, so a run holds a few dozen of them (about 10 MB each) at a time.
MEMORY = Path("/dev/shm")
MEMORY_NEEDED = 2 * 1024**3


def scratch_folder(prefix: str) -> Path:
    """A new private folder for a server's data: in memory when there is room, else in the
    temporary directory."""
    in_memory = MEMORY.is_dir() and os.access(MEMORY, os.W_OK)
    if in_memory and shutil.disk_usage(MEMORY).free >= MEMORY_NEEDED:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=MEMORY))
    return Path(tempfile.mkdtemp(prefix=prefix))


def _as_owner(folder: Path) -> list[str]:
    """The command prefix that runs PostgreSQL as a user it accepts, owning ``folder``."""
    if os.geteuid() != 0:
        return []
    shutil.chown(folder, "postgres")
    return ["runuser", "-u", "postgres", "--"]


class Server:
    def __init__(self, folder: Path, runner: list[str]) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.socket = folder  # the socket directory: short, and private to this run
        self.runner = runner
        # fsync off: a test database is thrown away; many connections: a test's engines
        # linger until the garbage collector closes them.
        self.options = (
            f"-k {self.socket} -p {PORT} -c listen_addresses='' -c fsync=off -c max_connections=300"
        )

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.runner, _bin("pg_ctl"), "-D", str(self.data), *args],
            check=True, capture_output=True,
        )  # fmt: skip

    def start(self) -> None:
        """Start the server and wait until it takes connections."""
        self.pg_ctl("-o", self.options, "-w", "-l", str(self.folder / "server.log"), "start")

    def stop(self) -> None:
        """Stop the server as an administrator would (``-m fast``: connections are cut, open
        transactions rolled back), and wait until it is down."""
        self.pg_ctl("-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{USER}@/{database}?host={self.socket}&port={PORT}"

    def create_database(self, template: str | None = None) -> str:
        """A new empty database (or a copy of ``template``); its URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            clause = f" TEMPLATE {template}" if template else ""
            connection.execute(text(f"CREATE DATABASE {name}{clause}"))
        admin.dispose()
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drops a test's database, ending any connection a forgotten engine still holds."""
        admin = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {database_of(url)} WITH (FORCE)"))
        admin.dispose()


def database_of(url: str) -> str:
    return url.split("@/", 1)[1].split("?", 1)[0]


def start(folder: Path) -> Iterator[Server]:
    folder.mkdir(parents=True, exist_ok=True)
    runner = _as_owner(folder)
    server = Server(folder, runner)
    subprocess.run(
        [*runner, _bin("initdb"), "-D", str(server.data), "-U", USER, "-A", "trust", "-E", "UTF8",
         "--locale=C.UTF-8", "--no-sync"],
        check=True, capture_output=True,
    )  # fmt: skip
    server.start()
    try:
        yield server
    finally:
        subprocess.run(
            [*runner, _bin("pg_ctl"), "-D", str(server.data), "-m", "immediate", "stop"],
            capture_output=True,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
