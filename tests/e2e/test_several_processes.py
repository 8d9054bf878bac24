"""Several processes on one database (issue 17, DESIGN §6): nothing one process needs is
kept in another. Two servers on two ports stand for two processes behind one address: a
logout done through one is refused at the next request in the other."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx

from tests.browser import _wait_until_healthy as wait_until_healthy
from tests.browser import free_port
from tests.support import DATABASE_FILE, PASSWORD

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


@contextmanager
def serving(env: dict[str, str], *extra: str) -> Iterator[tuple[str, Path]]:
    """``arbejdsglaede serve`` on a free port: its address and its output's file."""
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
        try:
            wait_until_healthy(url, process)
            yield url, output
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


def test_a_logout_through_one_process_is_seen_by_the_other_at_once(
    tmp_path: Path, migrated_database: Path
) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    shutil.copy(migrated_database, data_dir / DATABASE_FILE)
    env = environment(data_dir)
    subprocess.run(
        [sys.executable, "-m", "app.cli", "create-user", "--email", LEADER, *NAME_AND_ROLE],
        input=PASSWORD,
        env=env,
        text=True,
        check=True,
        capture_output=True,
    )
    with (
        serving(env) as (first, _),
        serving(env, "--workers", "2") as (second, _),
        httpx.Client(follow_redirects=False) as client,
    ):
        log_in(client, first)
        # The session made by the first is good in the second (and in each of its workers).
        assert all(is_logged_in(client, second) for _ in range(20))
        response = client.post(f"{first}/logout", data={"csrftoken": client.cookies["csrftoken"]})
        assert response.status_code == 303
        assert not any(is_logged_in(client, second) for _ in range(20))


def test_serve_with_workers_prepares_an_empty_database_once(tmp_path: Path) -> None:
    """The migration, the setup link and the secret key come from the parent, once: a link
    printed by each worker would end the one printed before it."""
    data_dir = tmp_path / "var"
    env = environment(data_dir)
    del env["ARBEJDSGLAEDE_SECRET_KEY"]
    with serving(env, "--workers", "3") as (url, output), httpx.Client() as client:
        links = re.findall(r"/setup\?token=(\S+)", output.read_text())
        assert len(links) == 1
        assert client.get(f"{url}/setup", params={"token": links[0]}).status_code == 200
        # One generated secret for all: a form made by one worker is good in the others.
        assert (data_dir / "secret_key").exists()
        client.get(f"{url}/login")
        form = {"csrftoken": client.cookies["csrftoken"], "email": LEADER, "password": "wrong"}
        answers = [client.post(f"{url}/login", data=form).status_code for _ in range(6)]
        assert 403 not in answers, answers
