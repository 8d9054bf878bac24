"""Operations (issue 17) below HTTP: readiness, request ids, the metrics' address check, and
log lines that never carry an exception's message."""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine, text

from app import PROJECT_DIR
from app.db import make_engine, write_session
from app.observability import logs, metrics
from app.observability.readiness import (
    DATABASE_AWAY,
    MIGRATING,
    READY,
    SCHEMA_BEHIND,
    head_revision,
    is_migrating,
    migrating,
    readiness,
)
from app.observability.requests import request_id_of, template_of
from app.observability.routes import is_allowed
from tests import postgres
from tests.support.logs import captured_logs


def test_ready_at_head(engine: Engine) -> None:
    assert readiness(engine, migrating=False) == READY
    assert head_revision()


def test_not_ready_while_migrating(engine: Engine) -> None:
    assert readiness(engine, migrating=True) == MIGRATING
    with migrating(engine):
        assert is_migrating(engine)
    assert not is_migrating(engine)


@pytest.mark.sqlite
def test_not_ready_when_the_sqlite_file_cannot_be_opened(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gone' / 'arbejdsglaede.db'}")
    assert readiness(engine, migrating=False) == DATABASE_AWAY
    engine.dispose()


@pytest.mark.sqlite
def test_not_ready_when_the_data_directory_is_removed(
    tmp_path: Path, migrated_database: Path
) -> None:
    folder = tmp_path / "var"
    folder.mkdir()
    shutil.copy(migrated_database, folder / migrated_database.name)
    engine = make_engine(f"sqlite:///{folder / migrated_database.name}")
    assert readiness(engine, migrating=False) == READY
    shutil.rmtree(folder)
    engine.dispose()  # the pool's open file would still answer
    assert readiness(engine, migrating=False) == DATABASE_AWAY


def test_not_ready_when_postgresql_does_not_answer() -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    engine = make_engine("postgresql+psycopg://nobody:secret@127.0.0.1:1/arbejdsglaede")
    assert readiness(engine, migrating=False) == DATABASE_AWAY
    engine.dispose()


def test_not_ready_on_a_database_never_migrated(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert readiness(engine, migrating=False) == SCHEMA_BEHIND
    engine.dispose()


def test_not_ready_when_the_schema_is_behind_or_ahead(engine: Engine) -> None:
    for revision in ("0009", "9999"):
        with write_session(engine) as session:
            session.connection().execute(
                text("UPDATE alembic_version SET version_num = :r"), {"r": revision}
            )
            session.commit()
        assert readiness(engine, migrating=False) == SCHEMA_BEHIND


def _scope(*headers: tuple[bytes, bytes]) -> dict[str, object]:
    return {"type": "http", "headers": list(headers)}


@pytest.mark.parametrize("kept", [b"abc", b"A-1_b.2", b"x" * 64])
def test_a_safe_request_id_is_kept(kept: bytes) -> None:
    assert request_id_of(_scope((b"x-request-id", kept))) == kept.decode()


@pytest.mark.parametrize(
    "refused",
    [b"", b"x" * 65, b"a b", b"a\r\nSet-Cookie: x", b'a"b', b"\xc3\xa6", b"a/b", b"{json}"],
)
def test_an_unsafe_request_id_is_replaced(refused: bytes) -> None:
    made = request_id_of(_scope((b"x-request-id", refused)))
    assert made != refused.decode("latin-1") and len(made) == 16


def test_request_ids_are_random() -> None:
    assert len({request_id_of(_scope()) for _ in range(100)}) == 100


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("127.0.0.2", False),
        ("10.0.0.1", False),
        ("testclient", False),
        ("unknown", False),
        ("", False),
    ],
)
def test_metrics_answer_loopback_only_by_default(address: str, allowed: bool) -> None:
    assert is_allowed(address, ("127.0.0.1/32", "::1/128")) is allowed


def test_route_template_of_no_route_is_unmatched() -> None:
    assert template_of(None) == metrics.UNMATCHED
    assert template_of(object()) == metrics.UNMATCHED


def test_status_classes() -> None:
    assert [metrics.status_class(s) for s in (200, 303, 404, 429, 500, 503)] == [
        "2xx",
        "3xx",
        "4xx",
        "4xx",
        "5xx",
        "5xx",
    ]


