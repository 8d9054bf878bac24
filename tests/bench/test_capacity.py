"""DESIGN §8 and issue 17: two processes on PostgreSQL carry at least 1.8 × what one process
carries. The 200-tablet benchmark measures latency at a set pace; this one measures capacity:
tablets that tap again the moment they are answered (a closed loop, no think time), so the
server is always busy and the actions it completes per second are all it can do.

One process (``serve``) and two (``serve --workers 2``) on their own copies of the same
PostgreSQL database, in rounds that take turns (1, 2, 1, 2, ...) so both see the same machine.
Each tablet has its own conversation and works through the status step as a person does: the
page opened, a card picked, a thought written in two autosaves, the card put back now and then,
the revision sent as conversation.js sends it. Errors are asserted (there must be none);
throughput is reported beside its budget, never asserted (STYLE: no wall-clock limits).

The load generator, PostgreSQL and the server share the machine's cores. The report says how
much CPU each took per action, so the ratio can be read against the cores that were free.
`make load` and `make test-bench` run it; `make test` leaves it out for time.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import pytest

from app.accounts import service as accounts
from app.db import make_engine, write_session
from app.models import Role
from tests import postgres
from tests.browser import LiveServer
from tests.support import PARTIAL, PASSWORD
from tests.support.bench import (
    cpu_seconds,
    machine_busy_seconds,
    report,
    run_in_own_loop,
    server_cpu_seconds,
    server_processes,
)
from tests.support.tablets import conversations_of

pytestmark = pytest.mark.load_only

TABLETS = 24
ROUNDS = 2  # of each form, taking turns
WARM_UP_SECONDS = 3.0
WINDOW_SECONDS = 15.0
BUDGET_RATIO = 1.8
EMAIL = "capacity.leader@example.org"
CARD = re.compile(r'/status/(\d+)"')
PICK_NOTE = re.compile(r"/picks/(\d+)/note")
REVISION = re.compile(r'data-revision="(\d+)"')


@dataclass
class Window:
    """What one round counted while the clock ran: the warm-up is not in it."""

    open: bool = False
    actions: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Tablet:
    """One conversation's status step, tapped as fast as the server answers."""

    def __init__(self, number: int, client: httpx.AsyncClient, url: str) -> None:
        self.number = number
        self.client = client
        self.url = url
        self.revision = 0
        self.cards: list[str] = []
        self.turn = 0

    async def send(self, window: Window, path: str, data: dict[str, str] | None = None) -> str:
        headers = {"X-Client": f"capacity-{self.number:02d}"}
        if data is not None:
            headers |= {
                "x-csrftoken": self.client.cookies["csrftoken"],
                **PARTIAL,
                "X-Revision": str(self.revision),
            }
        start = time.perf_counter()
        try:
            response = await self.client.request(
                "GET" if data is None else "POST", f"{self.url}{path}", data=data, headers=headers
            )
        except httpx.HTTPError as error:
            window.errors.append(f"tablet {self.number}: {path}: {type(error).__name__} {error}")
            return ""
        if window.open:
            window.actions += 1
            window.latencies.append(time.perf_counter() - start)
        if not response.is_success:
            window.errors.append(f"tablet {self.number}: {path}: {response.status_code}")
            return ""
        found = REVISION.search(response.text)
        if found:
            self.revision = int(found[1])
        return response.text

    async def work(self, window: Window, stop: asyncio.Event) -> None:
        """Open the step, then card after card: picked, its thought typed (two autosaves),
        and every third card put back, which the pick after it takes up again."""
        while not stop.is_set():
            if self.turn % 8 == 0:
                page = await self.send(window, "/status")
                self.cards = list(dict.fromkeys(CARD.findall(page)))[:6] or self.cards
            if not self.cards:
                return
            card = self.cards[self.turn % len(self.cards)]
            answer = await self.send(window, f"/status/{card}", {"picked": "true"})
            notes = PICK_NOTE.findall(answer)
            if notes:
                thought = f"Kort {card}, runde {self.turn}: det giver mening"
                for text in (thought[:12], thought):
                    await self.send(window, f"/picks/{notes[-1]}/note", {"note": text})
            await self.send(window, f"/status/{card}", {"picked": "false"})
            self.turn += 1


async def tablets_on(server: LiveServer, stack: AsyncExitStack) -> list[Tablet]:
    employees = [f"Kapacitet {number:02d}" for number in range(TABLETS)]
    made = await conversations_of(server.url, EMAIL, employees, stack, timeout=60)
    return [Tablet(number, client, url) for number, (client, url) in enumerate(made)]


def postgresql_cpu_seconds(server: postgres.Server) -> float:
    """The CPU time of the PostgreSQL server and its backends so far."""
    postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
    return server_cpu_seconds(postmaster)


