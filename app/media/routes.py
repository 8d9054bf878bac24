"""Card images at immutable URLs: the name is the hash of the bytes, so they never change."""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.media import service

router = APIRouter()
SHA256 = re.compile(r"[0-9a-f]{64}")
IMMUTABLE = "public, max-age=31536000, immutable"


@router.get("/media/{sha256}.webp", name="media_variant")
def media_variant(
    sha256: str, request: Request, session: SessionDep, user: CurrentUser
) -> Response:
    if not SHA256.fullmatch(sha256):
        raise HTTPException(status_code=404)
    etag = f'"{sha256}"'
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    found = service.variant_bytes(session, sha256)
    if found is None:
        raise HTTPException(status_code=404)
    data, media_type = found
    return Response(content=data, media_type=media_type, headers=headers)
