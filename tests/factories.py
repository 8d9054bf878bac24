"""Test data made in the test itself: images drawn with Pillow, zips, users."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageDraw
from sqlmodel import Session, select

from app.models import (
    Agreement,
    AgreementReview,
    Card,
    Conversation,
    Deck,
    Employee,
    Image,
    Pick,
    User,
)


def image_bytes(
    size: tuple[int, int] = (800, 600),
    *,
    fmt: str = "JPEG",
    mode: str = "RGB",
    orientation: int | None = None,
    gps: bool = False,
    colour: tuple[int, ...] | int = (200, 120, 40),
) -> bytes:
    """An image with a marker in its top-left corner, so orientation can be checked."""
    image = PILImage.new(mode, size, colour)
    if mode in ("RGB", "RGBA"):
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, size[0] // 4, size[1] // 4), fill=(0, 0, 255))
    exif = PILImage.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (55.0, 40.0, 0.0), 3: "E", 4: (12.0, 34.0, 0.0)}
    buffer = io.BytesIO()
    kwargs: dict[str, object] = {}
    if len(exif):
        kwargs["exif"] = exif.tobytes()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def write_deck(folder: Path, names: list[str], manifest: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        (folder / name).write_bytes(image_bytes((640, 800), colour=(20 * i % 255, 90, 140)))
    if manifest is not None:
        (folder / "deck.toml").write_text(manifest, encoding="utf-8")
    return folder


class Organisation:
    """Leaders, employees in teams, and finished conversations with cards and agreements,
    written as rows (no services): for the overview, whose figures the tests recompute from
    the same rows. One deck and one card stand behind every pick; a pick's title is its own."""

    def __init__(self, session: Session) -> None:
        self.session = session
        deck = session.exec(select(Deck).where(Deck.slug == "org-deck")).first()
        if deck is None:
            session.add(Image(sha256="0" * 64, width=10, height=10))
            deck = Deck(slug="org-deck", name_da="Org", name_en="Org", purpose="status")
            session.add(deck)
            session.flush()
            session.add(
                Card(
                    deck_id=deck.id or 0, file_name="c.png", title_da="Kort", image_sha256="0" * 64
                )
            )
            session.flush()
        self.deck = deck
        self.card = session.exec(select(Card).where(Card.deck_id == deck.id)).one()
        self.leaders = len(session.exec(select(User.id)).all())

    def leader(self, role: str = "leader") -> int:
        self.leaders += 1
        user = User(
            email=f"org-leader-{self.leaders}@example.org",
            name=f"Leder {self.leaders}",
            role=role,
            password_hash="x",
        )
        self.session.add(user)
        self.session.flush()
        return user.id or 0

    def employee(self, leader_id: int, team: str = "") -> int:
        employee = Employee(leader_id=leader_id, name="Medarbejder", team=team)
        self.session.add(employee)
        self.session.flush()
        return employee.id or 0

    def conversation(
        self,
        employee_id: int,
        on: date,
        *,
        status: str = "completed",
        picks: Sequence[tuple[str, str]] = (),
        agreements: Sequence[tuple[str, str, date | None, int | None]] = (),
        suggestions: str = "",
        shareable: bool = False,
    ) -> int:
        """``picks``: (row, title); ``agreements``: (area, status, due, reviewed_in_id)."""
        employee = self.session.get(Employee, employee_id)
        assert employee is not None
        conversation = Conversation(
            leader_id=employee.leader_id,
            employee_id=employee_id,
            date=on,
            status=status,
            status_deck_id=self.deck.id or 0,
            inspiration_deck_id=self.deck.id or 0,
            suggestions=suggestions,
            suggestions_shareable=shareable,
        )
        self.session.add(conversation)
        self.session.flush()
        for n, (row, title) in enumerate(picks):
            self.session.add(
                Pick(
                    conversation_id=conversation.id or 0,
                    card_id=self.card.id or 0,
                    row=row,
                    position=n,
                    title_da=title,
                    title_en=title + " (en)",
                    image_sha256="0" * 64,
                )
            )
        for area, agreement_status, due, reviewed_in in agreements:
            agreement = Agreement(
                conversation_id=conversation.id or 0,
                text="Aftale",
                owner="both",
                due=due,
                strategic_area=area,
                status=agreement_status,
                reviewed_in_id=reviewed_in,
            )
            self.session.add(agreement)
            self.session.flush()
            reviewer = self.session.get(Conversation, reviewed_in) if reviewed_in else None
            if reviewer is not None:
                # The history the review made, at noon on the reviewing conversation's day.
                self.session.add(
                    AgreementReview(
                        agreement_id=agreement.id or 0,
                        conversation_id=reviewed_in,
                        at=datetime.combine(reviewer.date, time(11), tzinfo=UTC),
                        status=agreement_status if agreement_status != "open" else "partly",
                    )
                )
        self.session.flush()
        return conversation.id or 0
