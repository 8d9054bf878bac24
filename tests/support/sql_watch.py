"""Which SQL statements run on the event loop (DESIGN §8): the async routes hand their work
to a worker thread, and a statement on the loop stops every other request."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.support import Client, engine_of


def _on_an_event_loop() -> bool:
    """In the thread where TestClient runs the app's event loop. The test's own thread does
    its setup there, and Playwright's sync API keeps a loop running in it once started."""
    if threading.current_thread() is threading.main_thread():
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class Statements:
    def __init__(self) -> None:
        self.on_loop: list[str] = []
        self.in_workers = 0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if _on_an_event_loop():
            self.on_loop.append(statement.split("\n")[0][:80])
        else:
            self.in_workers += 1


@contextmanager
def watching(client: Client) -> Iterator[Statements]:
    engine = engine_of(client)
    seen = Statements()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", seen)