def test_a_logged_exception_keeps_its_place_in_the_code_never_its_message() -> None:
    with captured_logs() as lines:
        try:
            raise ValueError("INSERT ... parameters: ('Mette Hansen', 'min hemmelige note')")
        except ValueError:
            logging.getLogger("arbejdsglaede").exception("could not save")
    (line,) = lines
    assert line["event"] == "could not save"
    assert line["level"] == "error"
    assert line["exception"] == "ValueError"
    assert any("test_observability.py" in frame for frame in line["stack"])
    assert "Mette" not in "\n".join(lines.raw) and "hemmelige" not in lines.text()


def test_a_line_made_within_a_request_carries_its_id() -> None:
    with captured_logs() as lines:
        with logs.request_context("abc123"):
            logging.getLogger("arbejdsglaede").warning("inside")
        logging.getLogger("arbejdsglaede").warning("outside")
    assert [(line["event"], line.get("request_id")) for line in lines] == [
        ("inside", "abc123"),
        ("outside", None),
    ]


def test_console_format_for_a_person_at_a_terminal() -> None:
    stream = io.StringIO()
    level = logging.getLogger().level
    handler = logs.configure_logging(fmt="console", stream=stream)
    try:
        with logs.request_context("abc123"):
            logging.getLogger("arbejdsglaede").warning("something to see")
    finally:
        logs.unconfigure_logging(handler)
        logging.getLogger().setLevel(level)
    assert "something to see" in stream.getvalue() and "abc123" in stream.getvalue()


def test_pool_gauges_follow_the_postgresql_pool(postgresql: postgres.Server) -> None:
    def value(name: str) -> float:
        return REGISTRY.get_sample_value(name) or 0.0

    size, used = "arbejdsglaede_db_pool_size", "arbejdsglaede_db_pool_checked_out"
    before_size, before_used = value(size), value(used)
    engine = make_engine(postgresql.create_database(), pool_size=4)
    metrics.watch_pool(engine)
    assert value(size) - before_size == 4
    with engine.connect() as first, engine.connect() as second:
        first.execute(text("SELECT 1"))
        second.execute(text("SELECT 1"))
        assert value(used) - before_used == 2
    assert value(used) == before_used
    engine.dispose()
    metrics.forget_pool(engine)
    assert value(size) == before_size


def test_no_pool_gauges_for_sqlite(tmp_path: Path) -> None:
    before = REGISTRY.get_sample_value("arbejdsglaede_db_pool_size")
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    metrics.watch_pool(engine)
    assert REGISTRY.get_sample_value("arbejdsglaede_db_pool_size") == before
    engine.dispose()


# Several processes (serve --workers N): each counts into files in PROMETHEUS_MULTIPROC_DIR,
# and whichever answers /metrics adds them all up.
COUNT_A_PICK = """
from app.observability import metrics
metrics.count_pick("status")
metrics.RequestMetrics().observe("POST", "/x/{id}", 200, 0.01)
metrics.process_ending()
"""
EXPOSE = """
import sys
from app.observability import metrics
sys.stdout.write(metrics.exposition().decode())
"""


def test_several_processes_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(3):
        subprocess.run([sys.executable, "-c", COUNT_A_PICK], env=env, check=True)
    shown = subprocess.run(
        [sys.executable, "-c", EXPOSE], env=env, check=True, capture_output=True, text=True
    ).stdout
    assert 'arbejdsglaede_picks_total{board="status"} 3.0' in shown
    assert (
        'arbejdsglaede_http_requests_total{method="POST",route="/x/{id}",status="2xx"} 3.0' in shown
    )


def test_uvicorn_logs_through_the_json_handler_and_never_its_access_lines() -> None:
    """`uvicorn app.main:app` turns its access log on by default: its line names the path,
    with the copy link's token in it. After configure_logging it logs nothing."""
    access = logging.getLogger("uvicorn.access")
    access.addHandler(logging.StreamHandler(io.StringIO()))  # as uvicorn's own set-up does
    with captured_logs() as lines:
        assert not access.hasHandlers()
        access.info('127.0.0.1 - "GET /r/abcdefghjkmn HTTP/1.1" 200')
        logging.getLogger("uvicorn.error").info("Started server process")
    assert [(line["logger"], line["event"]) for line in lines] == [
        ("uvicorn.error", "Started server process")
    ]
