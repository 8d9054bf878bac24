"""Several processes on one database (issue 17, DESIGN §6): nothing one process needs is
kept in another. Two servers on two ports stand for two processes behind one address: a
logout done through one is refused at the next request in the other."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest

from tests import postgres
from tests.browser import _wait_until_healthy as wait_until_healthy
from tests.browser import free_port
from tests.support import PASSWORD

LEADER = "leder@example.org"
NAME_AND_ROLE = ("--name", "Leder", "--role", "leader")
SECRET = "several-processes-secret-key-0123456789abcdef"


def environment(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "ARBEJDSGLAEDE_DATA_DIR": str(data_dir),
        "ARBEJDSGLAEDE_SECRET_KEY": SECRET,
        "ARBEJDSGLAEDE_LOAD_DEFAULT_DECKS": "false",
    }


@dataclass
class Served:
    url: str
    output: Path
    process: subprocess.Popen[bytes]

    def wait(self) -> None:
        wait_until_healthy(self.url, self.process)


@contextmanager
def serving(env: dict[str, str], *extra: str, wait: bool = True) -> Iterator[Served]:
    """``arbejdsglaede serve`` on a free port. With ``wait``, once it answers; without, at
    once (then call its wait())."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    output = Path(env["ARBEJDSGLAEDE_DATA_DIR"]).parent / f"server-{port}.log"
    with output.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port), *extra],
            env={**env, "ARBEJDSGLAEDE_BASE_URL": url},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        served = Served(url, output, process)
        try:
            if wait:
                served.wait()
            yield served
        finally:
            process.terminate()
            process.wait(timeout=20)


def log_in(client: httpx.Client, url: str) -> None:
    client.get(f"{url}/login")
    response = client.post(
        f"{url}/login",
        data={"csrftoken": client.cookies["csrftoken"], "email": LEADER, "password": PASSWORD},
    )
    assert response.status_code == 303 and "/login" not in response.headers["location"]


def is_logged_in(client: httpx.Client, url: str) -> bool:
    response = client.get(f"{url}/")
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_logout_through_one_process_is_seen_by_the_other_at_once(
    tmp_path: Path, database: str, request: pytest.FixtureRequest
) -> None:
    """Both servers start together on an empty database, and take turns migrating it (the
    lock itself is shown in tests/unit/test_db.py)."""
    data_dir = tmp_path / "var"
    env = environment(data_dir)
    if database == "postgresql":
        server: postgres.Server = request.getfixturevalue("postgresql")
        env["DATABASE_URL"] = server.create_database()
    with (
        serving(env, wait=False) as one,
        serving(env, "--workers", "2") as other,
        httpx.Client(follow_redirects=False) as client,
    ):
        one.wait()
        first, second = other.url, one.url
        subprocess.run(
            [sys.executable, "-m", "app.cli", "create-user", "--email", LEADER, *NAME_AND_ROLE],
            input=PASSWORD,
            env=env,
            text=True,
            check=True,
            capture_output=True,
        )
        log_in(client, second)
        # The session made by one is good in the other (and in each of its workers).
        assert all(is_logged_in(client, first) for _ in range(20))
        response = client.post(f"{second}/logout", data={"csrftoken": client.cookies["csrftoken"]})
        assert response.status_code == 303
        assert not any(is_logged_in(client, first) for _ in range(20))


def test_serve_with_workers_prepares_an_empty_database_once(tmp_path: Path) -> None:
    """The migration, the setup link and the secret key come from the parent, once: a link
    printed by each worker would end the one printed before it."""
    data_dir = tmp_path / "var"
    env = environment(data_dir)
    del env["ARBEJDSGLAEDE_SECRET_KEY"]
    # The workers' shared metrics folder is made in TMPDIR and goes when the server stops.
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env["TMPDIR"] = str(temporary)
    with serving(env, "--workers", "3") as served, httpx.Client() as client:
        url = served.url
        links = re.findall(r"/setup\?token=(\S+)", served.output.read_text())
        assert len(links) == 1
        assert client.get(f"{url}/setup", params={"token": links[0]}).status_code == 200
        # One generated secret for all: a form made by one worker is good in the others.
        assert (data_dir / "secret_key").exists()
        client.get(f"{url}/login")
        form = {"csrftoken": client.cookies["csrftoken"], "email": LEADER, "password": "wrong"}
        answers = [client.post(f"{url}/login", data=form).status_code for _ in range(6)]
        assert 403 not in answers, answers
        assert [folder.name[:21] for folder in temporary.iterdir()] == ["arbejdsglaede-metrics"]
    assert list(temporary.iterdir()) == []
