"""JSON log lines on standard output, one per event, each with the request id of the
request it belongs to.

The app and its libraries (uvicorn too) log through the standard ``logging`` module; the
one handler this installs renders every record with structlog. A log line carries ids,
route templates and counts, never an employee's words, a name, an e-mail address or a
link's token: the request line names the route template, not the path.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, Literal

import structlog
from structlog.contextvars import bind_contextvars, reset_contextvars
from structlog.types import EventDict, WrappedLogger

LogFormat = Literal["json", "console"]
REQUEST_LOGGER = "arbejdsglaede.requests"
_HANDLER_NAME = "arbejdsglaede"


def without_exception_text(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """An exception's place in the code, never its message: a database error's message
    repeats the values it was sent (a note, a name)."""
    exc_info = event.pop("exc_info", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if isinstance(exc_info, tuple) and exc_info[0] is not None:
        frames = traceback.extract_tb(exc_info[2])
        event["exception"] = exc_info[0].__qualname__
        event["stack"] = [f"{f.filename}:{f.lineno} in {f.name}" for f in frames]
    return event


def _no_message_copy(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    # logging's Formatter sets record.message, which ExtraAdder takes for an extra, and
    # uvicorn adds a copy with terminal colours: the event already says it.
    event.pop("message", None)
    event.pop("color_message", None)
    return event


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _no_message_copy,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
        without_exception_text,
    ]


def configure_logging(
    *, fmt: LogFormat = "json", level: int = logging.INFO, stream: IO[str] | None = None
) -> logging.Handler:
    """Every log record of the process, as one line on ``stream`` (standard output).
    Calling it again replaces the handler it installed before."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # structlog's own loggers, where anything uses them, go the same way.
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    # uvicorn's loggers pass their records on to this handler. Its access log stays off, also
    # under `uvicorn app.main:app`, whose default turns it on: its line names the path, and a
    # path holds the employee's copy-link token. The app's request line replaces it
    # (app.observability.requests), with the route template.
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False  # uvicorn logs access only while this logger has a handler
    access.disabled = True
    return handler


def unconfigure_logging(handler: logging.Handler) -> None:
    """Takes the handler away again (tests)."""
    logging.getLogger().removeHandler(handler)
    structlog.reset_defaults()


@contextmanager
def request_context(request_id: str) -> Iterator[None]:
    """Every log line made while answering the request carries its id. Worker threads that
    run sync routes inherit it, as they inherit every context variable."""
    tokens = bind_contextvars(request_id=request_id)
    try:
        yield
    finally:
        reset_contextvars(**tokens)
