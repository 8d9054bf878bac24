"""The fixed words of a record, in the conversation's language: one table for every format."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.dates import format_time

from app.conversations.steps import ROWS
from app.errors import N_
from app.i18n import TIMEZONE, babel_locale, format_day, translate

# In the order of the Feedback step on screen (templates/conversations/feedback.html, held by
# a test): the pair reads the record in the order they filled it in.
FEEDBACK_LABELS = {
    "went_well": N_("What went well?"),
    "learned": N_("What did we learn?"),
    "to_employee": N_("The leader's feedback to the employee"),
    "to_leader": N_("The employee's feedback to the leader"),
    "suggestions": N_("Suggestions for the organisation and management"),
}
OWNER_LABELS = {
    "employee": N_("Employee"),
    "leader": N_("Leader"),
    "both": N_("Both"),
}
AGREEMENT_STATUS_LABELS = {
    "open": N_("Open"),
    "done": N_("Done"),
    "partly": N_("Partly done"),
    "not_done": N_("Not done"),
}
CONVERSATION_STATUS_LABELS = {
    "planned": N_("Planned"),
    "running": N_("In progress"),
    "completed": N_("Finished"),
    "cancelled": N_("Cancelled"),
}
WORDS = {
    "title": N_("Employee development conversation"),
    "subtitle": N_("Record of the conversation (MUS)"),
    "sheet_title": N_("Agreements from the employee development conversation"),
    "sheet_intro": N_(
        "This sheet holds only the agreements, their deadlines and the signatures. It is the "
        "document for the personnel file; what was said in the conversation stays between "
        "the employee and the leader."
    ),
    "record_intro": N_(
        "The full record of the conversation. It is kept between the employee and the leader "
        "and does not go in the personnel file; for that there is the agreements sheet."
    ),
    "employee": N_("Employee"),
    "leader": N_("Leader"),
    "date": N_("Date"),
    "team": N_("Team"),
    "organisation": N_("Organisation"),
    "status": N_("Status"),
    "status_cards": N_("Status: how work is going"),
    "board": N_("Job satisfaction"),
    "row_note": N_("Note for the row"),
    "feedback": N_("Feedback"),
    "agreements": N_("Agreements"),
    "previous": N_("Earlier agreements, followed up"),
    "reviewed": N_("Agreements reviewed"),
    "subtitle_followup": N_("Record of the follow-up"),
    "subtitle_checkin": N_("Record of the check-in"),
    "follows_up": N_("Follows up the conversation of %(day)s"),
    "topics": N_("Topics talked about"),
    "what": N_("What"),
    "responsible": N_("Responsible"),
    "deadline": N_("Deadline"),
    "strategic_area": N_("Strategic focus area"),
    "from_cards": N_("From the cards"),
    "comment": N_("Comment"),
    "no_cards": N_("No cards chosen."),
    "no_agreements": N_("No agreements this time."),
    "none_yet": N_("No agreements yet."),
    "nothing": N_("Nothing written."),
    "follow_up": N_("Follow-up"),
    "follow_up_text": N_("A short follow-up of the agreements is planned for %(day)s."),
    "follow_up_none": N_("No follow-up date has been set."),
    "signatures": N_("Signatures"),
    "focus_areas": N_("Focus areas talked about"),
    "shareable_yes": N_("The employee's suggestions may be shared anonymously with management."),
    "shareable_no": N_("The employee's suggestions are not shared with management."),
    "signature_date": N_("Date and signature"),
    "confidential": N_("Confidential: between the employee and the leader"),
    "for_file": N_("For the personnel file"),
    "page": N_("Page"),
    "of": N_("of"),
    "draft": N_("DRAFT"),
    "draft_note": N_("Draft: the conversation is not finished yet."),
    "generated": N_("Made with Arbejdsglæde on %(day)s"),
    "corrected": N_("Corrected on %(day)s"),
}


# Who put a topic on the agenda (issue 15), as the record writes it after the topic.
TOPIC_SOURCE_LABELS = {
    "employee": N_("from the employee"),
    "leader": N_("from the leader"),
}


def labels(lang: str, *, today: date) -> dict[str, Any]:
    """Every fixed word a record needs, translated; dates already written out."""
    t: dict[str, Any] = {
        key: translate(lang, msgid) for key, msgid in WORDS.items() if "%(" not in msgid
    }
    t["generated"] = translate(lang, WORDS["generated"], day=format_day(today, lang))
    t["feedback_labels"] = {k: translate(lang, v) for k, v in FEEDBACK_LABELS.items()}
    t["owners"] = {k: translate(lang, v) for k, v in OWNER_LABELS.items()}
    t["topic_sources"] = {k: translate(lang, v) for k, v in TOPIC_SOURCE_LABELS.items()}
    t["agreement_status"] = {k: translate(lang, v) for k, v in AGREEMENT_STATUS_LABELS.items()}
    t["conversation_status"] = {
        k: translate(lang, v) for k, v in CONVERSATION_STATUS_LABELS.items()
    }
    t["rows"] = {
        info.row.value: {
            "name": translate(lang, info.name),
            "question": translate(lang, info.question),
        }
        for info in ROWS
    }
    return t


def follow_up_text(lang: str, day: str | None) -> str:
    if not day:
        return translate(lang, WORDS["follow_up_none"])
    return translate(lang, WORDS["follow_up_text"], day=format_day(date.fromisoformat(day), lang))


def corrected_text(lang: str, moment: str | None) -> str:
    """``Rettet den 3. december 2026`` when the record was corrected after it was finished."""
    if not moment:
        return ""
    return translate(lang, WORDS["corrected"], day=format_day(datetime.fromisoformat(moment), lang))


def moment_text(lang: str, moment: datetime) -> str:
    """``8. december 2026 kl. 10.00`` / ``8 December 2026 at 10:00``: never 08/12/2026, never
    seconds; in Copenhagen time."""
    time = format_time(moment, "short", tzinfo=TIMEZONE, locale=babel_locale(lang))
    return translate(lang, N_("%(day)s at %(time)s"), day=format_day(moment, lang), time=time)


def day_text(lang: str, day: str | None, fmt: str = "long") -> str:
    """An ISO date from the record, written out in the language; a dash when there is none."""
    return format_day(date.fromisoformat(day), lang, fmt) if day else "–"
