"""The command line works from any working directory (data in ./var of that directory)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from app import PROJECT_DIR
from app.db import make_engine, read_session
from app.models import User
from tests.support import PASSWORD


def run_cli(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARBEJDSGLAEDE_")}
    env["ARBEJDSGLAEDE_LOAD_DEFAULT_DECKS"] = "false"
    # The code under test, also where the installed package points at another checkout.
    env["PYTHONPATH"] = str(PROJECT_DIR)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
    )


def test_create_user_reads_the_password_from_stdin_in_any_directory(tmp_path: Path) -> None:
    result = run_cli(
        tmp_path,
        "create-user",
        "--email",
        "leder@example.org",
        "--name",
        "Leder",
        "--role",
        "leader",
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    database = tmp_path / "var" / "arbejdsglaede.db"
    assert database.exists()
    engine = make_engine(f"sqlite:///{database}")
    with read_session(engine) as session:
        user = session.exec(select(User)).one()
    assert (user.email, user.role) == ("leder@example.org", "leader")
    engine.dispose()


def test_create_user_refuses_a_short_password_with_a_message(tmp_path: Path) -> None:
    result = run_cli(
        tmp_path,
        "create-user",
        "--email",
        "a@example.org",
        "--name",
        "A",
        "--role",
        "admin",
        stdin="short\n",
    )
    assert result.returncode == 1
    assert "at least 12 characters" in result.stderr


def test_migrate_twice_changes_nothing(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "migrate").returncode == 0
    database = tmp_path / "var" / "arbejdsglaede.db"
    before = database.stat().st_size
    assert run_cli(tmp_path, "migrate").returncode == 0
    assert database.stat().st_size == before


def _serve_and_open_a_copy_link(tmp_path: Path, **env_extra: str) -> str:
    """The server's whole output after one request for an employee's copy link."""
    import httpx2 as httpx

    from tests.browser import _wait_until_healthy, free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARBEJDSGLAEDE_")}
    env |= {"ARBEJDSGLAEDE_LOAD_DEFAULT_DECKS": "false", **env_extra}
    env["PYTHONPATH"] = str(PROJECT_DIR)  # the code under test, not an installed checkout
    tmp_path.mkdir()
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(f"http://127.0.0.1:{port}", process)
            httpx.get(f"http://127.0.0.1:{port}/r/secret-copy-link-token")
        finally:
            process.terminate()
            process.wait(timeout=10)
    return log_path.read_text()


def test_the_server_never_prints_copy_link_tokens(tmp_path: Path) -> None:
    """Its request line names the route template (issue 17), with the access log on (the
    default) or off; uvicorn's own access line, which names the path, is never written."""
    logged = _serve_and_open_a_copy_link(tmp_path / "logged")
    assert "secret-copy-link-token" not in logged
    lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
    assert {"method": "GET", "route": "/r/{token}", "status": 404}.items() <= next(
        line for line in lines if line.get("route") == "/r/{token}"
    ).items()
    quiet = _serve_and_open_a_copy_link(tmp_path / "quiet", ARBEJDSGLAEDE_ACCESS_LOG="false")
    assert "secret-copy-link-token" not in quiet and "/healthz" not in quiet
    assert '"route"' not in quiet


def test_the_server_keeps_a_tablets_connection_through_a_pause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uvicorn's default closes an idle connection after 5 s, and a tap sent as it closed
    failed in the 200-tablet benchmark; people pause longer than that between taps."""
    import uvicorn

    from app import cli

    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(options))
    monkeypatch.setenv("ARBEJDSGLAEDE_DATA_DIR", str(tmp_path / "var"))
    assert cli.main(["serve", "--port", "8123"]) == 0
    assert served["port"] == 8123
    assert served["timeout_keep_alive"] >= 60


def test_serve_on_all_addresses_does_not_make_them_the_public_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The setup link follows --host and --port, but a link for the employee is never built
    from 0.0.0.0, nor is 0.0.0.0 a trusted Host: only a configured base URL is."""
    import uvicorn

    from app import cli

    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(app=app))
    monkeypatch.setenv("ARBEJDSGLAEDE_DATA_DIR", str(tmp_path / "var"))
    assert cli.main(["serve", "--host", "0.0.0.0", "--port", "8123"]) == 0
    settings = served["app"].state.settings
    assert settings.base_url == "http://0.0.0.0:8123"
    assert settings.configured_base_url is None and "0.0.0.0" not in settings.trusted_hosts


