"""A whole conversation for the record tests, made through the services: status cards with
notes, a 3 × 3 board, feedback both ways, agreements, optionally finished."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.conversations import service
from app.models import BoardRow, Card, Conversation, Deck, DeckPurpose, User
from tests.support import PASSWORD

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOTE_DA = "Jeg er glad for mødet med kollegerne i kantinen; æøå ÆØÅ."
TRICKY = "Emoji 🌱🎉, hebraisk שלום, arabisk مرحبا, <b>HTML</b> & *stjerne* #kode 1. juni"
ROW_NOTES = {
    BoardRow.glad: "Fællesskabet bærer os igennem travle uger.",
    BoardRow.less_glad: "Møder uden dagsorden tager tid fra opgaverne.",
    BoardRow.more_glad: "Mere tid til faglig fordybelse og sparring.",
}
FEEDBACK = {
    "to_employee": "Du tager ansvar og hjælper nye kolleger godt på vej.",
    "to_leader": "Jeg savner hurtigere svar på mails om vagtplanen.",
    "went_well": "Vi fik talt om både opgaver og trivsel.",
    "learned": "At små ændringer i mødeformen gør en stor forskel.",
    "suggestions": "Et fast ugentligt sparringsmøde på tværs af teams.",
}
AREAS = ["Faglighed", "Trivsel", "Borgeren i centrum", ""]


def long_note(length: int = 5000) -> str:
    """Real-looking Danish prose of exactly ``length`` characters, with paragraph breaks."""
    sentence = "Jeg oplever, at arbejdet giver mening, når vi løser opgaverne sammen i teamet. "
    text = ""
    while len(text) < length:
        text += sentence + ("\n\n" if len(text) % 900 < len(sentence) else "")
    return text[:length]


def deck_cards(session: Session, purpose: DeckPurpose) -> list[Card]:
    deck = session.exec(select(Deck).where(Deck.purpose == purpose).order_by(col(Deck.id))).first()
    assert deck is not None
    return list(
        session.exec(select(Card).where(Card.deck_id == deck.id).order_by(col(Card.position)))
    )


def leader(session: Session, email: str = "leder@example.org", name: str = "Leder Åby") -> User:
    return accounts.create_user(session, email=email, name=name, role="leader", password=PASSWORD)


def full_conversation(
    session: Session,
    *,
    leader_id: int,
    employee: str = "Medarbejder Ærø-Øst",
    on: date = date(2026, 12, 1),
    language: str = "da",
    status_count: int = 3,
    board_per_row: int = 3,
    note: str = NOTE_DA,
    agreements: int = 3,
    finish: bool = True,
    tricky: bool = False,
    agreement_text: Callable[[int], str] | None = None,
    area: Callable[[int], str] | None = None,
) -> Conversation:
    conversation = service.create_conversation(
        session,
        leader_id=leader_id,
        employee_name=employee,
        on=on,
        language=language,
        status_deck_id=None,
        inspiration_deck_id=None,
    )
    cid = conversation.id or 0
    status_cards = deck_cards(session, DeckPurpose.status)
    inspiration = deck_cards(session, DeckPurpose.inspiration)
    for i, card in enumerate(status_cards[:status_count]):
        service.set_status_card(
            session, leader_id=leader_id, conversation_id=cid, card_id=card.id or 0, picked=True
        )
        pick = service.picks_of(session, conversation, ["status"])[-1]
        text = f"Status {i + 1}: {note}" + (f" {TRICKY}" if tricky and i == 0 else "")
        service.set_pick_note(
            session,
            leader_id=leader_id,
            conversation_id=cid,
            pick_id=pick.id or 0,
            note=text[: service.MAX_NOTE],
        )
    offset = 0
    for row in BoardRow:
        for i in range(board_per_row):
            card = inspiration[offset]
            offset += 1
            pick = service.place_card(
                session, leader_id=leader_id, conversation_id=cid, card_id=card.id or 0, row=row
            )
            service.set_pick_note(
                session,
                leader_id=leader_id,
                conversation_id=cid,
                pick_id=pick.id or 0,
                note=f"{row.value} {i + 1}: {note}"[: service.MAX_NOTE],
            )
        service.set_row_note(
            session, leader_id=leader_id, conversation_id=cid, row=row, note=ROW_NOTES[row]
        )
    for name, text in FEEDBACK.items():
        service.set_feedback(
            session, leader_id=leader_id, conversation_id=cid, field=name, text=text
        )
    picks = service.picks_of(session, conversation, ["status", *BoardRow])
    for i in range(agreements):
        text = f"Aftale {i + 1}: Medarbejderen får et kursus i værktøjet og deler det med teamet."
        if agreement_text is not None:
            text = agreement_text(i)
        if tricky and i == 0:
            text += " " + TRICKY
        service.add_agreement(
            session,
            leader_id=leader_id,
            conversation_id=cid,
            data=service.AgreementInput(
                text=text,
                owner=("employee", "leader", "both")[i % 3],
                due=on + timedelta(days=30 * (i % 6 + 1)) if i % 4 != 3 else None,
                strategic_area=area(i) if area is not None else AREAS[i % len(AREAS)],
                pick_ids=(picks[i % len(picks)].id or 0,) if i % 2 == 0 else (),
            ),
        )
    if not agreements:
        service.set_no_agreements(session, leader_id=leader_id, conversation_id=cid, value=True)
    if finish:
        service.finish_conversation(session, leader_id=leader_id, conversation_id=cid, now=NOW)
    session.refresh(conversation)
    return conversation
