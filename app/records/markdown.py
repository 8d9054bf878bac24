"""The record as Markdown, for people who want to edit it (DESIGN §4). Same view as the PDF."""

from __future__ import annotations

import re

from app.records.document import RecordDocument

# Everything a user wrote is escaped, so that `*`, `#`, `1. juni` or `<b>` stay text.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&])")
_BULLET = re.compile(r"^(\s*)([-+])(\s|$)")
_NUMBERED = re.compile(r"^(\s*\d+)([.)])(\s|$)")
_RULE = re.compile(r"^(\s*)([-=])(?=[-=\s]*$)")  # "---" or "===" would make a heading


def _line(text: str) -> str:
    text = _SPECIAL.sub(r"\\\1", text.rstrip())
    text = _BULLET.sub(r"\1\\\2\3", text)
    text = _RULE.sub(r"\1\\\2", text)
    return _NUMBERED.sub(r"\1\\\2\3", text)


def escape(text: str) -> str:
    """Markdown-escaped text with its line breaks kept (hard breaks, blank lines stay)."""
    lines = [_line(line) for line in text.strip().split("\n")]
    out = []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        # Two spaces make a line break inside a paragraph; an empty line ends the paragraph.
        out.append(line + ("  " if line and following else ""))
    return "\n".join(out)


def render_markdown(document: RecordDocument) -> str:
    v = document.view
    t = v["t"]
    out: list[str] = []
    add = out.append
    add(f"# {t['title']}: {escape(v['employee'])}")
    add("")
    if v["draft"]:
        add(f"> **{t['draft']}**: {t['draft_note']}")
        add("")
    if v["organisation"]:
        add(f"- **{t['organisation']}:** {escape(v['organisation'])}")
    add(f"- **{t['employee']}:** {escape(v['employee'])}")
    if v["team"]:
        add(f"- **{t['team']}:** {escape(v['team'])}")
    add(f"- **{t['leader']}:** {escape(v['leader'])}")
    corrected = f" · {v['corrected']}" if v["corrected"] else ""
    add(f"- **{t['date']}:** {v['date']}{corrected}")
    add(f"- **{t['status']}:** {v['status']}")
    add(f"- **{t['follow_up']}:** {v['follow_up_date']}")
    if v["focus_areas"]:
        add(f"- **{t['focus_areas']}:** {escape(v['focus_areas'])}")
    add("")
    add(f"*{t['record_intro']}*")
    add("")

    add(f"## {t['status_cards']}")
    add("")
    if not v["status_cards"]:
        add(t["no_cards"])
        add("")
    for card in v["status_cards"]:
        add(f"### {escape(card['title'])}")
        add("")
        add(escape(card["note"]) if card["note"] else f"*{t['nothing']}*")
        add("")

    # A follow-up or check-in has no board and no feedback of its own.
    if not v.get("short"):
        add(f"## {t['board']}")
        add("")
        for row in v["rows"]:
            add(f"### {row['name']}: {row['question']}")
            add("")
            if not row["cards"]:
                add(t["no_cards"])
                add("")
            for card in row["cards"]:
                add(f"**{escape(card['title'])}**  ")
                add(escape(card["note"]) if card["note"] else f"*{t['nothing']}*")
                add("")
            if row["note"]:
                add(f"*{t['row_note']}:* {escape(row['note'])}")
                add("")

        add(f"## {t['feedback']}")
        add("")
        if not v["feedback"]:
            add(f"*{t['nothing']}*")
            add("")
        for item in v["feedback"]:
            add(f"### {item['label']}")
            add("")
            add(escape(item["text"]))
            add("")
        add(f"*{v['shareable']}*")
        add("")

    if v["topics"]:
        add(f"## {t['topics']}")
        add("")
        for topic in v["topics"]:
            add(f"- {escape(topic['text'])} ({topic['from']})")
        add("")

    if v["previous"]:
        add(f"## {t['previous']}")
        add("")
        for a in v["previous"]:
            add(f"{a['n']}. {escape(a['text'])}  ")
            comment = f": {escape(a['comment'])}" if a["comment"] else ""
            add(f"   *{t['status']}:* {a['status']}{comment}")
        add("")

    add(f"## {t['agreements']}")
    add("")
    if not v["agreements"]:
        add(t["no_agreements"] if v["no_agreements"] else t["none_yet"])
        add("")
    for a in v["agreements"]:
        add(f"{a['n']}. {escape(a['text'])}  ")
        facts = [
            f"*{t['responsible']}:* {a['owner']}",
            f"*{t['deadline']}:* {a['due']}",
            f"*{t['strategic_area']}:* {escape(a['area'])}",
        ]
        if a["cards"]:
            facts.append(f"*{t['from_cards']}:* {escape(a['cards'])}")
        add("   " + " · ".join(facts))
    if v["agreements"]:
        add("")

    add(f"## {t['follow_up']}")
    add("")
    add(v["follow_up"])
    add("")
    add(f"## {t['signatures']}")
    add("")
    for role, name in ((t["employee"], v["employee"]), (t["leader"], v["leader"])):
        add(f"{t['signature_date']}, {role} ({escape(name)}): ______________________________")
        add("")
    add("---")
    add("")
    add(f"*{t['confidential']}. {t['generated']}.*")
    return "\n".join(out) + "\n"
