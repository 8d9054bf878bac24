"""The deck pages over HTTP, for the web tests: a role, an upload, a new deck, its cards."""

from __future__ import annotations

import re

import httpx2 as httpx
from sqlmodel import select

from app.db import write_session
from app.models import Card, Deck
from tests import deck_fixtures as fx
from tests.support import PARTIAL, Client, add_user, engine_of


def as_role(client: Client, role: str) -> Client:
    add_user(client, f"{role}@example.org", role=role)
    client.login(f"{role}@example.org")
    return client


def upload(client: Client, files: list[tuple[str, bytes]], **headers: str) -> httpx.Response:
    page = client.get("/decks/new").text
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return client.post(
        "/decks/new",
        data={"key": key},
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
        headers={"x-csrftoken": client.csrf, **headers},
        follow_redirects=False,
    )


def zip_of(n: int, *extra: tuple[str, bytes]) -> bytes:
    names = ["sol", "regn", "blad", "hav"]
    photos = fx.distinct_photos(n)
    return fx.make_zip([*((f"{names[i]}.jpg", photos[i]) for i in range(n)), *extra])


def new_deck(client: Client, n: int = 3) -> str:
    response = upload(client, [("vores-billeder.zip", zip_of(n))])
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location == "/decks/vores-billeder/edit"
    return "vores-billeder"


def card_ids(client: Client, slug: str) -> list[int]:
    with write_session(engine_of(client)) as session:
        deck = session.exec(select(Deck).where(Deck.slug == slug)).one()
        cards = session.exec(
            select(Card)
            .where(Card.deck_id == deck.id, Card.retired_at == None)  # noqa: E711
            .order_by(Card.position)  # type: ignore[arg-type]
        )
        return [c.id or 0 for c in cards]


def upload_and_replace_the_bad_file(client: Client) -> httpx.Response:
    """A zip with one cut photo, then a new picture for it over htmx, as the report offers."""
    response = upload(client, [("b.zip", zip_of(2, ("cut.jpg", fx.truncated_jpeg())))])
    assert response.status_code == 303
    report_url = response.headers["location"]
    return client.post(
        report_url + "/files",
        data={"replace": "cut.jpg"},
        files=[("files", ("new.png", fx.photo(fmt="PNG", colour=(9, 9, 9)), "image/png"))],
        headers={"x-csrftoken": client.csrf, **PARTIAL},
    )
