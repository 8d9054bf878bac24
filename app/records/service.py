"""The conversation record (DESIGN §4, §7): one dict that every export format is made from."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from app.conversations import followup, marking, topics
from app.conversations import service as conversations
from app.i18n import TIMEZONE
from app.models import Agreement, AgreementReview, BoardRow, Conversation, Employee, Pick, User
from app.models.conversations import STATUS_ROW

SCHEMA = "arbejdsglaede.record/1"


def _moment(value: datetime | None) -> str | None:
    """ISO 8601 with its offset; SQLite hands back the stored UTC time without one."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _card(pick: Pick, lang: str) -> dict[str, Any]:
    return {
        "title": pick.title(lang),
        "alt": pick.alt(lang),
        "note": pick.note,
        "image_sha256": pick.image_sha256,
    }


def _history(review: AgreementReview) -> dict[str, Any]:
    return {
        # The day in Copenhagen the review was made.
        "date": _aware(review.at).astimezone(TIMEZONE).date().isoformat(),
        "status": review.status,
        "comment": review.comment,
        "new_due": review.new_due.isoformat() if review.new_due else None,
        "conversation_id": review.conversation_id,
    }


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _agreements(session: Session, agreements: list[Agreement], lang: str) -> list[dict[str, Any]]:
    cards = conversations.cards_of_agreements(session, agreements)
    history = conversations.history_of(session, agreements)
    return [
        {
            "id": agreement.id,
            "text": agreement.text,
            "owner": agreement.owner,
            "due": agreement.due.isoformat() if agreement.due else None,
            "strategic_area": agreement.strategic_area or None,
            "status": agreement.status,
            "follow_up_comment": agreement.follow_up_comment or None,
            "cards": [pick.title(lang) for pick in cards[agreement.id or 0]],
            "grew_from": agreement.grew_from_id,
            # Every review, oldest first (DESIGN §7); the status above is the latest.
            "history": [_history(r) for r in history[agreement.id or 0]],
        }
        for agreement in agreements
    ]


def _reviews(session: Session, conversation: Conversation, lang: str) -> list[dict[str, Any]]:
    """A follow-up's or check-in's agreements, each with what this session said of it (its
    last review here, or None when it was not reviewed)."""
    agreements = followup.agreements_to_review(session, conversation)
    reviewed = _agreements(session, agreements, lang)
    for item in reviewed:
        here = [h for h in item["history"] if h["conversation_id"] == conversation.id]
        item["review"] = here[-1] if here else None
    return reviewed


def build_record(session: Session, conversation: Conversation) -> dict[str, Any]:
    """Exactly what was said, in the conversation's language; dates as ISO 8601."""
    lang = conversation.language
    employee = session.get(Employee, conversation.employee_id)
    leader = session.get(User, conversation.leader_id)
    picks = [
        p
        for p in conversations.picks_of(session, conversation, [STATUS_ROW, *BoardRow])
        if not p.removed
    ]
    short = followup.is_short(conversation)
    parent = session.get(Conversation, conversation.parent_id) if conversation.parent_id else None
    record: dict[str, Any] = {
        "schema": SCHEMA,
        "conversation": {
            "id": conversation.id,
            "employee": {
                "name": employee.name if employee else "",
                "email": (employee.email or None) if employee else None,
                "team": (employee.team or None) if employee else None,
            },
            "leader": {
                "name": leader.name if leader else "",
                "email": leader.email if leader else None,
            },
            "date": conversation.date.isoformat(),
            # The meeting's start in Copenhagen with its offset, or None without a time of day.
            "starts_at": (
                datetime.combine(
                    conversation.date, conversation.starts_at, tzinfo=TIMEZONE
                ).isoformat()
                if conversation.starts_at
                else None
            ),
            "language": lang,
            # mus, or followup / checkin: a short session with its own short record.
            "kind": conversation.kind,
            "follows_up": (
                {"id": parent.id, "date": parent.date.isoformat()} if parent is not None else None
            ),
            "status": conversation.status,
            "completed_at": conversation.completed_at.isoformat()
            if conversation.completed_at
            else None,
            # Set when a finished conversation was reopened and finished again (DESIGN §1).
            "corrected_at": _moment(conversation.corrected_at),
            "follow_up_date": conversation.follow_up_date.isoformat()
            if conversation.follow_up_date
            else None,
        },
        "status_cards": [_card(p, lang) for p in picks if p.row == STATUS_ROW],
        "board": {row.value: [_card(p, lang) for p in picks if p.row == row] for row in BoardRow},
        "board_notes": {
            row.value: getattr(conversation, conversations.ROW_NOTE_FIELDS[row]) for row in BoardRow
        },
        # The strategic focus areas the pair talked about, as named when chosen (issue 15).
        "focus_areas": [a.name(lang) for a in marking.chosen_focus_areas(session, conversation)],
        "feedback": {
            **{name: getattr(conversation, name) for name in conversations.FEEDBACK_FIELDS},
            # The employee's choice: the suggestions may be shared anonymously with management.
            "suggestions_shareable": conversation.suggestions_shareable,
        },
        "agreements": _agreements(
            session, conversations.agreements_of(session, conversation), lang
        ),
        "no_agreements": conversation.no_agreements,
        # The agenda's topics (issue 15); the employee's private notes never, only what they
        # chose to bring in, which became topics.
        "topics": [
            {"text": t.text, "from": t.source, "discussed": t.discussed}
            for t in topics.topics_of(session, conversation.id or 0)
        ],
        "previous_agreements": (
            []
            if short
            else _agreements(
                session, conversations.previous_agreements(session, conversation), lang
            )
        ),
    }
    if short:
        record["reviews"] = _reviews(session, conversation, lang)
    return record
