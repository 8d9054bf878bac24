"""The organisation overview (issue 16): its figures recomputed from the raw rows, and the
k-anonymity rule tried under every filter and every pair of filters."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from app.errors import DomainError
from app.models import Agreement, AgreementReview, AuditEvent, Conversation, Employee
from app.models.settings import FocusArea
from app.overview import service
from app.overview.anonymity import ALL, Cell, decide
from app.overview.service import OTHER, Period, Scope
from tests.factories import Organisation

TODAY = date(2026, 12, 1)
ROWS = ("status", "glad", "less_glad", "more_glad")
TITLES = ("Sol", "Regn", "Bjerg", "Hav", "Skov", "By", "Bro")
AREAS = ("Trivsel", "Læring", "", "=SUM(A1)")
STATUSES = ("open", "done", "partly", "not_done")


@dataclass
class RawConversation:
    employee: int
    on: date
    status: str
    picks: list[tuple[str, str]]
    agreements: list[tuple[str, str, date | None, date | None]]  # area, status, due, reviewed


@dataclass
class Raw:
    """What the test wrote, kept beside the database to recompute the figures without it."""

    teams: dict[int, str] = field(default_factory=dict)
    leaders: dict[int, int] = field(default_factory=dict)
    conversations: list[RawConversation] = field(default_factory=list)


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def build(session: Session, sizes: dict[str, int], seed: int) -> Raw:
    """An organisation of teams of the given sizes ("" is no team), one leader per team, and a
    year of conversations drawn with ``seed``."""
    rng = random.Random(seed)
    org = Organisation(session)
    raw = Raw()
    for team, size in sizes.items():
        leader = org.leader()
        for _ in range(size):
            employee = org.employee(leader, team)
            raw.teams[employee] = team
            raw.leaders[employee] = leader
    for employee in raw.teams:
        if rng.random() < 0.15:
            on = _day(rng, date(2025, 1, 1), date(2025, 12, 31))
            org.conversation(employee, on, agreements=[("Trivsel", "open", None, None)])
            raw.conversations.append(
                RawConversation(employee, on, "completed", [], [("Trivsel", "open", None, None)])
            )
        if rng.random() < 0.2:
            on = _day(rng, date(2026, 1, 1), date(2026, 11, 30))
            org.conversation(employee, on, status="planned", picks=[("status", "Sol")])
            raw.conversations.append(
                RawConversation(employee, on, "planned", [("status", "Sol")], [])
            )
        if rng.random() < 0.25:
            continue
        first = _day(rng, date(2026, 1, 1), date(2026, 10, 31))
        review_id, reviewed_on = None, None
        if rng.random() < 0.4:
            reviewed_on = _day(rng, first + timedelta(days=1), date(2026, 11, 30))
            review_id = org.conversation(employee, reviewed_on)
            raw.conversations.append(RawConversation(employee, reviewed_on, "completed", [], []))
        picks = [("status", rng.choice(TITLES)) for _ in range(rng.randint(1, 3))]
        picks += [(row, rng.choice(TITLES)) for row in ROWS[1:] for _ in range(rng.randint(0, 2))]
        agreements = []
        for _ in range(rng.randint(0, 3)):
            due = _day(rng, first, date(2026, 12, 31)) if rng.random() < 0.8 else None
            agreements.append((rng.choice(AREAS), rng.choice(STATUSES), due, review_id))
        org.conversation(employee, first, picks=picks, agreements=agreements)
        raw.conversations.append(
            RawConversation(
                employee,
                first,
                "completed",
                picks,
                [(a, s, d, reviewed_on if r else None) for a, s, d, r in agreements],
            )
        )
    session.commit()
    return raw


# ------------------------------------------------------------- recomputed from the raw rows


def expected_groups(raw: Raw) -> dict[str, set[int]]:
    """Teams of 5 or more alone; the rest together; the smallest team joins a remainder of 1-4."""
    by_team: dict[str, set[int]] = {}
    for employee, team in raw.teams.items():
        by_team.setdefault(team, set()).add(employee)
    own = {t: e for t, e in by_team.items() if t and len(e) >= 5}
    rest = {e for t, ids in by_team.items() if t not in own for e in ids}
    while own and 0 < len(rest) < 5:
        smallest = min(own, key=lambda t: (len(own[t]), t))
        rest |= own.pop(smallest)
    groups = {ALL: set(raw.teams)}
    if own:
        groups.update(own)
        if rest:
            groups[OTHER] = rest
    return groups


def within(period: Period, day: date | None) -> bool:
    return day is not None and period.start <= day <= period.end


def done(raw: Raw, period: Period, members: set[int]) -> list[RawConversation]:
    return [
        c
        for c in raw.conversations
        if c.status == "completed" and within(period, c.on) and c.employee in members
    ]


def population(raw: Raw, measure: str, period: Period, members: set[int]) -> set[int]:
    if measure in ("mus_share", "plan_share"):
        return set(members)
    if measure.startswith("followups"):
        return {
            c.employee
            for c in raw.conversations
            if c.status == "completed" and c.employee in members
            for _a, _s, due, _r in c.agreements
            if within(period, due)
        }
    return {c.employee for c in done(raw, period, members)}


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


# ---------------------------------------------------------------------------------- figures


def figures(session: Session, period: str, scope: Scope = Scope()) -> service.Overview:
    return service.compute(
        session,
        scope=scope,
        period=service.parse_period(period, today=TODAY),
        today=TODAY,
        lang="da",
    )


def value(overview: service.Overview, group: str, measure: str, key: str = "") -> int | str:
    found = [f for f in overview.of(group, measure) if f.key == key]
    assert len(found) == 1, (group, measure, key, found)
    return found[0].value


def test_teams_of_3_5_and_7_give_one_team_and_other_teams(session: Session) -> None:
    """Other teams would hold 3: the team of 5 joins it, so no difference isolates 3."""
    raw = build(session, {"A": 3, "B": 5, "C": 7}, seed=1)
    overview = figures(session, "2026")
    assert set(overview.groups.members) == {ALL, "C", OTHER}
    assert overview.groups.members[OTHER] == frozenset(e for e, t in raw.teams.items() if t != "C")
    assert overview.groups.group_of("A") == OTHER
    assert overview.groups.group_of("B") == OTHER


@pytest.mark.parametrize("code", ["2026", "2026-H1", "2026-H2"])
def test_the_figures_are_those_of_the_raw_rows(session: Session, code: str) -> None:
    raw = build(session, {"A": 3, "B": 5, "C": 7, "": 2}, seed=2)
    overview = figures(session, code)
    period = overview.period
    groups = expected_groups(raw)
    assert {k: set(v) for k, v in overview.groups.members.items()} == groups
    reference = min(period.end, TODAY)
    shown = {(f.group, f.measure) for f in overview.figures}
    for group, members in groups.items():
        had = {c.employee for c in done(raw, period, members)}
        if (group, "mus_share") in shown:
            assert value(overview, group, "mus_share") == percent(len(had), len(members))
            planned = {
                c.employee
                for c in raw.conversations
                if c.status == "completed" and c.employee in members and c.on <= reference
                for _area, status, _due, _r in c.agreements
                if status == "open" or c.on > reference - timedelta(days=365)
            }
            assert value(overview, group, "plan_share") == percent(len(planned), len(members))
        conversations = done(raw, period, members)
        if (group, "agreements") in shown:
            areas = Counter(a for c in conversations for a, _s, _d, _r in c.agreements)
            for area, n in areas.items():
                assert value(overview, group, "agreements", area) == n
            finished = Counter(
                a for c in conversations for a, s, _d, _r in c.agreements if s == "done"
            )
            for area in areas:
                assert value(overview, group, "agreements_done", area) == finished[area]
        if (group, "status_card") in shown:
            for measure, row in (("status_card", "status"), ("card_glad", "glad")):
                counts = Counter(t for c in conversations for r, t in c.picks if r == row)
                top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:5]
                assert [(f.key, f.value) for f in overview.of(group, measure)] == top
        if (group, "followups_due") in shown:
            due = [
                (d, r)
                for c in raw.conversations
                if c.status == "completed" and c.employee in members
                for _a, _s, d, r in c.agreements
                if within(period, d)
            ]
            on_time = sum(1 for d, r in due if r is not None and d is not None and r <= d)
            assert value(overview, group, "followups_due") == len(due)
            assert value(overview, group, "followups_on_time") == percent(on_time, len(due))


def test_the_whole_organisation_is_shown_when_it_has_at_least_5(session: Session) -> None:
    build(session, {"A": 3, "B": 5, "C": 7}, seed=3)
    overview = figures(session, "2026")
    assert overview.one(ALL, "mus_share") is not None
    assert overview.one(ALL, "agreements") is not None or not overview.of(ALL, "agreements")


def test_a_leader_sees_only_their_own_employees(session: Session) -> None:
    raw = build(session, {"A": 3, "C": 7}, seed=4)
    leader_of_c = next(raw.leaders[e] for e, t in raw.teams.items() if t == "C")
    overview = figures(session, "2026", Scope(leader_id=leader_of_c))
    assert overview.headcount == 7
    assert set(overview.groups.members) == {ALL}
    mine = {e for e, t in raw.teams.items() if t == "C"}
    had = {c.employee for c in done(raw, overview.period, mine)}
    assert value(overview, ALL, "mus_share") == percent(len(had), 7)


def test_a_leader_with_3_employees_gets_no_figure(session: Session) -> None:
    raw = build(session, {"A": 3, "C": 7}, seed=5)
    leader_of_a = next(raw.leaders[e] for e, t in raw.teams.items() if t == "A")
    overview = figures(session, "2026", Scope(leader_id=leader_of_a))
    assert overview.figures == []


# ---------------------------------------------------------------------------- k-anonymity


ORGANISATIONS = [
    ({"A": 3, "B": 5, "C": 7}, 11),
    ({"A": 2, "B": 2, "C": 6, "D": 9, "": 1}, 12),
    ({"A": 5, "B": 5, "C": 5}, 13),
    ({"A": 1, "B": 4, "C": 12}, 14),
    ({"A": 4}, 15),
    ({"A": 6, "B": 7, "C": 8, "": 3}, 16),
]


@pytest.mark.parametrize(("sizes", "seed"), ORGANISATIONS)
def test_no_filter_and_no_pair_of_filters_shows_or_isolates_fewer_than_5(
    session: Session, sizes: dict[str, int], seed: int
) -> None:
    """Every period (year and halves) × every team filter ("" included, each team, Other
    teams); each shown figure's population is recomputed from the raw rows. No population is
    below 5; no two shown figures of the same measure, one's population inside the other's
    (period inside period, group inside group), differ by 1-4 employees; and the whole minus
    the shown teams of a period never leaves 1-4."""
    raw = build(session, sizes, seed)
    groups = expected_groups(raw)
    shown: dict[tuple[str, str, str], set[int]] = {}  # (period, group, measure) -> population
    filters = ["", *sizes, OTHER, "nobody"]
    for code in ("2026", "2026-H1", "2026-H2"):
        overview = figures(session, code)
        period = overview.period
        labels = {g: g or "all" for g in overview.groups.members}
        for team in filters:
            data = service.export_csv(overview, team=team, label_of=labels)
            rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
            group = service.selected_group(overview.groups, team)
            for row in rows:
                found = next(g for g, label in labels.items() if label == row["team"])
                assert team == "" or found == group
                people = population(raw, row["measure"], period, groups[found])
                assert len(people) >= 5, row
                assert int(row["group_size"]) == len(people), row
                shown[(code, found, row["measure"])] = people
    nested = {"2026": {"2026", "2026-H1", "2026-H2"}}
    for (p1, g1, m1), outer in shown.items():
        for (p2, g2, m2), inner in shown.items():
            if m1 != m2 or (p1, g1) == (p2, g2):
                continue
            if p2 in nested.get(p1, {p1}) and g1 in (g2, ALL):
                assert not 0 < len(outer - inner) < 5, (p1, g1, p2, g2, m1)
    for (code, group, measure), whole in shown.items():
        if group != ALL:
            continue
        covered: set[int] = set()
        for (c, g, m), people in shown.items():
            if c == code and m == measure and g != ALL:
                covered |= people
        if covered:
            assert not 0 < len(whole - covered) < 5, (code, measure)


def test_decide_withholds_a_half_whose_difference_to_the_year_is_small() -> None:
    year = frozenset(range(12))
    first = frozenset(range(9))  # the year minus this half: 3 employees
    cells = {
        Cell("2026", ALL): year,
        Cell("2026-H1", ALL): first,
        Cell("2026-H2", ALL): frozenset(range(9, 12)),
    }
    shown = decide(cells, periods={"2026": frozenset({"2026-H1", "2026-H2"})})
    assert shown == {Cell("2026", ALL)}


def test_decide_withholds_a_team_when_the_rest_would_be_small() -> None:
    cells = {
        Cell("2026", ALL): frozenset(range(13)),
        Cell("2026", "C"): frozenset(range(10)),
        Cell("2026", OTHER): frozenset(range(10, 13)),
    }
    assert decide(cells, periods={}) == {Cell("2026", ALL)}


def test_decide_keeps_teams_whose_rest_is_5_or_more() -> None:
    cells = {
        Cell("2026", ALL): frozenset(range(15)),
        Cell("2026", "C"): frozenset(range(10)),
        Cell("2026", OTHER): frozenset(range(10, 15)),
    }
    assert decide(cells, periods={}) == set(cells)


# ------------------------------------------------------------------------- bad input, CSV


@pytest.mark.parametrize("text", ["2026-H3", "26", "2026-1", "year", "1999", "2101", "2026H1"])
def test_a_period_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(DomainError):
        service.parse_period(text, today=TODAY)


def test_periods_read_as_years_and_halves() -> None:
    assert service.parse_period("", today=TODAY) == Period(2026)
    assert service.parse_period("2025-h2", today=TODAY) == Period(2025, 2)
    assert Period(2026, 1).end == date(2026, 6, 30)
    assert Period(2026, 2).start == date(2026, 7, 1)


def test_the_csv_has_a_bom_semicolons_its_header_and_no_formula(session: Session) -> None:
    build(session, {"A": 6, "B": 7}, seed=21)
    overview = figures(session, "2026")
    data = service.export_csv(overview, team="", label_of={ALL: "Alle", "A": "A", "B": "B"})
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")[1:]), delimiter=";"))
    assert rows[0] == ["period", "team", "measure", "key", "value", "group_size"]
    keys = [row[3] for row in rows[1:]]
    assert "'=SUM(A1)" in keys
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for row in rows for cell in row)
    assert all(int(row[5]) >= 5 for row in rows[1:])
    assert {row[2] for row in rows[1:]} <= set(service.MEASURES)


@pytest.mark.parametrize("cell", ["=1+1", "+45", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_starts_like_a_formula_is_text(cell: str) -> None:
    assert service.safe_cell(cell) == "'" + cell


def test_a_team_named_like_a_formula_is_text_in_the_csv(session: Session) -> None:
    build(session, {"=HYPERLINK(1)": 6, "B": 5}, seed=22)
    overview = figures(session, "2026")
    data = service.export_csv(
        overview, team="", label_of={g: g or "Alle" for g in overview.groups.members}
    )
    assert "'=HYPERLINK(1)" in data.decode("utf-8")
    assert ";=HYPERLINK" not in data.decode("utf-8")


def test_the_export_is_in_the_audit_log(session: Session) -> None:
    service.log_export(session, user_id=7, at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.format, event.user_id) == ("overview_export", "csv", 7)


def test_no_suggestion_is_shared_until_the_employee_may_say_so(session: Session) -> None:
    org = Organisation(session)
    leader = org.leader()
    for _ in range(6):
        org.conversation(org.employee(leader, "A"), date(2026, 3, 1), suggestions="Mere kaffe")
    session.commit()
    assert service.shared_suggestions(session, Scope(), Period(2026)) == []
    assert figures(session, "2026").of(ALL, "suggestion") == []


def test_suggestions_five_employees_chose_to_share_are_shown_without_names(
    session: Session,
) -> None:
    org = Organisation(session)
    leader = org.leader()
    for n in range(5):
        org.conversation(
            org.employee(leader, "A"), date(2026, 3, 1), suggestions=f"Idé {n}", shareable=True
        )
    org.conversation(org.employee(leader, "A"), date(2026, 3, 1), suggestions="Privat")
    session.commit()
    shown = figures(session, "2026").of(ALL, "suggestion")
    assert sorted(str(f.value) for f in shown) == [f"Idé {n}" for n in range(5)]
    assert {f.group_size for f in shown} == {5}


def test_suggestions_four_employees_shared_are_withheld(session: Session) -> None:
    org = Organisation(session)
    leader = org.leader()
    for n in range(4):
        org.conversation(
            org.employee(leader, "A"), date(2026, 3, 1), suggestions=f"Idé {n}", shareable=True
        )
    for _ in range(3):
        org.conversation(org.employee(leader, "A"), date(2026, 3, 1), suggestions="Privat")
    session.commit()
    assert len(service.shared_suggestions(session, Scope(), Period(2026))) == 4
    assert figures(session, "2026").of(ALL, "suggestion") == []


def test_an_employee_moved_to_another_team_counts_where_they_are_now(session: Session) -> None:
    """A move mid-period: the whole period's conversations go with the employee."""
    org = Organisation(session)
    leader = org.leader()
    moved = org.employee(leader, "A")
    org.conversation(moved, date(2026, 2, 1), picks=[("status", "Sol")])
    for team, size in (("A", 5), ("C", 5)):
        for _ in range(size):
            org.conversation(org.employee(leader, team), date(2026, 3, 1))
    session.commit()
    before = figures(session, "2026")
    assert before.one("A", "status_card") is not None
    employee = session.get(Employee, moved)
    assert employee is not None
    employee.team = "C"
    session.add(employee)
    session.commit()
    after = figures(session, "2026")
    assert after.one("A", "status_card") is None
    assert value(after, "C", "status_card", "Sol") == 1
    assert after.groups.members["C"] == before.groups.members["C"] | {moved}


