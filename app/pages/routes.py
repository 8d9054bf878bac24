"""Home, about, health check and the web app manifest."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from app.accounts.deps import CurrentUser
from app.assets import asset_path
from app.db import SessionDep
from app.deps import SettingsDep
from app.i18n import translate
from app.web import render

router = APIRouter()


@router.get("/healthz")
def pages_healthz(session: SessionDep) -> Response:
    session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    return JSONResponse({"status": "ok"})


@router.get("/about")
def pages_about(request: Request, user: CurrentUser) -> Response:
    return render(request, "pages/about.html")


@router.get("/privacy")
def pages_privacy(request: Request, settings: SettingsDep) -> Response:
    """Public: the employee has no account, and reads it from the link to their copy."""
    return render(
        request,
        "pages/privacy.html",
        {
            "organisation": settings.organisation_name,
            "conversation_years": settings.retention_conversation_years,
            "audit_years": settings.retention_audit_years,
            "share_days": settings.share_link_days,
        },
    )


@router.get("/manifest.webmanifest")
def pages_manifest(request: Request) -> Response:
    lang = request.state.lang
    manifest = {
        "name": "Arbejdsglæde",
        "short_name": "Arbejdsglæde",
        "description": translate(lang, "Picture cards for the employee development conversation"),
        "lang": lang,
        "start_url": "/",
        "scope": "/",
        "display": "fullscreen",
        "orientation": "landscape",
        "background_color": "#f7f3ec",
        "theme_color": "#2f5d50",
        "icons": [
            {"src": asset_path("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": asset_path("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": asset_path("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JSONResponse(manifest, media_type="application/manifest+json")
