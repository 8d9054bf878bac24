"""A leader, two small decks and a conversation, made through the services themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app.accounts import service as accounts
from app.conversations import service
from app.decks.manifest import CardEntry, Manifest
from app.decks.service import import_deck
from app.models import Card, Conversation, User
from tests.factories import image_bytes
from tests.support import PASSWORD


@dataclass
class World:
    leader: User
    other_leader: User
    status_cards: list[Card]
    inspiration_cards: list[Card]
    conversation: Conversation


def small_deck(session: Session, name: str, purpose: str, count: int) -> list[Card]:
    names = [f"{name.lower()}-{i}.png" for i in range(count)]
    manifest = Manifest(
        name_da=name,
        name_en=name + " EN",
        purpose=purpose,
        cards=[
            CardEntry(file=n, title_da=f"{name} {i} da", title_en=f"{name} {i} en")
            for i, n in enumerate(names)
        ],
    )
    files = {
        n: image_bytes((80, 100), fmt="PNG", colour=(i * 20 % 255, 80, 120))
        for i, n in enumerate(names)
    }
    deck = import_deck(session, manifest=manifest, files=files, max_pixels=10**7)
    return list(session.exec(select(Card).where(Card.deck_id == deck.id).order_by(Card.position)))  # type: ignore[arg-type]


def make_world(session: Session, *, email: str = "leder@example.org") -> World:
    leader = accounts.create_user(
        session, email=email, name="Leder", role="leader", password=PASSWORD
    )
    other = accounts.create_user(
        session, email="anden." + email, name="Anden", role="leader", password=PASSWORD
    )
    status_cards = small_deck(session, "Status", "status", 6)
    inspiration_cards = small_deck(session, "Inspiration", "inspiration", 12)
    conversation = service.create_conversation(
        session,
        leader_id=leader.id or 0,
        employee_name="Medarbejder",
        on=date(2026, 12, 1),
        language="da",
        status_deck_id=None,
        inspiration_deck_id=None,
    )
    return World(leader, other, status_cards, inspiration_cards, conversation)
