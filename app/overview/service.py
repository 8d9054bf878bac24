"""The organisation overview's aggregates (DESIGN §1, §2, issue 16), never a figure for a
group of fewer than five employees (app.overview.anonymity decides which).

Who is in a team: an employee's current ``Employee.team`` (a team renamed or an employee moved
mid-period counts where they are now). Teams with fewer than five employees, and employees
without a team, are one group, "Other teams". A leader's view is their own employees as one
team, whatever their team fields say: a leader sees figures only about the people they lead.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from app.db import writes
from app.errors import N_, DomainError
from app.i18n import TIMEZONE
from app.models import (
    Agreement,
    AgreementReview,
    AgreementStatus,
    AuditEvent,
    BoardRow,
    Conversation,
    ConversationKind,
    ConversationStatus,
    Employee,
    Pick,
)
from app.models.conversations import STATUS_ROW
from app.models.settings import FocusArea
from app.overview.anonymity import ALL, Cell, K, decide

OTHER = "~other"  # the group (and the team filter's value) of the small teams together
TOP_CARDS = 5
FIRST_YEAR, LAST_YEAR = 2000, 2100
# The development plan is current when an agreement is open or was made this recently.
PLAN_MONTHS_DAYS = 365

# The CSV's measures. Shares (``*_share``, ``followups_on_time``) are whole percent; the
# rest are counts, keyed by focus area (``agreements*``) or card title (``*_card``, ``card_*``);
# a shared suggestion's text is its value.
MEASURES = (
    "mus_share",
    "plan_share",
    "agreements",
    "agreements_done",
    "agreements_partly",
    "agreements_not_done",
    "agreements_open",
    "followups_on_time",
    "followups_due",
    "status_card",
    "card_glad",
    "card_less_glad",
    "card_more_glad",
    "suggestion",
)


# ------------------------------------------------------------------------------------ periods


@dataclass(frozen=True)
class Period:
    year: int
    half: int | None = None  # 1, 2 or None for the whole year

    @property
    def code(self) -> str:
        return f"{self.year}-H{self.half}" if self.half else str(self.year)

    @property
    def start(self) -> date:
        return date(self.year, 7 if self.half == 2 else 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    def family(self) -> tuple[Period, Period, Period]:
        """The year and its halves: decided together, so none can be subtracted from another."""
        return (Period(self.year), Period(self.year, 1), Period(self.year, 2))


_PERIOD = re.compile(r"^(\d{4})(?:-H([12]))?$")


def parse_period(text: str, *, today: date) -> Period:
    """``2026``, ``2026-H1`` or ``2026-H2``; empty is the current year."""
    text = text.strip().upper()
    if not text:
        return Period(today.year)
    found = _PERIOD.match(text)
    if found is None or not FIRST_YEAR <= int(found.group(1)) <= LAST_YEAR:
        raise DomainError(N_("Choose a year, or a half-year such as 2026-H1."))
    return Period(int(found.group(1)), int(found.group(2)) if found.group(2) else None)


def period_choices(today: date) -> list[Period]:
    """The filter's choices: this year and the four before it, each with its halves."""
    return [p for year in range(today.year, today.year - 5, -1) for p in Period(year).family()]


# -------------------------------------------------------------------------------------- scope


@dataclass(frozen=True)
class Scope:
    """Whose employees: the whole organisation (``leader_id`` None) or one leader's."""

    leader_id: int | None = None

    def where(self) -> ColumnElement[bool]:
        if self.leader_id is None:
            return col(Employee.id).is_not(None)
        return col(Employee.leader_id) == self.leader_id


@dataclass(frozen=True)
class Groups:
    """Who is in which group. ``of_team`` maps a team's text to its group key."""

    members: dict[str, frozenset[int]]  # group key -> employee ids; ALL is the whole scope
    of_team: dict[str, str]
    small_teams: bool  # some teams are merged into Other teams (or left out)

    def group_of(self, team: str) -> str | None:
        return self.of_team.get(team)


