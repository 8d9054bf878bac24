"""Browsing decks: the list with covers, a deck's cards in a grid."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.decks import service
from app.web import render

router = APIRouter()


@router.get("/decks")
def decks_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    decks = service.list_decks(session, lang=request.state.lang)
    return render(request, "decks/list.html", {"decks": decks})


@router.get("/decks/{slug}")
def decks_show(slug: str, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    try:
        deck = service.deck_view(session, slug=slug, lang=request.state.lang)
    except LookupError:
        raise HTTPException(status_code=404) from None
    return render(request, "decks/show.html", {"deck": deck}, block="cards")
