"""Pure ASGI middlewares: security headers, request body caps, the interface language."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import LANG_COOKIE, pick_language, translate
from app.models.records import REQUEST_ADDRESS

# style-src-attr: htmx keeps an element's style attribute across a swap (for CSS transitions),
# and the browser itself writes one when a text field is resized. Scripts stay strict.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'; manifest-src 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.headers = list(SECURITY_HEADERS)
        if hsts:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {key for key, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _plain_response(status: int, text: str) -> list[Message]:
    body = text.encode()
    return [
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        },
        {"type": "http.response.body", "body": body},
    ]


class BodyLimit:
    """Caps request bodies: Starlette's form limits do not cover urlencoded bodies."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_form_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_form_bytes = max_form_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip()
        limit = self.max_bytes if content_type == b"multipart/form-data" else self.max_form_bytes
        lang = scope.get("state", {}).get("lang", "da")
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, lang, limit)
            return
        received = 0
        refused = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    raise RequestTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the app's own error answer gives way to the 413 below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise
        if refused and not started:
            await self._refuse(send, lang, limit)

    @staticmethod
    async def _refuse(send: Send, lang: str, limit: int) -> None:
        text = translate(
            lang,
            "The upload is too large (at most %(mb)d MB at a time). Nothing was saved.",
            mb=max(1, limit // (1024 * 1024)),
        )
        for message in _plain_response(413, text):
            await send(message)


class RequestTooLarge(Exception):
    pass


class LanguageSwitch:
    """``?lang=en`` or ``?lang=da`` switches for the session, also on a redirect."""

    def __init__(self, app: ASGIApp, *, default: str, secure: bool) -> None:
        self.app = app
        self.default = default
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [None])[0]
        cookie = _cookie(scope, LANG_COOKIE)
        lang = pick_language(query, cookie, self.default)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["lang"] = lang
        if query != lang or cookie == lang:
            await self.app(scope, receive, send)
            return
        attrs = f"{LANG_COOKIE}={lang}; Path=/; SameSite=Lax; HttpOnly"
        if self.secure:
            attrs += "; Secure"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"set-cookie", attrs.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _cookie(scope: Scope, name: str) -> str | None:
    # Starlette's own lenient parser, as request.cookies uses: a tenth of SimpleCookie's cost,
    # on every request, and one malformed cookie does not hide the others.
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            return cookie_parser(value.decode("latin-1")).get(name)
    return None


def client_address(scope: Scope) -> str:
    """The address a request came from: the one helper for the audit log and the login limit.
    Behind a proxy it is the client's, when uvicorn trusts the proxy (``proxy_headers``)."""
    client = scope.get("client")
    return str(client[0])[:64] if client else "unknown"


class RequestAddress:
    """Keeps the request's address where every audit entry made while answering it finds it
    (``AuditEvent.address``), so no service needs to be handed it. Sync routes run in worker
    threads, which inherit the request's context."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = REQUEST_ADDRESS.set(client_address(scope))
        try:
            await self.app(scope, receive, send)
        finally:
            REQUEST_ADDRESS.reset(token)
