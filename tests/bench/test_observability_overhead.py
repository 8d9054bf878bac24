"""What the request id, the request's log line and its metrics cost per request (issue 17).

Two measurements of CPU time (the process's, all its threads: on a busy shared machine the
clock measures the neighbours too), side by side and interleaved:
- the two middlewares (RequestLog, RouteTemplate) alone around an ASGI app that answers at
  once, called directly on the event loop: their own cost in microseconds, with the JSON
  line rendered (to a null stream) and with the access log off;
- card picks through the whole app (TestClient), with and without the two middlewares.
Reports only: a benchmark never passes or fails on time (DESIGN §8)."""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import write_session
from app.main import create_app
from app.observability.requests import RequestLog, RouteTemplate
from tests.conversation_fixtures import make_world
from tests.support import PARTIAL, Client, FakeClock, engine_of, make_settings
from tests.support.bench import report
from tests.support.logs import captured_logs

ROUNDS = 3
CALLS = 5000
PICKS = 400


async def _answer(scope: Scope, receive: Receive, send: Send) -> None:
    scope["route"] = _Route()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


class _Route:
    path_format = "/conversations/{conversation_id}/status/{card_id}"


def _middleware_microseconds(app: ASGIApp, calls: int) -> float:
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/conversations/1/status/2",
        "headers": [(b"host", b"testserver")],
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        pass

    async def run() -> float:
        start = time.process_time()
        for _ in range(calls):
            await app(dict(scope), receive, send)
        return (time.process_time() - start) / calls * 1e6

    # Its own loop in its own thread, whatever ran in this process before (a browser test's
    # loop would make asyncio.run refuse here).
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, run()).result()


def _without_observability(app: FastAPI) -> FastAPI:
    ours: tuple[object, ...] = (RequestLog, RouteTemplate)
    app.user_middleware = [m for m in app.user_middleware if m.cls not in ours]
    return app


def test_observability_overhead(tmp_path: Path, migrated_database: Path) -> None:
    bare = _answer
    logged = RequestLog(RouteTemplate(_answer), log_requests=True)
    quiet = RequestLog(RouteTemplate(_answer), log_requests=False)
    micro: dict[str, list[float]] = {"bare": [], "logged": [], "quiet": []}
    with captured_logs():  # the line is rendered as in production, into memory
        for _ in range(ROUNDS):
            micro["bare"].append(_middleware_microseconds(bare, CALLS))
            micro["quiet"].append(_middleware_microseconds(quiet, CALLS))
            micro["logged"].append(_middleware_microseconds(logged, CALLS))

    clients = {}
    for name, strip in (("with", False), ("without", True)):
        folder = tmp_path / name / "var"
        folder.mkdir(parents=True)
        (folder / "arbejdsglaede.db").write_bytes(migrated_database.read_bytes())
        app = create_app(make_settings(folder), clock=FakeClock())
        clients[name] = Client(_without_observability(app) if strip else app)
    per_pick: dict[str, list[float]] = {"with": [], "without": []}
    with clients["with"], clients["without"], captured_logs():
        taps = {}
        for name, client in clients.items():
            with write_session(engine_of(client)) as session:
                world = make_world(session)
            client.login("leder@example.org")
            url = f"/conversations/{world.conversation.id}/status/{world.status_cards[0].id}"
            headers = {**PARTIAL, "x-csrftoken": client.csrf}
            taps[name] = (client, url, headers)
        assert "x-request-id" not in clients["without"].get("/healthz").headers
        for _ in range(ROUNDS):
            for name, (client, url, headers) in taps.items():
                start = time.process_time()
                for i in range(PICKS):
                    picked = "true" if i % 2 == 0 else "false"
                    response = client.post(url, data={"picked": picked}, headers=headers)
                    assert response.status_code == 200
                per_pick[name].append((time.process_time() - start) / PICKS * 1e3)
    with_ms, without_ms = (
        statistics.median(per_pick["with"]),
        statistics.median(per_pick["without"]),
    )
    report(
        "observability_overhead",
        {
            "middleware_cpu_us_median": {
                k: round(statistics.median(v), 1) for k, v in micro.items()
            },
            "middleware_cpu_us_rounds": {k: [round(x, 1) for x in v] for k, v in micro.items()},
            "pick_cpu_ms_median_with": round(with_ms, 3),
            "pick_cpu_ms_median_without": round(without_ms, 3),
            "pick_cpu_ms_rounds": {k: [round(x, 3) for x in v] for k, v in per_pick.items()},
            "pick_overhead_ratio": round(with_ms / without_ms, 3),
        },
    )
    assert re.fullmatch(r"[0-9a-f]{16}", clients["with"].get("/healthz").headers["x-request-id"])