def make_groups(employees: Mapping[int, str], *, split: bool) -> Groups:
    """Teams of at least K employees are their own group, the rest "Other teams". When
    Other teams has 1..K-1 employees, the smallest team joins it, so that the whole minus the
    shown teams never isolates fewer than K."""
    everyone = frozenset(employees)
    if not split:
        return Groups({ALL: everyone}, dict.fromkeys(set(employees.values()), ALL), False)
    by_team: dict[str, set[int]] = defaultdict(set)
    for employee_id, team in employees.items():
        by_team[team].add(employee_id)
    own = {t: ids for t, ids in by_team.items() if t and len(ids) >= K}
    other = {t for t in by_team if t not in own}
    while own and 0 < sum(len(by_team[t]) for t in other) < K:
        smallest = min(own, key=lambda t: (len(own[t]), t))
        other.add(smallest)
        del own[smallest]
    members: dict[str, frozenset[int]] = {ALL: everyone}
    of_team: dict[str, str] = {}
    for team, ids in own.items():
        members[team] = frozenset(ids)
        of_team[team] = team
    if own:
        others = frozenset(i for t in other for i in by_team[t])
        if others:
            members[OTHER] = others
        of_team.update(dict.fromkeys(other, OTHER))
    else:
        # One group only: the breakdown would repeat the whole.
        of_team.update(dict.fromkeys(other, ALL))
    return Groups(members, of_team, small_teams=bool(own) and bool(other))


# ---------------------------------------------------------------------------------- the rows


def area_of_agreement() -> Any:
    """The one place that says which focus area an agreement supports: the focus area from the
    settings by its Danish name, which a later rename follows, or for an agreement made before
    there were focus areas the text its leader typed. Used with ``_with_focus_area``."""
    return func.coalesce(col(FocusArea.name_da), col(Agreement.strategic_area))


def _with_focus_area(query: Any) -> Any:
    return query.join(FocusArea, col(FocusArea.id) == col(Agreement.focus_area_id), isouter=True)


def _employees(session: Session, scope: Scope) -> dict[int, str]:
    rows = session.exec(select(col(Employee.id), col(Employee.team)).where(scope.where()))
    return {int(i): (team or "").strip() for i, team in rows if i is not None}


def _conversations(session: Session, scope: Scope, period: Period) -> list[tuple[int, date]]:
    query = (
        select(col(Conversation.employee_id), col(Conversation.date))
        .join(Employee, col(Employee.id) == col(Conversation.employee_id))
        .where(scope.where(), *_completed_in(period))
    )
    return [(int(e), d) for e, d in session.exec(query)]


def _completed_in(period: Period) -> list[ColumnElement[bool]]:
    return [
        col(Conversation.status) == ConversationStatus.completed,
        # A MUS held: a follow-up or check-in is none, and its status card is no MUS's pick.
        col(Conversation.kind) == ConversationKind.mus,
        col(Conversation.date) >= period.start,
        col(Conversation.date) <= period.end,
    ]


def _agreements(session: Session, scope: Scope, period: Period) -> list[tuple[int, date, str, str]]:
    """Each agreement made in a conversation of the period: employee, date, area, status."""
    query = _with_focus_area(
        select(
            col(Conversation.employee_id),
            col(Conversation.date),
            area_of_agreement(),
            col(Agreement.status),
        )
        .join(Conversation, col(Conversation.id) == col(Agreement.conversation_id))
        .join(Employee, col(Employee.id) == col(Conversation.employee_id))
    ).where(scope.where(), col(Agreement.deleted_at).is_(None), *_completed_in(period))
    return [(int(e), d, (area or "").strip(), status) for e, d, area, status in session.exec(query)]


def _plans(session: Session, scope: Scope, period: Period) -> list[tuple[int, date, str]]:
    """The agreements that can make a plan current at some point of the year."""
    since = period.start - timedelta(days=PLAN_MONTHS_DAYS + 1)
    query = (
        select(col(Conversation.employee_id), col(Conversation.date), col(Agreement.status))
        .join(Conversation, col(Conversation.id) == col(Agreement.conversation_id))
        .join(Employee, col(Employee.id) == col(Conversation.employee_id))
        .where(
            scope.where(),
            col(Agreement.deleted_at).is_(None),
            col(Conversation.status) == ConversationStatus.completed,
            col(Conversation.date) <= period.end,
            or_(col(Agreement.status) == AgreementStatus.open, col(Conversation.date) > since),
        )
    )
    return [(int(e), d, status) for e, d, status in session.exec(query)]


