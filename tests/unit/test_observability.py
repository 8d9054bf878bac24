"""Operations (issue 17) below HTTP: readiness, request ids, the metrics' address check, and
log lines that never carry an exception's message."""

from __future__ import annotations

import io
import logging
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

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