@dataclass
class Round:
    processes: int
    window: Window
    server_cpu_s: float
    postgresql_cpu_s: float
    client_cpu_s: float
    machine_cpu_s: float
    # The share of the server's CPU each worker took: an uneven share would be a process
    # left idle by how connections were handed out.
    worker_shares: list[float]

    @property
    def per_second(self) -> float:
        return self.window.actions / WINDOW_SECONDS

    def per_action_ms(self, seconds: float) -> float:
        return round(seconds * 1000 / max(self.window.actions, 1), 2)


def workers_of(pid: int) -> list[int]:
    """The processes that answer requests: the workers ``serve --workers`` spawned (not its
    resource tracker), or the one process."""
    spawned = [
        p for p in server_processes(pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()
    ]
    return spawned or [pid]


async def measure(
    server: LiveServer, tablets: list[Tablet], processes: int, database: postgres.Server
) -> Round:
    window, stop = Window(), asyncio.Event()
    working = [asyncio.create_task(t.work(window, stop)) for t in tablets]
    await asyncio.sleep(WARM_UP_SECONDS)  # connections made, caches warm: then the clock
    workers = workers_of(server.pid)
    worker_cpu = [cpu_seconds(p) for p in workers]
    server_cpu, database_cpu = server_cpu_seconds(server.pid), postgresql_cpu_seconds(database)
    client_cpu, machine_cpu = time.process_time(), machine_busy_seconds()
    window.open = True
    await asyncio.sleep(WINDOW_SECONDS)  # the measured window: the tablets work meanwhile
    window.open = False
    spent = [cpu_seconds(p) - before for p, before in zip(workers, worker_cpu, strict=True)]
    measured = Round(
        processes=processes,
        window=window,
        server_cpu_s=server_cpu_seconds(server.pid) - server_cpu,
        postgresql_cpu_s=postgresql_cpu_seconds(database) - database_cpu,
        client_cpu_s=time.process_time() - client_cpu,
        machine_cpu_s=machine_busy_seconds() - machine_cpu,
        worker_shares=[round(s / max(sum(spent), 1e-9), 2) for s in spent],
    )
    stop.set()
    await asyncio.gather(*working)
    return measured


def create_leader(server: LiveServer) -> None:
    engine = make_engine(server.env["DATABASE_URL"])
    try:
        with write_session(engine) as session:
            accounts.create_user(
                session, email=EMAIL, name="Leder", role=Role.leader, password=PASSWORD
            )
    finally:
        engine.dispose()


async def run_rounds(servers: dict[int, LiveServer], database: postgres.Server) -> list[Round]:
    async with AsyncExitStack() as stack:
        tablets = {n: await tablets_on(server, stack) for n, server in servers.items()}
        rounds = []
        for _ in range(ROUNDS):
            for processes, server in servers.items():
                rounds.append(await measure(server, tablets[processes], processes, database))
        return rounds


def summary(rounds: list[Round]) -> dict[str, object]:
    best = max(rounds, key=lambda r: r.per_second)
    latencies = [s for r in rounds for s in r.window.latencies]
    return {
        "actions_per_second": [round(r.per_second, 1) for r in rounds],
        "best_actions_per_second": round(best.per_second, 1),
        "latency_ms_median": round(statistics.median(latencies) * 1000, 1),
        "server_cpu_ms_per_action": [r.per_action_ms(r.server_cpu_s) for r in rounds],
        "postgresql_cpu_ms_per_action": [r.per_action_ms(r.postgresql_cpu_s) for r in rounds],
        "client_cpu_ms_per_action": [r.per_action_ms(r.client_cpu_s) for r in rounds],
        # Of the machine's cores through the window: 1.0 is every core busy all the time.
        "machine_busy_share": [
            round(r.machine_cpu_s / (WINDOW_SECONDS * (os.cpu_count() or 1)), 2) for r in rounds
        ],
        "server_cores_used": [round(r.server_cpu_s / WINDOW_SECONDS, 2) for r in rounds],
        "worker_cpu_shares": [r.worker_shares for r in rounds],
    }


def test_two_processes_against_one_at_capacity(
    live_server_postgresql: LiveServer,
    live_server_postgresql_two_processes: LiveServer,
    postgresql: postgres.Server,
) -> None:
    servers = {1: live_server_postgresql, 2: live_server_postgresql_two_processes}
    for server in servers.values():
        create_leader(server)
    rounds = run_in_own_loop(run_rounds(servers, postgresql))
    one = [r for r in rounds if r.processes == 1]
    two = [r for r in rounds if r.processes == 2]
    ratio = max(r.per_second for r in two) / max(r.per_second for r in one)
    errors = [e for r in rounds for e in r.window.errors]
    report(
        "capacity_postgresql",
        {
            "tablets": TABLETS,
            "window_s": WINDOW_SECONDS,
            "rounds_each": ROUNDS,
            "one_process": summary(one),
            "two_processes": summary(two),
            "ratio_best_of_rounds": round(ratio, 2),
            "budget_ratio": BUDGET_RATIO,
            "errors": len(errors),
            "first_errors": errors[:5],
            "cpu_count": os.cpu_count(),
        },
    )
    assert errors == [], errors[:5]
    assert all(r.window.actions > 0 for r in rounds)