def followups_due(session: Session, scope: Scope, period: Period) -> list[tuple[int, date, bool]]:
    """The one place that says whether a follow-up was held on time: each agreement due in the
    period, and whether its history has a review on or before its deadline, or by the
    follow-up date its conversation set when that is later. Any review counts: at the next
    MUS, a follow-up or a check-in; a later one does not make an overdue one on time."""
    query = (
        select(
            col(Agreement.id),
            col(Conversation.employee_id),
            col(Agreement.due),
            col(Conversation.follow_up_date),
        )
        .join(Conversation, col(Conversation.id) == col(Agreement.conversation_id))
        .join(Employee, col(Employee.id) == col(Conversation.employee_id))
        .where(
            scope.where(),
            col(Agreement.deleted_at).is_(None),
            col(Conversation.status) == ConversationStatus.completed,
            col(Agreement.due) >= period.start,
            col(Agreement.due) <= period.end,
        )
    )
    rows = [(a or 0, int(e), due, follow) for a, e, due, follow in session.exec(query) if due]
    first = (
        select(col(AgreementReview.agreement_id), func.min(col(AgreementReview.at)))
        .join(Agreement, col(Agreement.id) == col(AgreementReview.agreement_id))
        .join(Conversation, col(Conversation.id) == col(Agreement.conversation_id))
        .join(Employee, col(Employee.id) == col(Conversation.employee_id))
        .where(
            scope.where(),
            col(Agreement.due) >= period.start,
            col(Agreement.due) <= period.end,
        )
        .group_by(col(AgreementReview.agreement_id))
    )
    reviewed = {int(a): _local_day(at) for a, at in session.exec(first)}
    return [
        (e, due, a in reviewed and reviewed[a] <= max(due, follow or due))
        for a, e, due, follow in rows
    ]


