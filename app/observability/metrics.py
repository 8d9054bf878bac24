"""Prometheus metrics (``GET /metrics``): requests per route template, the conversation's
taps, exports, logins and the database pool.

One process keeps its metrics in prometheus-client's default registry. With several
processes (``serve --workers N``, or a process manager), set ``PROMETHEUS_MULTIPROC_DIR`` to
an empty directory that every process can write, before they start: each process then
writes its values to files there, and whichever process answers ``/metrics`` adds up all
of them. Empty the directory whenever the whole server starts again.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import Engine, event

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
# A path that matched no route: its own label, never the path itself (anyone can make up
# paths, and a label per path would grow without end).
UNMATCHED = "unmatched"
# A tap answers in tens of milliseconds; a PDF or a deck upload takes seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "arbejdsglaede_http_requests",
    "HTTP requests answered, by method, route template and status class.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "arbejdsglaede_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method, route template and "
    "status class.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
ERRORS = Counter(
    "arbejdsglaede_http_errors",
    "Requests answered with a server error (5xx), by method and route template.",
    ["method", "route"],
)
PICKS = Counter(
    "arbejdsglaede_picks",
    "Cards picked in a conversation: status cards, and cards placed on the board.",
    ["board"],
)
EXPORTS = Counter(
    "arbejdsglaede_exports",
    "Records exported or downloaded, by format.",
    ["format"],
)
LOGINS = Counter(
    "arbejdsglaede_logins",
    "Login attempts: ok, failed (wrong e-mail or password) or limited (too many failures).",
    ["result"],
)
# livesum: with several processes, the sum over the processes that are alive.
POOL_CHECKED_OUT = Gauge(
    "arbejdsglaede_db_pool_checked_out",
    "Database connections in use (PostgreSQL).",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "arbejdsglaede_db_pool_size",
    "Database connections the pool keeps open at most, overflow not counted (PostgreSQL).",
    multiprocess_mode="livesum",
)


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def count_pick(board: str) -> None:
    PICKS.labels(board=board).inc()


def count_export(fmt: str) -> None:
    EXPORTS.labels(format=fmt).inc()


def count_login(result: str) -> None:
    LOGINS.labels(result=result).inc()


class RequestMetrics:
    """Counts one answered request. The children of each label combination are kept: looking
    them up through ``labels()`` on every request cost more than counting."""

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            labels = {"method": method, "route": route, "status": status_class(status)}
            error = ERRORS.labels(method=method, route=route) if status >= 500 else None
            children = (REQUESTS.labels(**labels), LATENCY.labels(**labels), error)
            self._children[key] = children
        requests, latency, error = children
        requests.inc()
        latency.observe(seconds)
        if error is not None:
            error.inc()


def watch_pool(engine: Engine) -> None:
    """The pool's size and the connections in use, from the pool's own events: the gauges
    stay right in every process, and no scrape has to ask a pool in another process."""
    if engine.dialect.name != "postgresql":
        return
    size = getattr(engine.pool, "size", None)
    if callable(size):
        POOL_SIZE.inc(size())

    @event.listens_for(engine, "checkout")
    def _checked_out(*_: object) -> None:
        POOL_CHECKED_OUT.inc()

    @event.listens_for(engine, "checkin")
    def _checked_in(*_: object) -> None:
        POOL_CHECKED_OUT.dec()


def forget_pool(engine: Engine) -> None:
    """The engine is disposed of: its pool no longer counts."""
    if engine.dialect.name != "postgresql":
        return
    size = getattr(engine.pool, "size", None)
    if callable(size):
        POOL_SIZE.dec(size())


def exposition() -> bytes:
    """The metrics in Prometheus' text format: this process's, or, in multiprocess mode,
    every process's added up."""
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def process_ending() -> None:
    """In multiprocess mode, this process's live gauges stop counting."""
    if os.environ.get(MULTIPROCESS_DIR):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
