"""The k-anonymity rule of the overview: no figure for a group of fewer than five employees,
under any filter, and no two figures whose difference isolates fewer than five.

A figure stands for a *population*: the distinct employees behind it (a team's employees,
those of a team who had a conversation in a half-year). Figures are decided together for one
year, its two halves, the whole scope and each group, so that whichever filter someone picks,
and whichever two answers they put side by side, the same figures are shown or withheld.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

K = 5
ALL = ""  # the group key of the whole scope (every team, or the leader's whole team)


@dataclass(frozen=True)
class Cell:
    """Where a figure stands: a period code ("2026", "2026-H1") and a group key."""

    period: str
    group: str


def _containers(inner: Cell, periods: Mapping[str, frozenset[str]]) -> list[Cell]:
    """The cells whose population holds this one's by construction: the year holds its
    halves, the whole scope holds each group."""
    outer_periods = [inner.period] + [p for p, held in periods.items() if inner.period in held]
    outer_groups = [inner.group] if inner.group == ALL else [inner.group, ALL]
    return [
        Cell(period, group)
        for period in outer_periods
        for group in outer_groups
        if Cell(period, group) != inner
    ]


def _small(people: int) -> bool:
    return 0 < people < K


def decide(
    populations: Mapping[Cell, frozenset[int]],
    *,
    periods: Mapping[str, frozenset[str]],
    halves: Mapping[str, Sequence[str]] | None = None,
) -> set[Cell]:
    """The cells whose figure may be shown. ``periods`` maps a period to the periods it
    holds (a year to its halves); ``halves`` a year to its two halves, for figures that add
    up over conversations (the year's count minus one half's is the other half's).

    Starts from every cell of at least K employees and withholds until nothing can be
    derived: a contained cell whose difference to its container is 1..K-1 employees; a group
    whose period's left-out remainder (the whole minus the shown groups) would be 1..K-1
    (the smallest shown group is withheld with it); a half whose other half is 1..K-1."""
    shown = {cell for cell, people in populations.items() if len(people) >= K}
    changed = True
    while changed:
        changed = False
        for inner in sorted(shown, key=_order):
            for outer in _containers(inner, periods):
                if (
                    inner in shown
                    and outer in shown
                    and _small(len(populations[outer] - populations[inner]))
                ):
                    shown.discard(inner)
                    changed = True
        for period in {cell.period for cell in populations}:
            whole = populations.get(Cell(period, ALL), frozenset())
            groups = [c for c in shown if c.period == period and c.group != ALL]
            covered: set[int] = set()
            for cell in groups:
                covered |= populations[cell]
            if groups and _small(len(whole - covered)):
                smallest = min(groups, key=lambda c: (len(populations[c]), c.group))
                shown.discard(smallest)
                changed = True
        for year, (first, second) in (halves or {}).items():
            for cell in list(shown):
                if cell.period not in (first, second) or Cell(year, cell.group) not in shown:
                    continue
                other = second if cell.period == first else first
                if _small(len(populations.get(Cell(other, cell.group), frozenset()))):
                    shown.discard(cell)
                    changed = True
    return shown


def _order(cell: Cell) -> tuple[str, str]:
    return (cell.period, cell.group)
