"""Tablets for the load runs and drills that talk to a live server over HTTP: one leader logs
in once, plans conversations, and each tablet gets a client of its own with the leader's
cookies (as the leader's tablet would after logging in)."""

from __future__ import annotations

from contextlib import AsyncExitStack

import httpx2 as httpx

from tests.support import PASSWORD


async def conversations_of(
    url: str, email: str, employees: list[str], stack: AsyncExitStack, *, timeout: float
) -> list[tuple[httpx.AsyncClient, str]]:
    """A client and a new conversation's address (without its step) for each employee; the
    clients close with ``stack``."""
    leader = await stack.enter_async_context(httpx.AsyncClient(base_url=url))
    await leader.get("/login")
    form = {"csrftoken": leader.cookies["csrftoken"], "email": email, "password": PASSWORD}
    assert (await leader.post("/login", data=form)).status_code == 303
    made = []
    for employee in employees:
        answer = await leader.post(
            "/conversations",
            data={
                "csrftoken": leader.cookies["csrftoken"],
                "employee": employee,
                "date": "2026-12-01",
            },
        )
        assert answer.status_code == 303, answer.text[:200]
        client = await stack.enter_async_context(
            httpx.AsyncClient(base_url=url, cookies=leader.cookies, timeout=timeout)
        )
        made.append((client, str(answer.headers["location"]).removesuffix("/start")))
    return made
