"""The follow-up, the check-in and each agreement's history (issue 16, DESIGN §1 "After it")."""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.conversations import followup, service
from app.db import read_session
from app.errors import DomainError, NotFound
from app.models import Agreement, AgreementReview, ConversationKind, ConversationStatus
from app.records.document import make_document
from app.records.docx import render_docx
from app.records.markdown import render_markdown
from app.records.pdf import render_pdf
from app.records.service import build_record
from tests.conversation_fixtures import World, make_world

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "record-schema.json").read_text()
)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LATER = date(2027, 6, 1)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def ids(world: World) -> dict[str, int]:
    return {"leader_id": world.leader.id or 0, "conversation_id": world.conversation.id or 0}


def finished(session: Session, world: World, *texts: str) -> list[Agreement]:
    service.set_status_card(
        session, **ids(world), card_id=world.status_cards[0].id or 0, picked=True
    )
    made = [
        service.add_agreement(
            session, **ids(world), data=service.AgreementInput(text, "both", None, "", ())
        )
        for text in texts
    ]
    service.finish_conversation(session, **ids(world), now=NOW)
    return made


def review(session: Session, world: World, follow_id: int, agreement: Agreement, **kw: object):  # type: ignore[no-untyped-def]
    return followup.review(
        session,
        leader_id=world.leader.id or 0,
        conversation_id=follow_id,
        agreement_id=agreement.id or 0,
        **{"comment": "", **kw},  # type: ignore[arg-type]
    )


def history(session: Session, agreement: Agreement) -> list[tuple[str, str]]:
    return [
        (r.status, r.comment) for r in service.history_of(session, [agreement])[agreement.id or 0]
    ]


def test_an_unfinished_conversation_cannot_be_followed_up(session: Session, world: World) -> None:
    with pytest.raises(DomainError, match="Only a finished conversation"):
        followup.start_followup(session, **ids(world), on=LATER)


def test_another_leaders_conversation_is_not_followed_up(session: Session, world: World) -> None:
    finished(session, world, "Kursus")
    with pytest.raises(NotFound):
        followup.start_followup(
            session,
            leader_id=world.other_leader.id or 0,
            conversation_id=world.conversation.id or 0,
            on=LATER,
        )


def test_a_follow_up_of_a_follow_up_is_refused(session: Session, world: World) -> None:
    finished(session, world, "Kursus")
    first = followup.start_followup(session, **ids(world), on=LATER)
    with pytest.raises(DomainError, match="Only a finished conversation"):
        followup.start_followup(
            session, leader_id=world.leader.id or 0, conversation_id=first.id or 0, on=LATER
        )


def test_reviews_are_appended_in_order_and_never_overwritten(
    session: Session, world: World
) -> None:
    (kursus,) = finished(session, world, "Kursus")
    first = followup.start_followup(session, **ids(world), on=LATER)
    review(session, world, first.id or 0, kursus, status="partly", comment="Halvdelen", now=NOW)
    review(
        session,
        world,
        first.id or 0,
        kursus,
        status="done",
        comment="Hele kurset",
        now=NOW + timedelta(minutes=5),
    )
    assert history(session, kursus) == [("partly", "Halvdelen"), ("done", "Hele kurset")]
    session.refresh(kursus)
    # The agreement keeps the latest for quick reads.
    assert (kursus.status, kursus.follow_up_comment) == ("done", "Hele kurset")
    record = build_record(session, world.conversation)
    assert [(h["status"], h["comment"]) for h in record["agreements"][0]["history"]] == [
        ("partly", "Halvdelen"),
        ("done", "Hele kurset"),
    ]
    assert record["agreements"][0]["history"][0]["date"] == "2026-12-01"


