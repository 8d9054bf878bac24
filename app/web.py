"""Templates and the one helper that decides between a whole page and a fragment."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from jinja2 import pass_context
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.applications import Starlette
from starlette.routing import BaseRoute, NoMatchFound

from app import PROJECT_DIR, __version__
from app.assets import asset_path
from app.i18n import (
    format_clock,
    format_day,
    format_moment,
    hyphenate,
    translate,
    translate_plural,
)

VARY = "HX-Request, HX-Request-Type"


def is_partial(request: Request) -> bool:
    """htmx 4 sends HX-Request on boosted navigation and history restores too; only a
    request marked ``HX-Request-Type: partial`` wants a fragment."""
    return request.headers.get("hx-request-type") == "partial"


def _context(request: Request) -> dict[str, Any]:
    lang: str = request.state.lang
    csrf = request.scope.get("csrftoken")
    return {
        "lang": lang,
        "_": lambda message, **params: translate(lang, message, **params),
        "ngettext": lambda s, p, n, **params: translate_plural(lang, s, p, n, **params),
        "csrf_token": csrf() if csrf else "",
        "current_user": getattr(request.state, "user", None),
        "version": __version__,
    }


templates = Jinja2Blocks(directory=str(PROJECT_DIR / "templates"), context_processors=[_context])
# Templates change only with a new release, which restarts the server: not asking the disk
# whether each one changed saves a stat() per template per render.
templates.env.auto_reload = False


def path_for(app: Starlette, name: str, /, **params: Any) -> str:
    """The path of the route called ``name``. Starlette tries every route in turn for every
    link (a few hundred failed tries for one card grid); the route that answered is kept per
    name, so each later link costs one formatting."""
    known: dict[str, BaseRoute] = app.state.route_by_name
    route = known.get(name)
    if route is not None:
        try:
            return str(route.url_path_for(name, **params))
        except NoMatchFound:
            pass  # the same name with other parameters: look again
    for candidate in _leaf_routes(app.router.routes):
        try:
            path = candidate.url_path_for(name, **params)
        except NoMatchFound:
            continue
        known[name] = candidate
        return str(path)
    raise NoMatchFound(name, params)


def _leaf_routes(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    for route in routes:
        # FastAPI keeps an included router as one route with its own routes inside.
        inner = getattr(route, "effective_route_contexts", None)
        if inner is not None:
            yield from inner()
        else:
            yield route


def absolute_url(request: Request, name: str, /, **params: Any) -> str:
    """An address for use outside the app (the employee's copy link and its QR code): from
    ARBEJDSGLAEDE_BASE_URL when it is set, else from the request, whose Host header
    app.security.TrustedHosts has checked."""
    path = path_for(request.app, name, **params)
    base = request.app.state.settings.configured_base_url or str(request.base_url).rstrip("/")
    return f"{base}{path}"


@pass_context
def _url_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """A path, not an absolute URL: correct behind any proxy, and shorter."""
    request: Request = context["request"]
    return path_for(request.app, name, **params)


templates.env.globals["url_for"] = _url_for
templates.env.globals["asset"] = asset_path
templates.env.filters["day"] = format_day
templates.env.filters["moment"] = format_moment
templates.env.filters["clock"] = format_clock
templates.env.filters["hyphenate"] = hyphenate
templates.env.globals["languages"] = (("da", "Dansk"), ("en", "English"))


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    block: str | Sequence[str] | None = None,
    page: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    oob: Sequence[tuple[str, Mapping[str, Any]]] = (),
) -> Response:
    """The one place that decides between a whole page and a fragment: the template's
    ``block`` (several blocks, e.g. one swapped out of band, for a list) when htmx asks for a
    partial swap, the whole page otherwise. With ``page``, the answer to a change made
    without htmx is a redirect to that page instead (post, redirect, get), so its context
    needs only what the blocks show. ``oob`` adds pieces of ``templates/partials`` that swap
    themselves out of band (an Undo prompt) after the blocks of a partial answer, each with
    its own context: a page that is not their screen's own shares them this way."""
    partial = block is not None and is_partial(request)
    if page is not None and not partial:
        return RedirectResponse(page, status_code=303, headers={"Vary": VARY})
    names = {"block_name": block} if isinstance(block, str) else {"block_names": list(block or ())}
    response = templates.TemplateResponse(
        request,
        template,
        dict(context or {}),
        **(names if partial else {}),
        status_code=status_code,
        headers=headers,
    )
    response.headers["Vary"] = VARY
    if partial and oob:
        extra = "".join(
            templates.get_template(name).render({"request": request, **_context(request), **piece})
            for name, piece in oob
        )
        response.body = bytes(response.body) + extra.encode()
        response.headers["content-length"] = str(len(response.body))
    return response


def redirect(request: Request, url: str) -> Response:
    """Go to ``url``: htmx is told to load it as a page (a fetch() would follow a redirect
    silently and swap the new page into the old one), a browser is sent there."""
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url, "Vary": VARY})
    return RedirectResponse(url, status_code=303, headers={"Vary": VARY})
