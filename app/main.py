"""create_app(): middleware, routers, static files, start-up."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from anyio import to_thread
from asgi_csrf import asgi_csrf
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from app import assets, bootstrap
from app.accounts.deps import Forbidden, LoginRequired
from app.accounts.routes import router as accounts_router
from app.admin.routes import router as admin_router
from app.clock import Clock, utcnow
from app.config import Settings
from app.conversations.followup_routes import router as followup_router
from app.conversations.marking_routes import router as marking_router
from app.conversations.planning_routes import router as planning_router
from app.conversations.routes import router as conversations_router
from app.conversations.topic_routes import router as topics_router
from app.db import ValueOutOfRange, is_busy, is_disk_full, make_engine
from app.decks.routes import router as decks_router
from app.employees.routes import router as employees_router
from app.errors import N_, DomainError, NotFound
from app.i18n import translate
from app.media.routes import router as media_router
from app.observability import metrics
from app.observability.logs import configure_logging
from app.observability.readiness import migrating
from app.observability.requests import RequestLog, RouteTemplate
from app.observability.routes import router as observability_router
from app.overview.routes import router as overview_router
from app.pages.routes import router as pages_router
from app.records.preparation_routes import router as preparation_router
from app.records.routes import router as records_router
from app.security import BodyLimit, LanguageSwitch, RequestAddress, SecurityHeaders, TrustedHosts
from app.settings.routes import router as settings_router
from app.web import redirect, render

log = logging.getLogger("arbejdsglaede")
CSRF_PROTECTED_WITHOUT_COOKIES = ["/login", "/setup"]


def create_app(
    settings: Settings | None = None, *, clock: Clock = utcnow, prepared: bool = False
) -> FastAPI:
    """``prepared``: the database was migrated and the setup link printed before this app
    was made (``serve --workers N`` does it once, in the parent process)."""
    settings = settings or Settings()
    engine = make_engine(settings.sqlalchemy_url, write_wait_seconds=settings.write_wait_seconds)
    metrics.watch_pool(engine)
    # Signing and encrypting use the first; reading also tries the previous keys.
    secret_keys = settings.secret_keys()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not prepared:
            # Migrating and decoding the default decks is blocking work: off the event loop.
            with migrating(engine):  # /readyz answers 503 meanwhile
                await to_thread.run_sync(bootstrap.prepare_database, settings, engine)
            await to_thread.run_sync(bootstrap.announce_setup_link, settings, engine, clock)
        yield
        # uvicorn has finished the requests in flight (or given up on them) by now.
        engine.dispose()
        metrics.forget_pool(engine)
        metrics.process_ending()

    app = FastAPI(
        title="Arbejdsglæde", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = clock
    app.state.secret_keys = secret_keys
    app.state.route_by_name = {}

    app.include_router(pages_router)
    # Before conversations: its /conversations/{id}/{step} would catch export.pdf and the rest.
    app.include_router(records_router)
    app.include_router(preparation_router)
    app.include_router(planning_router)
    app.include_router(marking_router)
    app.include_router(followup_router)
    app.include_router(topics_router)
    app.include_router(conversations_router)
    app.include_router(accounts_router)
    app.include_router(admin_router)
    app.include_router(decks_router)
    app.include_router(employees_router)
    app.include_router(media_router)
    app.include_router(observability_router)
    app.include_router(settings_router)
    app.include_router(overview_router)
    app.mount(assets.PREFIX, assets.static_files(), name="static")
    _add_error_handlers(app)

    # Outermost last: headers on everything, then language, the Host check, body caps, CSRF.
    # The login session is no middleware: app.accounts.deps reads it from the server for each
    # request. Innermost of all: which route answered, for the request's log line.
    app.add_middleware(RouteTemplate)
    app.add_middleware(_CsrfMiddleware, secret=secret_keys[0], secure=settings.secure_cookies)
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_request_bytes,
        max_form_bytes=settings.max_form_bytes,
        max_seconds=settings.max_body_seconds,
    )
    app.add_middleware(TrustedHosts, trusted=settings.trusted_hosts)
    app.add_middleware(
        LanguageSwitch, default=settings.default_language, secure=settings.secure_cookies
    )
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    # Around all the others: the request id, the request's log line and its metrics.
    app.add_middleware(
        RequestLog,
        log_requests=settings.access_log,
        log_client_address=settings.log_client_address,
    )
    # Outermost: every audit entry made while answering knows the request's address.
    app.add_middleware(RequestAddress, trusted_proxies=tuple(settings.trusted_proxies))
    return app


class _CsrfMiddleware:
    """asgi-csrf (form field ``csrftoken``, header ``x-csrftoken``) with a page in the user's
    language when the token does not match.

    asgi-csrf decides on a copy of the request's headers cut down to what it should see
    (``_csrf_view``); the app behind it gets the request's own headers back."""

    def __init__(self, app: ASGIApp, *, secret: str, secure: bool) -> None:
        async def with_own_headers(scope: Scope, receive: Receive, send: Send) -> None:
            scope[_PASSED].append(True)
            await app({**scope, "headers": scope[_OWN_HEADERS]}, receive, send)

        self.inner = app
        self.app = asgi_csrf(
            with_own_headers,
            signing_secret=secret,
            always_protect=CSRF_PROTECTED_WITHOUT_COOKIES,
            cookie_secure=secure,
            send_csrf_failed=_csrf_failed,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        if _multipart_without_token_header(scope):
            # A multipart POST must carry the token in the header; our upload JS and htmx do.
            await _csrf_failed(scope, send, None)
            return
        headers = scope.get("headers", [])
        passed: list[bool] = []
        view = {**scope, "headers": _csrf_view(headers), _OWN_HEADERS: headers, _PASSED: passed}
        try:
            await self.app(view, receive, send)
        except (UnicodeDecodeError, ValueError, AssertionError):
            if passed:
                raise
            # asgi-csrf could not read the body (not UTF-8, or the client went away): the
            # token cannot have matched.
            await _csrf_failed(scope, send, None)


_OWN_HEADERS = "arbejdsglaede.headers"
_PASSED = "arbejdsglaede.csrf_passed"
# What SimpleCookie, asgi-csrf's strict parser, accepts without complaint (RFC 6265 tokens,
# no space, quote, comma, semicolon or non-ASCII).
_PLAIN_COOKIE_NAME = re.compile(r"[A-Za-z0-9!#%&'*+\-.^_`|~]+")
_PLAIN_COOKIE_VALUE = re.compile(r"[A-Za-z0-9!#$%&'()*+\-./:<=>?@^_`{|}~]*")


def _csrf_view(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers asgi-csrf decides on:
    - cookies read leniently (as Starlette reads them), and only the plain ones: one
      malformed cookie of another application on the same host made SimpleCookie drop ours,
      and every form failed;
    - no Authorization: asgi-csrf lets any ``Bearer`` request through unchecked, and this
      app has no API that would use one;
    - a multipart body under another name: asgi-csrf's own multipart reader breaks on
      python-multipart 0.0.3x (a 500), so a multipart request passes on its header only."""
    view: list[tuple[bytes, bytes]] = []
    for key, value in headers:
        if key == b"authorization":
            continue
        if key == b"cookie":
            plain = [
                f"{name}={text}"
                for name, text in cookie_parser(value.decode("latin-1")).items()
                if _PLAIN_COOKIE_NAME.fullmatch(name) and _PLAIN_COOKIE_VALUE.fullmatch(text)
            ]
            if plain:
                view.append((key, "; ".join(plain).encode("latin-1")))
            continue
        if key == b"content-type" and value.split(b";")[0].strip() == b"multipart/form-data":
            value = b"application/x-multipart-checked-by-header"
        view.append((key, value))
    return view


def _multipart_without_token_header(scope: Scope) -> bool:
    if scope.get("method") in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return False
    headers = dict(scope.get("headers", []))
    content_type = headers.get(b"content-type", b"").split(b";")[0].strip()
    return content_type == b"multipart/form-data" and not headers.get(b"x-csrftoken")


async def _csrf_failed(scope: Scope, send: Send, message_id: object) -> None:
    lang = scope.get("state", {}).get("lang", "da")
    text = translate(
        lang,
        "The form had expired or came from another page. Reload the page and try again.",
    )
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        url = f"/login?next={quote(target)}" + ("&expired=1" if exc.expired else "")
        return redirect(request, url)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return _error_page(request, 403)

    @app.exception_handler(NotFound)
    @app.exception_handler(ValueOutOfRange)
    async def _not_found(request: Request, exc: NotFound | ValueOutOfRange) -> Response:
        # ValueOutOfRange: an id or number beyond what the database holds names nothing.
        return _error_page(request, 404)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error_page(request, exc.status_code)

    @app.exception_handler(DomainError)
    async def _domain_error(
        request: Request, exc: DomainError, *, reload_after: int | None = None
    ) -> Response:
        message = translate(request.state.lang, exc.message, **exc.params)
        return render(
            request,
            "pages/error.html",
            {
                "status": exc.status_code,
                "message": message,
                "kind": "error",
                "reload": exc.params.get("stale", False),
                "reload_after": reload_after,
            },
            block="message",
            status_code=exc.status_code,
            # Read by htmx only: the message goes to the page's message area.
            headers={"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"},
        )

    @app.exception_handler(sa_exc.OperationalError)
    @app.exception_handler(sa_exc.TimeoutError)
    async def _database_busy(request: Request, exc: sa_exc.SQLAlchemyError) -> Response:
        if is_disk_full(exc):
            # Nothing was written (the transaction rolled back); 507 Insufficient Storage,
            # and no Retry-After: trying again helps only once someone has made room.
            log.error("database disk full, answered 507: %s", type(exc).__name__)
            return await _domain_error(request, DomainError(DISK_FULL, status_code=507))
        if not is_busy(exc):
            raise exc
        # Overload slows, never fails: nothing was written, and the page sends it again.
        log.warning("database busy, answered 503: %s", type(exc).__name__)
        # A page opened (GET: safe to ask again) reloads itself after the wait; a change sent
        # by htmx is sent again by conversation.js; a form sent without it waits for a tap.
        opening = request.method in ("GET", "HEAD")
        response = await _domain_error(
            request,
            DomainError(DATABASE_BUSY_PAGE if opening else DATABASE_BUSY, status_code=503),
            reload_after=RETRY_AFTER_SECONDS if opening else None,
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's own answer is JSON that repeats the input, a password included: a message
        # as a DomainError's, never what was sent.
        return await _domain_error(request, DomainError(INVALID_REQUEST))


DATABASE_BUSY = N_("The server is very busy, and this was not saved yet. Try again in a moment.")
DATABASE_BUSY_PAGE = N_("The server is very busy right now.")
DISK_FULL = N_(
    "The server's disk is full, and this was not saved. Ask your IT department to make "
    "room, then try again."
)
# The conversation page sends a tap again after this many seconds.
RETRY_AFTER_SECONDS = 2

INVALID_REQUEST = N_(
    "Some of what was sent is missing or not valid. Check the fields and try again."
)


ERROR_MESSAGES = {
    403: N_("You do not have access to this page."),
    404: N_("The page does not exist, or it is not yours to see."),
    405: N_("That is not possible here."),
}


def _error_page(request: Request, status: int) -> Response:
    message = translate(
        request.state.lang, ERROR_MESSAGES.get(status, N_("Something went wrong. Try again."))
    )
    return render(
        request, "pages/error.html", {"status": status, "message": message}, status_code=status
    )


def _default_app() -> FastAPI:
    settings = Settings()
    configure_logging(fmt=settings.log_format)
    return create_app(settings)


def __getattr__(name: str) -> FastAPI:
    # `uvicorn app.main:app` works, yet importing this module builds nothing.
    if name == "app":
        application = _default_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)