def test_purge_prints_what_it_deletes_and_the_dry_run_deletes_nothing(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from app.db import write_session
    from app.models import AuditEvent
    from app.records import audit

    assert run_cli(tmp_path, "migrate").returncode == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'arbejdsglaede.db'}")
    with write_session(engine) as session:
        audit.log(session, action="export", at=datetime(2015, 1, 1, tzinfo=UTC), user_id=1)
        audit.log(session, action="export", at=datetime.now(UTC), user_id=1)
        session.commit()

    def entries() -> int:
        with read_session(engine) as session:
            return len(session.exec(select(AuditEvent)).all())

    dry = run_cli(tmp_path, "purge", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Would delete" in dry.stdout and "audit_events: 1" in dry.stdout
    assert "conversations: 0" in dry.stdout and "nothing was deleted" in dry.stdout
    assert entries() == 2
    real = run_cli(tmp_path, "purge")
    assert real.returncode == 0, real.stderr
    assert "Deleted" in real.stdout and "audit_events: 1" in real.stdout
    assert entries() == 1
    again = run_cli(tmp_path, "purge")
    assert "audit_events: 0" in again.stdout
    engine.dispose()


def test_serve_refuses_fewer_than_one_worker(tmp_path: Path) -> None:
    refused = run_cli(tmp_path, "serve", "--workers", "0")
    assert refused.returncode == 2 and "must be 1 or more" in refused.stderr


def test_serve_with_workers_prepares_once_and_each_worker_serves_the_same_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import cli, workers

    served: dict[str, Any] = {}

    def run(app: str, **options: Any) -> None:
        folder = Path(os.environ[cli.METRICS_FOLDER])
        served.update(options, app=app, environ=dict(os.environ), folder=folder.is_dir())

    monkeypatch.setattr(workers, "serve", run)
    monkeypatch.setenv("ARBEJDSGLAEDE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ARBEJDSGLAEDE_LOAD_DEFAULT_DECKS", "false")
    monkeypatch.delenv(cli.METRICS_FOLDER, raising=False)
    assert cli.main(["serve", "--host", "0.0.0.0", "--port", "8123", "--workers", "3"]) == 0
    # The workers inherit where they listen and one metrics folder, there while they serve and
    # gone after; this process keeps neither.
    workers_see = served.pop("environ")
    assert served.pop("folder") is True
    assert not Path(workers_see[cli.METRICS_FOLDER]).exists()
    assert cli.WORKER_ADDRESS not in os.environ and cli.METRICS_FOLDER not in os.environ
    monkeypatch.setenv(cli.WORKER_ADDRESS, workers_see[cli.WORKER_ADDRESS])
    assert served["app"] == "app.cli:worker_app" and served["factory"] is True
    assert served["workers"] == 3 and served["timeout_keep_alive"] >= 60
    assert served["proxy_headers"] is False
    # Prepared by the parent: migrated, and one secret key for every worker.
    assert (tmp_path / "var" / "secret_key").exists()
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'arbejdsglaede.db'}")
    with read_session(engine) as session:
        assert session.exec(select(User)).all() == []
    engine.dispose()
    worker = cli.worker_app()
    settings = worker.state.settings
    assert settings.base_url == "http://0.0.0.0:8123" and settings.configured_base_url is None
    assert settings.resolved_secret() == (tmp_path / "var" / "secret_key").read_text().strip()
