"""The request body middleware (app.security.BodyLimit): a cap on size and on time."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import anyio
from starlette.types import Message, Receive, Scope, Send

from app.security import BodyLimit

BODY = b"csrftoken=x&note=" + b"a" * 90


async def _echo(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that reads the whole body, then answers 200."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(len(body)).encode()})


def _trickle(pause: float, chunks: int = 10) -> Receive:
    """A client that sends the body in pieces, ``pause`` seconds apart."""
    pieces = [BODY[i::chunks] for i in range(chunks)]

    async def receive() -> Message:
        await anyio.sleep(pause)
        piece = pieces.pop(0)
        return {"type": "http.request", "body": piece, "more_body": bool(pieces)}

    return receive


async def _never() -> Message:
    await anyio.sleep_forever()
    raise AssertionError  # not reached


def _run(receive: Receive, *, seconds: float, lang: str = "da") -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    middleware = BodyLimit(_echo, max_bytes=10_000, max_form_bytes=1_000, max_seconds=seconds)
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-type", b"application/x-www-form-urlencoded")],
        "state": {"lang": lang},
    }
    # A loop of its own in a thread of its own: in a test process where a browser test ran
    # first, Playwright's loop is still running in this thread and asyncio.run would refuse.
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, middleware(scope, receive, send)).result()
    return sent


def test_a_body_sent_slowly_is_refused_with_408() -> None:
    sent = _run(_trickle(0.03), seconds=0.1)
    assert sent[0]["status"] == 408
    assert "Intet er gemt" in sent[1]["body"].decode()


def test_a_body_that_never_comes_is_refused_with_408_in_english_too() -> None:
    sent = _run(_never, seconds=0.05, lang="en")
    assert sent[0]["status"] == 408
    assert "Nothing was saved" in sent[1]["body"].decode()


def test_a_body_within_the_time_limit_passes() -> None:
    sent = _run(_trickle(0.001), seconds=5)
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == str(len(BODY)).encode()
