"""followup.ics (DESIGN §7): the follow-up meeting as a timed event in Europe/Copenhagen and
each agreement deadline as an all-day event. UIDs are made from ids only, so importing the
file again updates the events instead of adding copies."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from icalendar import Calendar, Event

from app.errors import N_
from app.i18n import TIMEZONE, translate

# The record has a follow-up date, not a time: the meeting goes in the morning and the two
# move it in their calendars as they like (the UID keeps it one event).
FOLLOW_UP_START = time(9, 0)
FOLLOW_UP_LENGTH = timedelta(minutes=30)
UID_DOMAIN = "arbejdsglaede"

FOLLOW_UP_SUMMARY = N_("Follow-up of the employee development conversation: %(name)s")
FOLLOW_UP_DESCRIPTION = N_(
    "A short follow-up of the agreements from the conversation on %(day)s with %(name)s."
)
DEADLINE_SUMMARY = N_("Deadline for an agreement: %(text)s")


def _short(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def render_ics(record: dict[str, Any], view: dict[str, Any], *, now: datetime) -> bytes:
    c = record["conversation"]
    lang = c["language"]
    t = view["t"]
    name = c["employee"]["name"]
    calendar = Calendar()
    calendar.add("prodid", "-//Arbejdsglaede//Records//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-timezone", str(TIMEZONE))
    stamp = now.astimezone(TIMEZONE)

    if c["follow_up_date"]:
        day = date.fromisoformat(c["follow_up_date"])
        start = datetime.combine(day, FOLLOW_UP_START, tzinfo=TIMEZONE)
        event = Event()
        event.add("uid", f"conversation-{c['id']}-follow-up@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + FOLLOW_UP_LENGTH)
        event.add("summary", translate(lang, FOLLOW_UP_SUMMARY, name=name))
        lines = [translate(lang, FOLLOW_UP_DESCRIPTION, day=view["date"], name=name), ""]
        lines += [f"{a['n']}. {a['text']} ({a['owner']}, {a['due']})" for a in view["agreements"]]
        event.add("description", "\n".join(lines).strip())
        calendar.add_component(event)

    for agreement, shown in zip(record["agreements"], view["agreements"], strict=True):
        if not agreement["due"]:
            continue
        due = date.fromisoformat(agreement["due"])
        event = Event()
        event.add("uid", f"agreement-{agreement['id']}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        # All-day: DTSTART as a DATE and DTEND the day after (RFC 5545 §3.6.1). A deadline
        # stored before dates were checked may be the calendar's last day, which has no day
        # after: without DTEND an all-day event lasts one day all the same.
        event.add("dtstart", due)
        if due < date.max:
            event.add("dtend", due + timedelta(days=1))
        event.add("summary", translate(lang, DEADLINE_SUMMARY, text=_short(agreement["text"])))
        facts = f"{t['responsible']}: {shown['owner']}"
        if agreement["strategic_area"]:
            facts += f" · {t['strategic_area']}: {agreement['strategic_area']}"
        event.add("description", f"{agreement['text']}\n\n{facts}\n{name}")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)

    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical
