"""The process's log lines, captured as the app writes them in production (JSON)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app.observability.logs import configure_logging, unconfigure_logging


class Lines(list[dict[str, Any]]):
    """The captured lines, each parsed; ``raw`` keeps them as written."""

    raw: list[str]

    def text(self) -> str:
        """Every line's values as text (JSON escapes undone): what a reader of the log sees."""
        return "\n".join(json.dumps(line, ensure_ascii=False) for line in self)


@contextmanager
def captured_logs() -> Iterator[Lines]:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(stream=stream)
    # The test's own HTTP client logs each request it sends: not the server's lines.
    handler.addFilter(lambda record: not record.name.startswith("httpx"))
    lines = Lines()
    try:
        yield lines
    finally:
        unconfigure_logging(handler)
        root.setLevel(level)
        lines.raw = [line for line in stream.getvalue().splitlines() if line]
        lines.extend(json.loads(line) for line in lines.raw)
