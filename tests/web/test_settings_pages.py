"""The facilitators' /settings page over HTTP (issue 15): focus areas, texts, time per step,
default decks and the question bank; refusals shown beside their form."""

from __future__ import annotations

import re

from sqlmodel import select

from app.db import write_session
from app.models import BankQuestion, Deck, FocusArea
from app.settings import service
from tests.support import Client, add_user, engine_of
from tests.support.deck_pages import as_role


def areas(client: Client) -> list[FocusArea]:
    with write_session(engine_of(client)) as session:
        return list(session.exec(select(FocusArea).order_by(FocusArea.id)))  # type: ignore[arg-type]


def test_a_leader_is_refused_and_has_no_menu_link(client: Client) -> None:
    as_role(client, "leader")
    assert client.get("/settings", follow_redirects=False).status_code == 403
    assert 'href="/settings"' not in client.get("/about").text


def test_the_facilitator_sees_the_defaults_and_the_menu_link(facilitator: Client) -> None:
    page = facilitator.get("/settings?lang=en")
    assert page.status_code == 200
    assert 'href="/settings" aria-current="page"' in page.text
    assert "Welcome. This conversation is about you" in page.text
    assert 'name="minutes_arbejdsglaede"' in page.text and 'value="25"' in page.text
    assert "What would you like us to talk about today?" in page.text
    assert page.text.count('<label for="new-area-name">Name</label>') == 1
    assert ">Add focus area</button>" in page.text


def test_adding_editing_archiving_and_deleting_a_focus_area(facilitator: Client) -> None:
    added = facilitator.post_form(
        "/settings/focus-areas?lang=en",
        {"name_da": " Grøn  omstilling ", "description_da": "Mindre spild", "name_en": "Green"},
    )
    assert added.status_code == 200 and "<strong>Green</strong>" in added.text
    (area,) = areas(facilitator)
    stored = (area.name_da, area.name_en, area.description_da)
    assert stored == ("Grøn omstilling", "Green", "Mindre spild")

    edit = facilitator.get(f"/settings/focus-areas/{area.id}?lang=en")
    assert edit.status_code == 200 and 'value="Grøn omstilling"' in edit.text
    facilitator.post_form(f"/settings/focus-areas/{area.id}", {"name_da": "Bæredygtighed"})
    assert areas(facilitator)[0].name_da == "Bæredygtighed"

    facilitator.post_form(f"/settings/focus-areas/{area.id}/archive", {})
    assert areas(facilitator)[0].archived
    page = facilitator.get("/settings?lang=en").text
    assert "Reactivate" in page
    facilitator.post_form(f"/settings/focus-areas/{area.id}/reactivate", {})
    assert not areas(facilitator)[0].archived

    facilitator.post_form(f"/settings/focus-areas/{area.id}/delete", {})
    assert areas(facilitator) == []


