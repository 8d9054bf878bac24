"""The benchmarks' reports: figures where CI keeps artefacts, and in the test log."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

from app import PROJECT_DIR

REPORTS = PROJECT_DIR / "test-artifacts" / "bench"
T = TypeVar("T")


def report(name: str, figures: dict[str, object]) -> Path:
    """Write the figures where CI keeps artefacts, and print them into the test log."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(f"\n[bench] {name}: {json.dumps(figures, ensure_ascii=False)}")
    return path


def cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """User and system time of a process so far (/proc/<pid>/stat, fields 14 and 15); with
    ``reaped``, also that of its children that ended and were waited for (16 and 17). A
    process that has ended meanwhile counts nothing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def server_processes(pid: int) -> list[int]:
    """The server and the processes under it: one, or `serve --workers N`'s parent and its
    workers."""
    found, waiting = [], [pid]
    while waiting:
        process = waiting.pop()
        found.append(process)
        for task in Path(f"/proc/{process}/task").iterdir():
            with suppress(FileNotFoundError):  # a thread that ended meanwhile
                waiting += [int(child) for child in (task / "children").read_text().split()]
    return found


def server_cpu_seconds(pid: int) -> float:
    """The CPU time of a server and every process under it so far, those that have ended
    included (a PostgreSQL backend ends with its connection)."""
    return cpu_seconds(pid, reaped=True) + sum(
        cpu_seconds(process) for process in server_processes(pid) if process != pid
    )


def machine_busy_seconds() -> float:
    """CPU time all processes have used so far, summed over the cores (/proc/stat)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run_in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run() in a thread of its own: the browser tests' Playwright keeps an event loop
    running in the main thread, where asyncio.run() refuses to start a second one."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()
