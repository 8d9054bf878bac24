"""An upload that cannot be checked ends refused with a message, never stuck in processing
(issue 14, Bad input)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from app.accounts import service as accounts
from app.decks.manifest import parse_manifest
from app.decks.upload import service as upload
from app.decks.upload.views import report
from app.decks.zipcheck import UploadLimits
from app.errors import DomainError
from app.models.decks import UploadStatus
from tests import deck_fixtures as fx
from tests.support import PASSWORD

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DEEP = ("a = " + "[" * 50_000 + "]" * 50_000 + "\n").encode()


@pytest.fixture
def owner(session: Session) -> int:
    user = accounts.create_user(
        session, email="fac@example.org", name="Fac", role="facilitator", password=PASSWORD
    )
    return user.id or 0


def _receive(session: Session, owner: int, data: bytes) -> upload.DeckUpload:
    return upload.receive_upload(
        session,
        key=upload.new_key(),
        owner_id=owner,
        files=[upload.IncomingFile(name="b.zip", stream=io.BytesIO(data))],
        default_name="Nyt kortsæt",
        limits=UploadLimits(),
        now=NOW,
    )


def test_a_deeply_nested_manifest_is_a_clear_refusal() -> None:
    with pytest.raises(DomainError) as refused:
        parse_manifest(DEEP.decode(), default_name="x")
    assert refused.value.message == "deck.toml is nested too deeply."


def test_an_upload_with_a_deeply_nested_manifest_is_refused_not_stuck(
    session: Session, owner: int
) -> None:
    result = _receive(session, owner, fx.make_zip([("deck.toml", DEEP), ("sol.jpg", fx.photo())]))
    assert result.status == UploadStatus.refused
    view = report(session, upload=result, now=NOW)
    assert [(p.file, p.message) for p in view.problems] == [
        ("deck.toml", "deck.toml is nested too deeply.")
    ]


def test_an_unexpected_failure_while_checking_ends_refused_with_a_message(
    session: Session, owner: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(upload, "examine", broken)
    result = _receive(session, owner, fx.make_zip([("sol.jpg", fx.photo())]))
    assert result.status == UploadStatus.refused
    view = report(session, upload=result, now=NOW)
    assert view.problems[0].message == upload.CHECK_FAILED
    monkeypatch.undo()
    again = upload.add_files(
        session,
        key=result.key,
        owner_id=owner,
        files=[upload.IncomingFile(name="sol.jpg", stream=io.BytesIO(fx.photo()))],
        as_name=None,
        limits=UploadLimits(),
        now=NOW,
    )
    assert again.status == UploadStatus.imported


def test_a_failure_while_creating_the_deck_ends_refused_with_a_message(
    session: Session, owner: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(upload, "create_deck", broken)
    result = _receive(session, owner, fx.make_zip([("sol.jpg", fx.photo())]))
    assert result.status == UploadStatus.refused
    view = report(session, upload=result, now=NOW)
    assert [p.message for p in view.problems] == [upload.CHECK_FAILED]