def test_focus_areas_are_put_in_order_with_the_arrows(facilitator: Client) -> None:
    for name in ("Kvalitet", "Grøn", "Folk"):
        facilitator.post_form("/settings/focus-areas", {"name_da": name, "name_en": name})
    quality, green, people = areas(facilitator)
    page = facilitator.get("/settings?lang=en").text
    # The first cannot go up nor the last down; every arrow says which area it moves.
    assert re.search(r'value="up" disabled\s+aria-label="Move Kvalitet up"', page)
    assert re.search(r'value="down" disabled\s+aria-label="Move Folk down"', page)
    assert re.search(r'value="down"\s+aria-label="Move Kvalitet down"', page)
    moved = facilitator.post_form(
        f"/settings/focus-areas/{people.id}/move?lang=en",
        {"direction": "up"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert moved.headers["location"].endswith(f"/settings?moved=area-{people.id}-up")
    page = facilitator.get(moved.headers["location"].replace("?", "?lang=en&")).text
    shown = re.findall(r"<strong>(Kvalitet|Grøn|Folk)</strong>", page)
    assert shown == ["Kvalitet", "Folk", "Grøn"]
    # The keyboard's focus stays on the arrow pressed, and on no other.
    assert page.count("autofocus") == 1
    assert re.search(r'value="up"\s+autofocus aria-label="Move Folk up"', page)
    # At the top, ↑ can go no further: the focus goes to the row's ↓.
    again = facilitator.post_form(
        f"/settings/focus-areas/{people.id}/move", {"direction": "up"}, follow_redirects=False
    )
    page = facilitator.get(again.headers["location"].replace("?", "?lang=en&")).text
    assert re.search(r'value="down"\s+autofocus aria-label="Move Folk down"', page)
    assert "autofocus" not in facilitator.get("/settings").text
    # The conversations planned from now on offer them in that order.
    with write_session(engine_of(facilitator)) as session:
        offered = [a.id for a in service.current(session).focus_areas]
    assert offered == [people.id, quality.id, green.id]
    danish = facilitator.get("/settings?lang=da").text
    assert 'aria-label="Flyt Grøn ned"' in danish


def test_a_focus_area_without_a_name_is_refused_beside_its_form(facilitator: Client) -> None:
    refused = facilitator.post_form(
        "/settings/focus-areas?lang=en", {"name_da": "", "description_da": "Kun beskrivelse"}
    )
    assert refused.status_code == 422
    assert "Give the focus area a name." in refused.text
    assert "Kun beskrivelse" in refused.text  # what was typed is kept
    assert areas(facilitator) == []


def test_an_edit_without_a_name_is_refused(facilitator: Client) -> None:
    facilitator.post_form("/settings/focus-areas", {"name_da": "Kvalitet"})
    (area,) = areas(facilitator)
    refused = facilitator.post_form(f"/settings/focus-areas/{area.id}?lang=en", {"name_da": " "})
    assert refused.status_code == 422 and "Give the focus area a name." in refused.text
    assert areas(facilitator)[0].name_da == "Kvalitet"


def test_an_unknown_focus_area_is_404(facilitator: Client) -> None:
    assert facilitator.get("/settings/focus-areas/999").status_code == 404
    assert facilitator.post_form("/settings/focus-areas/999/archive", {}).status_code == 404


def minutes(**changed: str) -> dict[str, str]:
    typed = {
        "minutes_start": "5",
        "minutes_status": "10",
        "minutes_arbejdsglaede": "25",
        "minutes_feedback": "10",
        "minutes_aftaler": "15",
        "minutes_slut": "5",
    }
    return typed | changed


def test_time_per_step_is_saved(facilitator: Client) -> None:
    saved = facilitator.post_form("/settings/minutes?lang=en", minutes(minutes_status="12"))
    assert saved.status_code == 200
    assert re.search(r'name="minutes_status"[^>]*value="12"', saved.text)


def test_time_of_0_or_500_minutes_is_refused_with_a_message(facilitator: Client) -> None:
    for bad in ("0", "500"):
        refused = facilitator.post_form("/settings/minutes?lang=en", minutes(minutes_slut=bad))
        assert refused.status_code == 422
        assert "whole number of minutes from 1 to 120" in refused.text
        assert re.search(rf'name="minutes_slut"[^>]*value="{bad}"', refused.text)
    page = facilitator.get("/settings").text
    assert re.search(r'name="minutes_slut"[^>]*value="5"', page)


def test_texts_are_saved_and_an_empty_introduction_refused(facilitator: Client) -> None:
    texts = {
        "intro_da": "Velkommen til samtalen.\n\nDet er din samtale.",
        "intro_en": "Welcome.",
        "appreciative_da": "Hvad gik godt?\n\nHvad lærte vi?",
        "appreciative_en": "What went well?",
    }
    assert facilitator.post_form("/settings/texts", texts).status_code == 200
    page = facilitator.get("/settings").text
    assert "Hvad gik godt?\nHvad lærte vi?</textarea>" in page
    refused = facilitator.post_form("/settings/texts?lang=en", texts | {"intro_da": ""})
    assert refused.status_code == 422 and "Write the introduction to read aloud." in refused.text


def test_default_decks_only_published_ones_of_the_right_purpose(decks_client: Client) -> None:
    as_role(decks_client, "facilitator")
    with write_session(engine_of(decks_client)) as session:
        decks = {d.purpose: d.id for d in session.exec(select(Deck))}
    refused = decks_client.post_form(
        "/settings/decks?lang=en", {"status_deck": str(decks["inspiration"])}
    )
    assert refused.status_code == 422 and "Choose one of the offered card decks." in refused.text
    saved = decks_client.post_form(
        "/settings/decks",
        {"status_deck": str(decks["status"]), "inspiration_deck": str(decks["inspiration"])},
    )
    assert saved.status_code == 200
    add_user(decks_client, "leder@example.org")
    decks_client.login("leder@example.org")
    new = decks_client.get("/conversations/new").text
    assert f'<option value="{decks["status"]}" selected>' in new


def test_bank_questions_are_added_edited_moved_and_taken_out_of_use(facilitator: Client) -> None:
    added = facilitator.post_form(
        "/settings/questions", {"step": "feedback", "text_da": "Hvad savner du?", "text_en": ""}
    )
    assert added.status_code == 200 and "Hvad savner du?" in added.text
    with write_session(engine_of(facilitator)) as session:
        question = session.exec(
            select(BankQuestion).where(BankQuestion.text_da == "Hvad savner du?")
        ).one()
    qid = question.id
    facilitator.post_form(f"/settings/questions/{qid}", {"text_da": "Hvad mangler du?"})
    moved = facilitator.post_form(f"/settings/questions/{qid}/move", {"direction": "up"})
    # The page comes back with the keyboard's focus on the arrow pressed.
    assert moved.url.query == f"moved=question-{qid}-up".encode()
    focused = re.findall(r"<button[^>]*autofocus[^>]*>", moved.text)
    assert len(focused) == 1 and f"/settings/questions/{qid}/move" in focused[0]
    assert 'value="up"' in focused[0]
    facilitator.post_form(f"/settings/questions/{qid}/active", {"active": "0"})
    with write_session(engine_of(facilitator)) as session:
        feedback = session.exec(
            select(BankQuestion)
            .where(BankQuestion.step == "feedback")
            .order_by(BankQuestion.position)  # type: ignore[arg-type]
        ).all()
    assert [q.id for q in feedback][-2] == qid
    changed = next(q for q in feedback if q.id == qid)
    assert (changed.text_da, changed.active) == ("Hvad mangler du?", False)
    refused = facilitator.post_form(
        "/settings/questions?lang=en", {"step": "feedback", "text_da": ""}
    )
    assert refused.status_code == 422 and "Write the question." in refused.text