def _local_day(moment: datetime) -> date:
    """The day in Copenhagen of a stored UTC moment (SQLite hands it back without its zone)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(TIMEZONE).date()


def shared_suggestions(
    session: Session, scope: Scope, period: Period
) -> list[tuple[int, date, str]]:
    """The suggestions employees said may be shared: employee, date, text. The employee's
    consent is ``conversations.suggestions_shareable``, off until they tick it."""
    query = (
        select(col(Conversation.employee_id), col(Conversation.date), col(Conversation.suggestions))
        .join(Employee, col(Employee.id) == col(Conversation.employee_id))
        .where(
            scope.where(),
            *_completed_in(period),
            col(Conversation.suggestions_shareable).is_(True),
        )
    )
    return [(int(e), d, text.strip()) for e, d, text in session.exec(query) if text.strip()]


def _card_counts(
    session: Session, scope: Scope, period: Period
) -> list[tuple[str, int, str, str, str, int]]:
    """Picks counted in SQL by team, half, row and title (snapshot titles): team, half, row,
    title_da, title_en, count. Counting 100,000 picks one by one in Python is too slow."""
    half = case((col(Conversation.date) <= date(period.year, 6, 30), 1), else_=2)
    query = (
        sql_select(
            col(Employee.team),
            half,
            col(Pick.row),
            col(Pick.title_da),
            col(Pick.title_en),
            func.count(),
        )
        .join(Conversation, col(Conversation.id) == col(Pick.conversation_id))
        .join(Employee, col(Employee.id) == col(Conversation.employee_id))
        .where(scope.where(), col(Pick.removed).is_(False), *_completed_in(Period(period.year)))
        .group_by(Employee.team, half, Pick.row, Pick.title_da, Pick.title_en)
    )
    return [
        ((team or "").strip(), int(h), row, da, en or "", int(n))
        for team, h, row, da, en, n in session.execute(query)
    ]


# ----------------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Figure:
    """One shown figure: one CSV row, one bar or one line of the page."""

    period: str
    group: str
    measure: str
    key: str
    value: int | str
    group_size: int


@dataclass
class Overview:
    period: Period
    scope: Scope
    groups: Groups
    figures: list[Figure] = field(default_factory=list)
    headcount: int = 0
    # (population kind, group) of the period whose figures exist but are withheld: the page
    # says why, and never how many were behind them.
    withheld: set[tuple[str, str]] = field(default_factory=set)

    def of(self, group: str, measure: str) -> list[Figure]:
        return [
            f
            for f in self.figures
            if f.group == group and f.measure == measure and f.period == self.period.code
        ]

    def one(self, group: str, measure: str) -> Figure | None:
        found = self.of(group, measure)
        return found[0] if found else None


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _in(period: Period, day: date) -> bool:
    return period.start <= day <= period.end


def compute(session: Session, *, scope: Scope, period: Period, today: date, lang: str) -> Overview:
    """Every figure of the period that may be shown, for the whole scope and each group."""
    employees = _employees(session, scope)
    groups = make_groups(employees, split=scope.leader_id is None)
    overview = Overview(period=period, scope=scope, groups=groups, headcount=len(employees))
    family = period.family()
    year = family[0]
    nested = {year.code: frozenset({family[1].code, family[2].code})}
    halves = {year.code: (family[1].code, family[2].code)}

    def group_key(employee_id: int) -> str | None:
        return groups.group_of(employees.get(employee_id, ""))

    def populations(people: Iterable[tuple[int, date]]) -> dict[Cell, frozenset[int]]:
        """For each period of the family and each group, the distinct employees."""
        sets: dict[Cell, set[int]] = {
            Cell(p.code, g): set() for p in family for g in groups.members
        }
        for employee_id, day in people:
            key = group_key(employee_id)
            for p in family:
                if _in(p, day):
                    sets[Cell(p.code, ALL)].add(employee_id)
                    if key is not None and key != ALL:
                        sets[Cell(p.code, key)].add(employee_id)
        return {cell: frozenset(ids) for cell, ids in sets.items()}

    def shown_cells(
        kind: str, people: Mapping[Cell, frozenset[int]], *, additive: bool
    ) -> set[Cell]:
        shown = decide(people, periods=nested, halves=halves if additive else None)
        for g in groups.members:
            if people.get(Cell(period.code, g)) and Cell(period.code, g) not in shown:
                overview.withheld.add((kind, g))
        return shown

    add = overview.figures.append
    code = period.code

    # Headcount: the share of employees with a MUS, and with a current plan.
    heads = {Cell(p.code, g): ids for p in family for g, ids in groups.members.items()}
    shown_heads = shown_cells("head", heads, additive=False)
    conversations = _conversations(session, scope, year)
    had = populations(conversations)
    plans = _plans(session, scope, year)
    reference = min(period.end, today)
    current = {
        e
        for e, day, status in plans
        if day <= reference
        and (status == AgreementStatus.open or day > reference - timedelta(days=PLAN_MONTHS_DAYS))
    }
    for g, ids in groups.members.items():
        if Cell(code, g) not in shown_heads:
            continue
        add(Figure(code, g, "mus_share", "", _percent(len(had[Cell(code, g)]), len(ids)), len(ids)))
        add(Figure(code, g, "plan_share", "", _percent(len(ids & current), len(ids)), len(ids)))

    # Those who had a conversation: agreements per area, most chosen cards.
    shown_had = shown_cells("had", had, additive=True)
    agreements = _agreements(session, scope, period)
    by_area: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for employee_id, _day, area, status in agreements:
        for g in {ALL, group_key(employee_id) or ALL}:
            by_area[(g, area)][status] += 1
            by_area[(g, area)]["_all"] += 1
    for (g, area), counts in sorted(by_area.items()):
        cell = Cell(code, g)
        if cell not in shown_had or g not in groups.members:
            continue
        size = len(had[cell])
        add(Figure(code, g, "agreements", area, counts["_all"], size))
        for status in AgreementStatus:
            add(Figure(code, g, f"agreements_{status.value}", area, counts[status.value], size))

    cards: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for team, half, row, title_da, title_en, n in _card_counts(session, scope, period):
        if period.half and half != period.half:
            continue
        title = title_en if lang == "en" and title_en else title_da
        key = groups.group_of(team)
        for g in {ALL, key or ALL}:
            cards[(g, row)][title] += n
    rows = {STATUS_ROW: "status_card", **{r.value: f"card_{r.value}" for r in BoardRow}}
    for g in groups.members:
        cell = Cell(code, g)
        if cell not in shown_had:
            continue
        for row, measure in rows.items():
            ranked = sorted(cards[(g, row)].items(), key=lambda item: (-item[1], item[0]))
            for title, n in ranked[:TOP_CARDS]:
                add(Figure(code, g, measure, title, n, len(had[cell])))

    # Follow-ups held on time: the agreements due in the period.
    due = followups_due(session, scope, year)
    due_people = populations((e, day) for e, day, _reviewed in due)
    shown_due = shown_cells("due", due_people, additive=True)
    due_by_group: dict[str, list[tuple[date, bool]]] = defaultdict(list)
    for e, day, in_time in due:
        if _in(period, day):
            for g in {ALL, group_key(e) or ALL}:
                due_by_group[g].append((day, in_time))
    for g in groups.members:
        cell = Cell(code, g)
        if cell not in shown_due:
            continue
        mine = due_by_group[g]
        on_time = sum(1 for _day, in_time in mine if in_time)
        size = len(due_people[cell])
        add(Figure(code, g, "followups_on_time", "", _percent(on_time, len(mine)), size))
        add(Figure(code, g, "followups_due", "", len(mine), size))

    # Suggestions the employees chose to share, without names or dates, alphabetically.
    shared = shared_suggestions(session, scope, year)
    shared_people = populations((e, day) for e, day, _text in shared)
    shown_shared = shown_cells("shared", shared_people, additive=True)
    texts_by_group: dict[str, list[str]] = defaultdict(list)
    for e, day, text in shared:
        if _in(period, day):
            for g in {ALL, group_key(e) or ALL}:
                texts_by_group[g].append(text)
    for g in groups.members:
        cell = Cell(code, g)
        if cell not in shown_shared:
            continue
        for text in sorted(texts_by_group[g]):
            add(Figure(code, g, "suggestion", "", text, len(shared_people[cell])))
    return overview


# -------------------------------------------------------------------------------------- CSV


CSV_HEADER = ("period", "team", "measure", "key", "value", "group_size")


def figures_for(overview: Overview, team: str) -> list[Figure]:
    """The figures a filter asks for: every group when ``team`` is empty, else its group."""
    if not team:
        return overview.figures
    group = selected_group(overview.groups, team)
    return [f for f in overview.figures if group is not None and f.group == group]


def selected_group(groups: Groups, team: str) -> str | None:
    """The group a team filter shows: the team itself, Other teams for a small team, the
    whole for an empty filter; None for a team nobody is in."""
    team = team.strip()
    if not team:
        return ALL
    if team == OTHER:
        return OTHER if OTHER in groups.members else None
    return groups.group_of(team)


def export_csv(overview: Overview, *, team: str, label_of: Mapping[str, str]) -> bytes:
    """UTF-8 with a BOM and semicolons, as a Danish Excel reads it; every cell that starts
    like a formula is made text (CSV injection). Withheld figures are simply absent."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for f in figures_for(overview, team):
        assert f.group_size >= K  # the rule, once more where the data leaves
        writer.writerow(
            [
                f.period,
                safe_cell(label_of.get(f.group, f.group)),
                f.measure,
                safe_cell(f.key),
                safe_cell(str(f.value)),
                f.group_size,
            ]
        )
    return buffer.getvalue().encode("utf-8")


def safe_cell(value: str) -> str:
    # A cell that starts like a formula is shown as text by spreadsheets (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@writes
def log_export(session: Session, *, user_id: int, at: datetime, fmt: str = "csv") -> None:
    """The overview's CSV and its evaluation PDF are exports (DESIGN §4): in the audit log."""
    action = "overview_report" if fmt == "pdf" else "overview_export"
    session.add(AuditEvent(at=at, user_id=user_id, actor="user", action=action, format=fmt))