def test_an_agreement_tied_to_a_focus_area_counts_under_its_current_name(
    session: Session,
) -> None:
    """Tied by id, an agreement follows its area's rename, and one made in English counts with
    the Danish ones; an older agreement with typed text keeps counting under that text."""
    org = Organisation(session)
    leader = org.leader()
    area = FocusArea(name_da="Trivsel", name_en="Well-being")
    session.add(area)
    session.flush()
    for n in range(5):
        employee = org.employee(leader, team="A")
        typed = "Well-being" if n else "Gammel tekst"
        conversation_id = org.conversation(
            employee, date(2026, 3, 1), agreements=[(typed, "done", None, None)]
        )
        if n:
            (agreement,) = session.exec(
                select(Agreement).where(Agreement.conversation_id == conversation_id)
            ).all()
            agreement.focus_area_id = area.id
            session.add(agreement)
    area.name_da = "Trivsel og arbejdsmiljø"
    session.add(area)
    session.flush()
    overview = figures(session, "2026")
    assert value(overview, ALL, "agreements", "Trivsel og arbejdsmiljø") == 4
    assert value(overview, ALL, "agreements", "Gammel tekst") == 1


def test_followups_due_read_the_review_history(session: Session) -> None:
    """On time: a review on or before the deadline, or by the conversation's follow-up date;
    wherever it was made (here a follow-up, not a MUS), and never a later one."""
    org = Organisation(session)
    boss = org.leader()
    employee = org.employee(boss, "A")
    mus = org.conversation(
        employee,
        date(2026, 1, 10),
        agreements=[
            ("", "open", date(2026, 3, 1), None),  # reviewed in time
            ("", "open", date(2026, 3, 1), None),  # reviewed late
            ("", "open", date(2026, 3, 1), None),  # late, but by the follow-up date
            ("", "open", date(2026, 3, 1), None),  # never reviewed
        ],
    )
    made = session.get(Conversation, mus)
    assert made is not None
    agreements = session.exec(
        select(Agreement).where(Agreement.conversation_id == mus).order_by(col(Agreement.id))
    ).all()
    follow = Conversation(
        leader_id=boss,
        employee_id=employee,
        date=date(2026, 2, 1),
        kind="followup",
        parent_id=mus,
        status="completed",
        status_deck_id=org.deck.id or 0,
        inspiration_deck_id=org.deck.id or 0,
    )
    session.add(follow)
    session.flush()
    for agreement, day in zip(agreements[:2], (date(2026, 2, 1), date(2026, 6, 1)), strict=True):
        session.add(
            AgreementReview(
                agreement_id=agreement.id or 0,
                conversation_id=follow.id,
                at=datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=11),
                status="done",
            )
        )
    made.follow_up_date = date(2026, 5, 1)
    session.add(
        AgreementReview(
            agreement_id=agreements[2].id or 0,
            at=datetime(2026, 4, 20, 11, tzinfo=UTC),
            status="partly",
        )
    )
    session.add(made)
    session.commit()
    due = service.followups_due(session, Scope(), Period(2026))
    assert sorted(in_time for _e, _d, in_time in due) == [False, False, True, True]
    # The follow-up is no MUS held.
    assert [d for _e, d in service._conversations(session, Scope(), Period(2026))] == [
        date(2026, 1, 10)
    ]