def test_the_next_mus_start_step_review_appends_too(session: Session, world: World) -> None:
    (kursus,) = finished(session, world, "Kursus")
    first = followup.start_followup(session, **ids(world), on=LATER)
    review(session, world, first.id or 0, kursus, status="partly", comment="Halvdelen")
    nxt = service.create_conversation(
        session,
        leader_id=world.leader.id or 0,
        employee_name="Medarbejder",
        on=date(2027, 12, 1),
        language="da",
        status_deck_id=None,
        inspiration_deck_id=None,
    )
    # The follow-up is no MUS: the previous conversation is still the first MUS.
    assert service.previous_conversation(session, nxt) == world.conversation
    service.review_agreement(
        session,
        leader_id=world.leader.id or 0,
        conversation_id=nxt.id or 0,
        agreement_id=kursus.id or 0,
        status="done",
        comment="Taget",
    )
    # Typing on at the Start step amends this conversation's entry; it adds none.
    service.review_agreement(
        session,
        leader_id=world.leader.id or 0,
        conversation_id=nxt.id or 0,
        agreement_id=kursus.id or 0,
        status="done",
        comment="Taget i maj",
    )
    assert history(session, kursus) == [("partly", "Halvdelen"), ("done", "Taget i maj")]


@pytest.mark.parametrize("status", ["open", "", "maybe"])
def test_a_review_needs_done_partly_or_not_done(
    session: Session, world: World, status: str
) -> None:
    (kursus,) = finished(session, world, "Kursus")
    first = followup.start_followup(session, **ids(world), on=LATER)
    with pytest.raises(DomainError, match="Choose done, partly done or not done"):
        review(session, world, first.id or 0, kursus, status=status)
    assert history(session, kursus) == []


def test_an_agreement_of_another_conversation_is_not_reviewed_here(
    session: Session, world: World
) -> None:
    finished(session, world, "Kursus")
    first = followup.start_followup(session, **ids(world), on=LATER)
    stranger = Agreement(conversation_id=first.id or 0, text="Anden", owner="both")
    session.add(stranger)
    session.commit()
    with pytest.raises(NotFound):
        review(session, world, first.id or 0, stranger, status="done")


