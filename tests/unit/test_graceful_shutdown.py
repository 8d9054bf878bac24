"""``arbejdsglaede serve`` on SIGTERM (a deploy, ``docker stop``): it stops accepting, lets
the write in flight finish and answer, and exits 0 (issue 17)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlmodel import select

from app import PROJECT_DIR
from app.accounts import service as accounts
from app.db import make_engine, read_session, write_session
from app.models import Conversation
from tests.browser import free_port
from tests.support import DATABASE_FILE, PASSWORD

EMAIL = "leder@example.org"


def _wait_until_healthy(url: str, process: subprocess.Popen[str]) -> None:
    # Polling a starting server is the one place a loop with a pause is the honest tool.
    for _ in range(300):
        assert process.poll() is None, "the server exited during start-up"
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not become healthy")


def _refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


@pytest.mark.sqlite  # the write is held back by SQLite's write lock, taken by the test
def test_sigterm_finishes_the_write_in_flight_and_exits_0(
    tmp_path: Path, decks_database: Path
) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    database = data_dir / DATABASE_FILE
    shutil.copy(decks_database, database)  # a conversation needs decks
    engine = make_engine(f"sqlite:///{database}")
    with write_session(engine) as session:
        accounts.create_user(session, email=EMAIL, name="Leder", role="leader", password=PASSWORD)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARBEJDSGLAEDE_")}
    env |= {
        "PYTHONPATH": str(PROJECT_DIR),
        "ARBEJDSGLAEDE_DATA_DIR": str(data_dir),
        "ARBEJDSGLAEDE_SECRET_KEY": "shutdown-secret-key-that-is-long-enough-0123456789",
        "ARBEJDSGLAEDE_LOAD_DEFAULT_DECKS": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_until_healthy(url, process)
        client = httpx.Client(base_url=url, timeout=30)
        client.get("/login")
        token = client.cookies["csrftoken"]
        credentials = {"csrftoken": token, "email": EMAIL, "password": PASSWORD}
        login = client.post("/login", data=credentials)
        assert login.status_code == 303
        # The connection the write will use is open and known to the server.
        assert client.get("/healthz").status_code == 200

        # Hold SQLite's write lock: the server's write waits for it (up to its busy timeout,
        # 5 s), so the request stays in flight for as long as the test needs.
        lock = sqlite3.connect(database, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
        answers: list[httpx.Response] = []
        form = {"csrftoken": token, "employee": "Ny Medarbejder", "date": "2026-12-03"}
        writer = threading.Thread(
            target=lambda: answers.append(client.post("/conversations", data=form))
        )
        writer.start()
        # Time for the request's bytes to reach the server, which then waits for the lock.
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        for _ in range(50):
            if _refuses_connections(port):
                break
            time.sleep(0.05)
        assert _refuses_connections(port), "still accepting after SIGTERM"
        assert process.poll() is None, "exited with a request in flight"
        assert not answers
        lock.execute("ROLLBACK")
        lock.close()

        writer.join(timeout=30)
        assert [a.status_code for a in answers] == [303]
        assert re.fullmatch(r"/conversations/\d+/start", answers[0].headers["location"])
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    with read_session(engine) as session:
        made = list(session.exec(select(Conversation)))
    engine.dispose()
    assert len(made) == 1  # the write answered during the shutdown is stored

    # Every line the server wrote is JSON; the write's line names its route, not its path.
    assert process.stdout is not None
    lines = [json.loads(line) for line in process.stdout.read().splitlines() if line.strip()]
    requests = [line for line in lines if line["event"] == "request"]
    assert {"method": "POST", "route": "/conversations", "status": 303}.items() <= next(
        line for line in requests if line["method"] == "POST" and line["route"] == "/conversations"
    ).items()
    assert all(line["request_id"] for line in requests)
    assert any("Shutting down" in line["event"] for line in lines)
