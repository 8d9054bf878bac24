"""The privacy page (DESIGN §6): public, in Danish and English, with the retention the
settings hold, linked from every page's footer and from the employee's copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.db import write_session
from app.records import share
from tests.record_fixtures import full_conversation, leader
from tests.support import Client, FakeClock, engine_of, make_client, make_settings

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql


def test_the_privacy_page_is_public_in_both_languages(client: Client) -> None:
    danish = client.get("/privacy?lang=da")
    assert danish.status_code == 200
    assert "Hvad der er gemt" in danish.text and "Indsigt og sletning" in danish.text
    assert "Samtaler slettes med alt, hvad der er gemt om dem, 5 år efter" in danish.text
    english = client.get("/privacy?lang=en")
    assert "What is stored" in english.text and "Access and erasure" in english.text
    assert "5 years after the conversation&#39;s date" in english.text
    assert "deleted after 5 years" in english.text


def test_the_privacy_page_says_the_retention_the_settings_hold(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path / "var",
        retention_conversation_years=3,
        retention_audit_years=1,
        organisation_name="Aarhus Kommune",
    )
    with make_client(settings, FakeClock()) as client:
        page = client.get("/privacy?lang=en").text
    assert "3 years after the conversation&#39;s date" in page
    assert "deleted after 1 year." in page
    assert "Aarhus Kommune is responsible" in page


def test_the_footer_and_the_employee_s_copy_link_to_it(decks_client: Client) -> None:
    assert 'href="/privacy"' in decks_client.get("/login").text
    with write_session(engine_of(decks_client)) as session:
        boss = leader(session)
        conversation = full_conversation(session, leader_id=boss.id or 0)
        link = share.create_share(
            session,
            leader_id=boss.id or 0,
            conversation_id=conversation.id or 0,
            now=decks_client.app.state.clock(),
            days=7,
        )
    copy = decks_client.get(f"/r/{link.token}?lang=en").text
    assert "What is stored about you, and how to have it erased" in copy
    assert copy.count('href="/privacy"') == 2
