"""One log line and the metrics of every request, under a request id.

Two pure ASGI middlewares: ``RequestLog``, near the outside, times the request, gives it
its id and writes its line; ``RouteTemplate``, innermost, tells it which route answered.
The router writes the route into the scope it is given, and the middlewares between the
two pass copies of the scope on, so the outer one would not see it.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.models.records import REQUEST_ADDRESS
from app.observability import metrics
from app.observability.logs import REQUEST_LOGGER, request_context

REQUEST_ID_HEADER = b"x-request-id"
# What an incoming X-Request-ID may be to be kept (a proxy's or a load balancer's id): a
# short token that cannot break a log line or a header. Anything else gets a new id.
_SAFE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
_ROUTE = "arbejdsglaede.route"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

log = logging.getLogger(REQUEST_LOGGER)


class _Route:
    __slots__ = ("template",)

    def __init__(self) -> None:
        self.template = metrics.UNMATCHED


def request_id_of(scope: Scope) -> str:
    for key, value in scope.get("headers", []):
        if key == REQUEST_ID_HEADER and _SAFE_REQUEST_ID.fullmatch(value):
            return str(value.decode("ascii"))
    return secrets.token_hex(8)


class RequestLog:
    """Per request: an id (the incoming ``X-Request-ID`` when it is a short safe token, a
    random one otherwise), echoed in the answer's ``X-Request-ID``; the count and time in
    the metrics; and, with ``log_requests``, one log line: method, route template, status
    and duration, the client's address only with ``log_client_address``."""

    def __init__(
        self, app: ASGIApp, *, log_requests: bool = True, log_client_address: bool = False
    ) -> None:
        self.app = app
        self.log_requests = log_requests
        self.log_client_address = log_client_address
        self.metrics = metrics.RequestMetrics()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope)
        header = (REQUEST_ID_HEADER, request_id.encode("ascii"))
        route = scope[_ROUTE] = _Route()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0] != REQUEST_ID_HEADER]
                message = {**message, "headers": [*headers, header]}
            await send(message)

        with request_context(request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except BaseException:
                status = 500  # the server's error page answers it, outside this middleware
                raise
            finally:
                seconds = time.perf_counter() - started
                method = scope["method"]
                if method not in KNOWN_METHODS:
                    method = "other"  # anyone can make up methods: not one label each
                self.metrics.observe(method, route.template, status, seconds)
                if self.log_requests and log.isEnabledFor(logging.INFO):
                    self._log(method, route.template, status, seconds)

    def _log(self, method: str, route: str, status: int, seconds: float) -> None:
        extra: dict[str, Any] = {
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
        }
        if self.log_client_address:
            extra["client"] = REQUEST_ADDRESS.get()
        log.info("request", extra=extra)


class RouteTemplate:
    """Innermost: after the router has answered, the template of the route it chose
    (``/conversations/{conversation_id}/status/{card_id}``), for RequestLog."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        holder: _Route | None = scope.get(_ROUTE)
        if holder is None:
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            holder.template = template_of(scope.get("route"))


def template_of(route: object) -> str:
    if route is None:
        return metrics.UNMATCHED
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    # A mount's (the static files') template ends in /{path}: one label for all its files.
    return template if isinstance(template, str) and template else metrics.UNMATCHED
