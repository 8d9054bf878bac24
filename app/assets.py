"""The static files (CSS, our JS, htmx, icons): each link names the file's content, so a
browser keeps it for a year and asks again only when it changed; text is sent compressed.
DESIGN §8: a step's first load stays small, and a second visit downloads nothing again."""

from __future__ import annotations

import hashlib

from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Scope

from app import PROJECT_DIR

STATIC_DIR = PROJECT_DIR / "static"
PREFIX = "/static"
IMMUTABLE = "public, max-age=31536000, immutable"
# Images are compressed already; gzip would spend time for nothing.
NOT_COMPRESSED = ("image/png", "image/webp", "image/jpeg", "application/zip")

_versions: dict[tuple[str, int], str] = {}


def asset_path(path: str) -> str:
    """``/static/<path>?v=<the first 12 hex digits of its SHA-256>``. Kept per file and
    modification time, so an edited file gets a new link without a restart."""
    file = STATIC_DIR / path
    key = (path, file.stat().st_mtime_ns)
    version = _versions.get(key)
    if version is None:
        version = _versions[key] = hashlib.sha256(file.read_bytes()).hexdigest()[:12]
    return f"{PREFIX}/{path}?v={version}"


class _Cached(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            # A link with ?v= names one content for good; any other link is checked each time.
            versioned = b"v=" in scope.get("query_string", b"")
            response.headers["Cache-Control"] = IMMUTABLE if versioned else "no-cache"
        return response


def static_files() -> ASGIApp:
    return GZipMiddleware(
        _Cached(directory=STATIC_DIR),
        minimum_size=1024,
        compresslevel=6,
        exclude_content_types=NOT_COMPRESSED,
    )
