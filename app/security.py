"""Pure ASGI middlewares: security headers, request body caps, the interface language."""

from __future__ import annotations

import functools
import ipaddress
from typing import Any
from urllib.parse import parse_qs

import anyio
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
                present = {key.lower() for key, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                if b"cache-control" not in present:
                    # Pages and exports carry an employee's words (DESIGN §6): no browser or
                    # proxy keeps them. Static files and images set their own caching.
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _plain_response(status: int, text: str, *, close: bool = False) -> list[Message]:
    body = text.encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        # The rest of the body may still be on its way: the connection cannot be reused.
        headers.append((b"connection", b"close"))
    return [
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": body},
    ]


class BodyLimit:
    """Caps request bodies: Starlette's form limits do not cover urlencoded bodies. The body
    must also arrive within ``max_seconds`` of the app's first read: a client trickling a
    body for minutes would otherwise hold a worker for as long as it likes."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, max_form_bytes: int, max_seconds: float = 60
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_form_bytes = max_form_bytes
        self.max_seconds = max_seconds

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
        refusal: RequestRefused | None = None
        started = False
        deadline: float | None = None
        body_done = False

        async def counting_receive() -> Message:
            nonlocal received, refusal, deadline, body_done
            if body_done:
                # After the body, a receive waits for the client to go away: no time limit.
                return await receive()
            if deadline is None:
                deadline = anyio.current_time() + self.max_seconds
            try:
                with anyio.fail_after(max(0.0, deadline - anyio.current_time())):
                    message = await receive()
            except TimeoutError:
                refusal = RequestTooSlow()
                raise refusal from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if received > limit:
                    refusal = RequestTooLarge()
                    raise refusal
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refusal is not None:
                return  # the app's own error answer gives way to the refusal below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if refusal is None:
                raise
        if isinstance(refusal, RequestTooSlow) and not started:
            text = translate(lang, "The request took too long to arrive. Nothing was saved.")
            for message in _plain_response(408, text, close=True):
                await send(message)
        elif refusal is not None and not started:
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


class RequestRefused(Exception):
    pass


class RequestTooLarge(RequestRefused):
    pass


class RequestTooSlow(RequestRefused):
    pass


def is_trusted_host(host: str, trusted: frozenset[str]) -> bool:
    """Whether a Host header (``name``, ``name:port`` or ``[v6]:port``) names a trusted
    host; ``*`` in ``trusted`` trusts any."""
    if "*" in trusted:
        return True
    name = host.strip().lower()
    if name.startswith("["):
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    return bool(name) and name in trusted


class TrustedHosts:
    """Refuses a request whose Host header is not one of ours (400): links, QR codes and
    redirects built from the request can then never point to another site."""

    def __init__(self, app: ASGIApp, *, trusted: frozenset[str]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
        if is_trusted_host(host, self.trusted):
            await self.app(scope, receive, send)
            return
        lang = scope.get("state", {}).get("lang", "da")
        text = translate(lang, "This server does not answer to that address.")
        for message in _plain_response(400, text):
            await send(message)


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


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(scope: Scope, trusted_proxies: tuple[str, ...] = ()) -> str:
    """The address a request came from: the one helper for the audit log, the sessions and
    the login limit. The peer's, or, when the peer is a proxy named in ``trusted_proxies``, the
    nearest address in X-Forwarded-For that is not such a proxy. Entries further left are the
    client's own say and never believed."""
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    networks = _networks(trusted_proxies)
    if not networks or not _is_in(peer, networks):
        return peer[:64]
    forwarded = ",".join(
        value.decode("latin-1")
        for key, value in scope.get("headers", [])
        if key == b"x-forwarded-for"
    )
    address = peer
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # not an address: what came before it is all we know
        address = hop
        if not _is_in(hop, networks):
            break
    return address[:64]


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_in(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


class RequestAddress:
    """Keeps the request's address where every audit entry made while answering it finds it
    (``AuditEvent.address``), so no service needs to be handed it. Sync routes run in worker
    threads, which inherit the request's context."""

    def __init__(self, app: ASGIApp, *, trusted_proxies: tuple[str, ...] = ()) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = REQUEST_ADDRESS.set(client_address(scope, self.trusted_proxies))
        try:
            await self.app(scope, receive, send)
        finally:
            REQUEST_ADDRESS.reset(token)