def test_two_devices_reviewing_at_once_are_both_kept(
    engine: Engine, session: Session, world: World
) -> None:
    (kursus,) = finished(session, world, "Kursus")
    follow_id = followup.start_followup(session, **ids(world), on=LATER).id or 0
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def device(status: str) -> None:
        with read_session(engine) as own:
            start.wait()
            try:
                followup.review(
                    own,
                    leader_id=world.leader.id or 0,
                    conversation_id=follow_id,
                    agreement_id=kursus.id or 0,
                    status=status,
                    comment=status,
                )
            except BaseException as error:  # reported below, on the test's thread
                errors.append(error)

    threads = [threading.Thread(target=device, args=(s,)) for s in ("done", "partly")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    kept = sorted(history(session, kursus))
    assert kept == [("done", "done"), ("partly", "partly")]


def test_finishing_a_follow_up_needs_one_card(session: Session, world: World) -> None:
    finished(session, world, "Kursus")
    first = followup.start_followup(session, **ids(world), on=LATER)
    mine = {"leader_id": world.leader.id or 0, "conversation_id": first.id or 0}
    with pytest.raises(DomainError, match="Pick a card"):
        followup.finish(session, **mine, now=NOW)
    service.set_status_card(session, **mine, card_id=world.status_cards[1].id or 0, picked=True)
    with pytest.raises(DomainError, match="Pick at most") as refused:
        service.set_status_card(session, **mine, card_id=world.status_cards[2].id or 0, picked=True)
    assert refused.value.params == {"n": 1}
    done = followup.finish(session, **mine, now=NOW)
    assert done.status == ConversationStatus.completed
    assert done.kind == ConversationKind.followup


def test_a_check_in_reviews_the_open_agreements_and_shows_since_last_time(
    session: Session, world: World
) -> None:
    kursus, mentor = finished(session, world, "Kursus", "Mentor")
    first = followup.start_followup(session, **ids(world), on=LATER)
    review(session, world, first.id or 0, kursus, status="done")
    employee_id = world.conversation.employee_id
    checkin = followup.start_checkin(
        session,
        leader_id=world.leader.id or 0,
        employee_id=employee_id,
        on=LATER,
        today=LATER,
    )
    assert checkin.kind == ConversationKind.checkin
    assert checkin.status == ConversationStatus.running
    # Done ones are not reviewed again at a check-in.
    assert [a.id for a in followup.agreements_to_review(session, checkin)] == [mentor.id]
    mine = {"leader_id": world.leader.id or 0, "conversation_id": checkin.id or 0}
    for card in world.status_cards[:2]:
        service.set_status_card(session, **mine, card_id=card.id or 0, picked=True)
    picks = [p for p in service.picks_of(session, checkin, ["status"]) if not p.removed]
    service.set_pick_note(session, **mine, pick_id=picks[0].id or 0, note="Travlt")
    followup.finish(session, **mine, now=NOW)
    nxt = service.create_conversation(
        session,
        leader_id=world.leader.id or 0,
        employee_name="Medarbejder",
        on=date(2027, 12, 1),
        language="da",
        status_deck_id=None,
        inspiration_deck_id=None,
    )
    since = followup.since_last_time(session, nxt, "da")
    assert [(s.kind, s.note) for s in since] == [("checkin", "Travlt"), ("checkin", "")]


def test_a_check_in_for_another_leaders_employee_is_404(session: Session, world: World) -> None:
    with pytest.raises(NotFound):
        followup.start_checkin(
            session,
            leader_id=world.other_leader.id or 0,
            employee_id=world.conversation.employee_id,
            on=LATER,
            today=LATER,
        )


def test_a_check_in_is_not_planned_in_the_past(session: Session, world: World) -> None:
    with pytest.raises(DomainError, match="today or on a later day"):
        followup.start_checkin(
            session,
            leader_id=world.leader.id or 0,
            employee_id=world.conversation.employee_id,
            on=date(2026, 1, 1),
            today=LATER,
        )


def test_history_rows_go_with_their_agreement(session: Session, world: World) -> None:
    (kursus,) = finished(session, world, "Kursus")
    first = followup.start_followup(session, **ids(world), on=LATER)
    review(session, world, first.id or 0, kursus, status="done")
    session.delete(world.conversation)
    session.commit()
    assert session.exec(select(AgreementReview)).all() == []


def test_the_follow_up_record_is_valid_and_its_pdf_shows_the_reviews(
    session: Session, world: World
) -> None:
    kursus, mentor = finished(session, world, "Kursus", "Mentor")
    first = followup.start_followup(session, **ids(world), on=LATER)
    mine = {"leader_id": world.leader.id or 0, "conversation_id": first.id or 0}
    service.set_status_card(session, **mine, card_id=world.status_cards[3].id or 0, picked=True)
    (pick,) = [p for p in service.picks_of(session, first, ["status"]) if not p.removed]
    service.set_pick_note(session, **mine, pick_id=pick.id or 0, note="Roligere nu")
    review(session, world, first.id or 0, kursus, status="done", comment="Kurset er taget")
    review(
        session,
        world,
        first.id or 0,
        mentor,
        status="partly",
        comment="Mangler to møder",
        new_due=date(2027, 9, 1),
    )
    followup.finish(session, **mine, now=NOW)
    record = build_record(session, first)
    jsonschema.validate(record, SCHEMA)
    jsonschema.validate(build_record(session, world.conversation), SCHEMA)
    assert record["conversation"]["kind"] == "followup"
    assert record["status_cards"][0]["note"] == "Roligere nu"
    assert record["previous_agreements"] == []
    document = make_document(session, first, organisation="Eksempel Kommune", today=LATER)
    reader = PdfReader(io.BytesIO(render_pdf(document, now=NOW)))
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    text = " ".join(text.split())
    for expected in (
        "Referat af opfølgningen",
        "Gennemgåede aftaler",
        "Kurset er taget",
        "Mangler to møder",
        "Delvist",
        "Roligere nu",
    ):
        assert expected in text, expected
    # The same pipeline's other formats: the reviews, and no board or feedback.
    markdown = render_markdown(document)
    assert "## Gennemgåede aftaler" in markdown and "Kurset er taget" in markdown
    assert "## Arbejdsglæde" not in markdown and "## Feedback" not in markdown
    assert render_docx(document)[:2] == b"PK"
    # A follow-up has no board and no feedback of its own.
    assert "Arbejdsglæde" not in text.replace("Made with Arbejdsglæde", "").replace(
        "Lavet med Arbejdsglæde", ""
    )
