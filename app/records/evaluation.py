"""The management evaluation (issue 16): one A4 PDF per period that answers "did MUS move us
towards our strategy" with the organisation overview's own figures. It is drawn from the page
the overview shows (app.overview.views), so the rule that no figure stands for fewer than five
employees, and every sentence saying why one is left out, hold here exactly as there."""

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from app.errors import N_
from app.i18n import TIMEZONE, translate
from app.overview.views import BAR_ROOM, OverviewPage
from app.records.pdf import compile_pdf

TEMPLATE = Path(__file__).resolve().parent / "templates" / "evaluation.typ"

WORDS = {
    "title": N_("Management evaluation"),
    "question": N_("Did MUS move us towards our strategy?"),
    "made": N_("Made on %(day)s"),
    "rule": N_(
        "Anonymous figures only: no figure is shown for fewer than 5 employees, and teams "
        "with fewer are counted together."
    ),
    "too_small": N_(
        "Your team has fewer than 5 employees, so no figures are shown: with so few, anyone "
        "could tell who said what. The HR department's overview includes your team among the "
        "other teams."
    ),
    "area": N_("Strategic area"),
    "agreements": N_("Agreements"),
    "done": N_("Done"),
    "partly": N_("Partly"),
    "not_done": N_("Not done"),
    "open": N_("Open"),
}


def evaluation_view(page: OverviewPage, *, lang: str, now: datetime) -> dict[str, Any]:
    """Plain data for the template: every word translated, every value a string or number."""
    t = {key: translate(lang, msgid) for key, msgid in WORDS.items()}
    t["made"] = translate(lang, WORDS["made"], day=now.astimezone(TIMEZONE).date().isoformat())
    return {
        "lang": lang,
        "t": t,
        "heading": f"{page.group_label} · {page.period_label}",
        "too_small": page.too_small,
        "notices": list(page.notices),
        "sections": [
            {
                "title": s.title,
                "empty": s.empty,
                "tiles": [
                    {"title": x.title, "value": x.value_text, "note": x.note} for x in s.tiles
                ],
                "charts": [
                    {
                        "title": c.title,
                        "note": c.note,
                        "bars": [
                            {"label": b.label, "value": b.value_text, "share": b.width / BAR_ROOM}
                            for b in c.bars
                        ],
                    }
                    for c in s.charts
                ],
                "areas": [[a.name, a.total, a.done, a.partly, a.not_done, a.open] for a in s.areas],
                "suggestions": list(s.suggestions),
            }
            for s in page.sections
        ],
    }


def render_evaluation(page: OverviewPage, *, lang: str, now: datetime) -> bytes:
    """Blocking (tens of milliseconds): call it from a worker thread, never the event loop."""
    data = json.dumps(evaluation_view(page, lang=lang, now=now), ensure_ascii=False)
    with tempfile.TemporaryDirectory(prefix="evaluation-") as root:
        return compile_pdf(TEMPLATE, data, root=root, now=now)
