"""The record made ready to print: the JSON record (``build_record``) with every date written out
and every fixed word translated. PDF, Word and Markdown are all drawn from this one view, so
they hold the same content."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlmodel import Session

from app.i18n import translate
from app.models import Conversation
from app.records.images import Thumbnail, record_image_shas, thumbnails
from app.records.labels import (
    WORDS,
    corrected_text,
    day_text,
    follow_up_text,
    labels,
    moment_text,
)
from app.records.service import build_record

Kind = Literal["record", "agreements"]
# Notes longer than this do not fit under a thumbnail a third of the page wide: the row then
# shows its cards side by side and the notes below them at full width.
SHORT_NOTE = 320


@dataclass
class RecordDocument:
    record: dict[str, Any]
    view: dict[str, Any]
    images: dict[str, Thumbnail] = field(default_factory=dict)

    @property
    def draft(self) -> bool:
        return bool(self.view["draft"])


def _cards(cards: list[dict[str, Any]], images: dict[str, Thumbnail]) -> list[dict[str, Any]]:
    out = []
    for card in cards:
        thumb = images.get(card.get("image_sha256") or "")
        out.append(
            {
                "title": card["title"],
                "alt": card["alt"],
                "note": card["note"],
                "image": thumb.filename if thumb else None,
            }
        )
    return out


def _agreements(items: list[dict[str, Any]], lang: str, t: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "n": str(number),
            "text": a["text"],
            "owner": t["owners"].get(a["owner"], a["owner"]),
            "due": day_text(lang, a["due"], "medium"),
            "area": a["strategic_area"] or "–",
            "cards": ", ".join(a.get("cards") or []),
            "status": t["agreement_status"].get(a["status"], a["status"]),
            "comment": a.get("follow_up_comment") or "",
            "new_due": day_text(lang, (a.get("review") or {}).get("new_due"), "medium"),
        }
        for number, a in enumerate(items, start=1)
    ]


def present(
    record: dict[str, Any],
    images: dict[str, Thumbnail],
    *,
    organisation: str,
    today: date,
) -> dict[str, Any]:
    c = record["conversation"]
    lang = c["language"]
    t = labels(lang, today=today)
    kind = c.get("kind") or "mus"
    short = kind != "mus"
    if short:
        # The same pipeline and template, the short session's title and its reviews.
        t["subtitle"] = t[f"subtitle_{kind}"]
        t["previous"] = t["reviewed"]
    rows = []
    for key, info in t["rows"].items():
        cards = _cards(record["board"][key], images)
        rows.append(
            {
                "key": key,
                "name": info["name"],
                "question": info["question"],
                "cards": cards,
                "note": record["board_notes"][key],
                "long": any(len(card["note"]) > SHORT_NOTE for card in cards),
            }
        )
    # The screen's order (the labels' order), not the JSON record's.
    feedback = [
        {"label": label, "text": record["feedback"][name]}
        for name, label in t["feedback_labels"].items()
        if record["feedback"][name].strip()
    ]
    return {
        "lang": lang,
        "t": t,
        "draft": c["status"] != "completed",
        "organisation": organisation,
        "employee": c["employee"]["name"],
        "team": c["employee"].get("team") or "",
        "leader": c["leader"]["name"],
        # With the time of day when the meeting had one (issue 15): "3. december 2026 kl. 13.30".
        "date": (
            moment_text(lang, datetime.fromisoformat(c["starts_at"]))
            if c.get("starts_at")
            else day_text(lang, c["date"])
        ),
        "corrected": corrected_text(lang, c.get("corrected_at")),
        "status": t["conversation_status"].get(c["status"], c["status"]),
        "follow_up": follow_up_text(lang, c["follow_up_date"]),
        "follow_up_date": day_text(lang, c["follow_up_date"]),
        "status_cards": _cards(record["status_cards"], images),
        "rows": rows,
        "feedback": feedback,
        # Older records have neither key (issue 15): no areas, and nothing was shared.
        "focus_areas": ", ".join(record.get("focus_areas") or []),
        "shareable": t["shareable_yes"]
        if record["feedback"].get("suggestions_shareable")
        else t["shareable_no"],
        "agreements": _agreements(record["agreements"], lang, t),
        "no_agreements": bool(record["no_agreements"]),
        "previous": _agreements(
            _reviewed(record) if short else record["previous_agreements"], lang, t
        ),
        "short": short,
        "follows_up": (
            translate(lang, WORDS["follows_up"], day=day_text(lang, c["follows_up"]["date"]))
            if c.get("follows_up")
            else ""
        ),
        # The topics the pair talked about (issue 15); older records have none.
        "topics": [
            {"text": topic["text"], "from": t["topic_sources"].get(topic["from"], "")}
            for topic in record.get("topics", [])
            if topic.get("discussed")
        ],
    }


def _reviewed(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The reviews this session made, as the earlier-agreements table shows them."""
    return [
        {
            **item,
            "status": item["review"]["status"],
            "follow_up_comment": item["review"]["comment"],
        }
        for item in record.get("reviews", [])
        if item.get("review")
    ]


def make_document(
    session: Session,
    conversation: Conversation,
    *,
    organisation: str,
    today: date,
    with_images: bool = True,
) -> RecordDocument:
    """Everything a document needs, read from the database in one go (the rendering itself
    then runs without a session, in a worker thread)."""
    record = build_record(session, conversation)
    images = thumbnails(session, record_image_shas(record)) if with_images else {}
    view = present(record, images, organisation=organisation, today=today)
    return RecordDocument(record=record, view=view, images=images)
