"""What the overview page shows: its charts as bars drawn on the server (inline SVG), each
with its numbers in a table for screen readers, and a sentence wherever a figure is withheld."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from app.errors import N_
from app.i18n import translate
from app.models import AgreementStatus
from app.models.conversations import ROWS
from app.overview.anonymity import ALL, K
from app.overview.service import (
    OTHER,
    Figure,
    Overview,
    Period,
    period_choices,
    selected_group,
)

# The SVG's own coordinates: it scales to the column, so a label stays readable on a phone.
WIDTH = 400
ROW_HEIGHT = 48
BAR_ROOM = WIDTH - 150  # the longest bar; its value is written after it


LABEL_CHARS = 40

WITHHELD = N_(
    "Left out so that no one can be recognised: too few employees are behind this figure "
    "for the period and team you chose."
)


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str  # the label as drawn in the SVG; the table has the whole label
    value_text: str
    y: int
    width: float  # in the SVG's coordinates


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    column: str  # the table's heading over the values
    bars: list[Bar]
    height: int
    note: str = ""  # "based on N employees"


@dataclass(frozen=True)
class Tile:
    title: str
    value_text: str
    note: str


@dataclass(frozen=True)
class AreaRow:
    name: str
    total: int
    done: int
    partly: int
    not_done: int
    open: int


@dataclass(frozen=True)
class Section:
    """One part of the page: what it shows, or the sentence why it shows nothing."""

    title: str
    charts: list[Chart]
    tiles: list[Tile]
    areas: list[AreaRow]
    suggestions: list[str]
    empty: str  # the sentence shown instead of figures, empty when there are figures


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class OverviewPage:
    is_leader_view: bool
    too_small: bool  # a leader's team of fewer than five: no figures at all
    period: Period
    period_label: str
    group_label: str
    team: str
    periods: list[Choice]
    teams: list[Choice]
    notices: list[str]
    sections: list[Section]
    csv_query: str


def period_label(period: Period, lang: str) -> str:
    if period.half == 1:
        return translate(lang, N_("%(year)d, first half"), year=period.year)
    if period.half == 2:
        return translate(lang, N_("%(year)d, second half"), year=period.year)
    return str(period.year)


def group_label(group: str, lang: str, *, leader_view: bool) -> str:
    if group == ALL:
        return translate(lang, N_("Your team") if leader_view else N_("All teams"))
    if group == OTHER:
        return translate(lang, N_("Other teams"))
    return group


def _chart(
    chart_id: str, title: str, column: str, items: list[tuple[str, int, str]], note: str = ""
) -> Chart:
    """Horizontal bars, the longest filling the width, each with its label above it and its
    value after it: readable in grey and on paper, since no colour carries a meaning."""
    most = max((value for _label, value, _text in items), default=0) or 1
    bars = [
        Bar(
            label=label,
            short_label=label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…",
            value_text=text,
            y=i * ROW_HEIGHT,
            width=round(BAR_ROOM * value / most, 1),
        )
        for i, (label, value, text) in enumerate(items)
    ]
    return Chart(chart_id, title, column, bars, max(1, len(bars)) * ROW_HEIGHT, note)


def _based_on(figures: list[Figure], lang: str) -> str:
    if not figures:
        return ""
    return translate(lang, N_("Based on %(n)d employees."), n=figures[0].group_size)


def build(
    overview: Overview, *, team: str, today: date, lang: str, leader_view: bool
) -> OverviewPage:
    period = overview.period
    groups = overview.groups
    group = ALL if leader_view else selected_group(groups, team)
    notices: list[str] = []
    if not leader_view and groups.small_teams:
        notices.append(
            translate(
                lang, N_("Teams with fewer than 5 employees are shown together as Other teams.")
            )
        )
    if group is None:
        notices.append(translate(lang, N_("Nobody is in the team “%(team)s”."), team=team))
    elif group == ALL and team.strip() and not leader_view:
        notices.append(
            translate(
                lang,
                N_("Every team has fewer than 5 employees, so all teams are shown together."),
            )
        )
    elif group == OTHER and team.strip() != OTHER:
        notices.append(
            translate(
                lang,
                N_("The team “%(team)s” is shown together with other small teams as Other teams."),
                team=team,
            )
        )
    choices = period_choices(today)
    if period not in choices:
        choices.insert(0, period)
    periods = [Choice(p.code, period_label(p, lang), p == period) for p in choices]
    teams = [Choice("", translate(lang, N_("All teams")), group == ALL)]
    teams += [Choice(g, g, g == group) for g in sorted(groups.members) if g not in (ALL, OTHER)]
    if OTHER in groups.members:
        teams.append(Choice(OTHER, translate(lang, N_("Other teams")), group == OTHER))
    too_small = leader_view and overview.headcount < K
    sections = [] if group is None or too_small else _sections(overview, group, lang, leader_view)
    filters = {"period": period.code}
    if team and not leader_view:
        filters["team"] = team
    query = urlencode(filters)
    return OverviewPage(
        is_leader_view=leader_view,
        too_small=too_small,
        period=period,
        period_label=period_label(period, lang),
        group_label=group_label(group or ALL, lang, leader_view=leader_view),
        team=team,
        periods=periods,
        teams=teams,
        notices=notices,
        sections=sections,
        csv_query=query,
    )


def _empty(overview: Overview, kind: str, group: str, lang: str, nothing: str) -> str:
    if (kind, group) in overview.withheld:
        return translate(lang, WITHHELD)
    return translate(lang, nothing)


def _sections(overview: Overview, group: str, lang: str, leader_view: bool) -> list[Section]:
    sections: list[Section] = []
    of = overview.of

    # MUS held and current plans.
    tiles = []
    mus, plan = overview.one(group, "mus_share"), overview.one(group, "plan_share")
    if mus and plan:
        note = translate(lang, N_("Based on %(n)d employees."), n=mus.group_size)
        tiles = [
            Tile(translate(lang, N_("Had a MUS in the period")), f"{mus.value} %", note),
            Tile(translate(lang, N_("Have a current development plan")), f"{plan.value} %", note),
        ]
    charts = []
    if group == ALL and not leader_view:
        per_team = [
            g for g in sorted(overview.groups.members, key=lambda g: (g == OTHER, g)) if g != ALL
        ]
        for measure, title, chart_id in (
            ("mus_share", N_("Had a MUS in the period, per team"), "chart-mus"),
            ("plan_share", N_("Have a current development plan, per team"), "chart-plan"),
        ):
            items = []
            for g in per_team:
                found = overview.one(g, measure)
                if found is not None:
                    label = group_label(g, lang, leader_view=False)
                    items.append((label, int(found.value), f"{found.value} %"))
            if len(items) > 1:
                charts.append(
                    _chart(chart_id, translate(lang, title), translate(lang, N_("Share")), items)
                )
    sections.append(
        Section(
            translate(lang, N_("MUS held and development plans")),
            charts,
            tiles,
            [],
            [],
            "" if tiles else _empty(overview, "head", group, lang, N_("No employees yet.")),
        )
    )

    # Agreements per strategic focus area and how they went.
    totals = of(group, "agreements")
    areas = [
        AreaRow(
            name=f.key or translate(lang, N_("No focus area")),
            total=int(f.value),
            **{
                status.value: _count(of(group, f"agreements_{status.value}"), f.key)
                for status in AgreementStatus
            },
        )
        for f in sorted(totals, key=lambda f: (-int(f.value), f.key))
    ]
    area_chart = _chart(
        "chart-areas",
        translate(lang, N_("Agreements per strategic focus area")),
        translate(lang, N_("Agreements")),
        [
            (
                a.name,
                a.total,
                translate(lang, N_("%(n)d (%(done)d done)"), n=a.total, done=a.done),
            )
            for a in areas
        ],
        _based_on(totals, lang),
    )
    sections.append(
        Section(
            translate(lang, N_("Agreements per strategic focus area")),
            [area_chart] if areas else [],
            [],
            areas,
            [],
            ""
            if areas
            else _empty(
                overview, "had", group, lang, N_("No agreements were made in this period.")
            ),
        )
    )

    # Follow-ups held on time.
    on_time, due = overview.one(group, "followups_on_time"), overview.one(group, "followups_due")
    follow_tiles = []
    if on_time and due:
        follow_tiles.append(
            Tile(
                translate(lang, N_("Agreements followed up by their deadline")),
                f"{on_time.value} %",
                translate(
                    lang,
                    N_("Of %(due)d agreements due in the period. Based on %(n)d employees."),
                    due=int(due.value),
                    n=due.group_size,
                ),
            )
        )
    sections.append(
        Section(
            translate(lang, N_("Follow-up on time")),
            [],
            follow_tiles,
            [],
            [],
            ""
            if follow_tiles
            else _empty(overview, "due", group, lang, N_("No agreements were due in this period.")),
        )
    )

    # The most chosen cards.
    card_charts = []
    kinds = [("status_card", translate(lang, N_("Most chosen status cards")), "chart-status")]
    kinds += [
        (
            f"card_{row.row.value}",
            f"{translate(lang, row.name)}: {translate(lang, row.question)}",
            f"chart-{row.row.value.replace('_', '-')}",
        )
        for row in ROWS
    ]
    for measure, title, chart_id in kinds:
        picked = of(group, measure)
        if picked:
            card_charts.append(
                _chart(
                    chart_id,
                    title,
                    translate(lang, N_("Times chosen")),
                    [(f.key, int(f.value), str(f.value)) for f in picked],
                    _based_on(picked, lang),
                )
            )
    sections.append(
        Section(
            translate(lang, N_("Most chosen cards")),
            card_charts,
            [],
            [],
            [],
            ""
            if card_charts
            else _empty(
                overview, "had", group, lang, N_("No conversations were finished in this period.")
            ),
        )
    )

    # Suggestions the employees chose to share.
    shared = [str(f.value) for f in of(group, "suggestion")]
    sections.append(
        Section(
            translate(lang, N_("Suggestions the employees chose to share")),
            [],
            [],
            [],
            shared,
            ""
            if shared
            else _empty(
                overview, "shared", group, lang, N_("No suggestions were shared in this period.")
            ),
        )
    )
    return sections


def _count(figures: list[Figure], key: str) -> int:
    return next((int(f.value) for f in figures if f.key == key), 0)
