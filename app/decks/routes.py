"""Browsing decks: the list with covers, a deck's cards in a grid. Uploading and editing
live beside this in upload/ and edit/, their routers included here."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.decks import service
from app.decks.edit.routes import router as edit_router
from app.decks.upload.routes import router as upload_router
from app.models import DeckStatus
from app.web import render

router = APIRouter()
# Before /decks/{slug}: "/decks/new" must not be read as a deck called "new".
router.include_router(upload_router)
router.include_router(edit_router)

# What a facilitator may filter the list by; a leader sees published decks only.
FILTERS: dict[str, tuple[str, ...]] = {
    "current": (DeckStatus.published, DeckStatus.draft),
    "published": (DeckStatus.published,),
    "draft": (DeckStatus.draft,),
    "archived": (DeckStatus.archived,),
}


@router.get("/decks")
def decks_list(
    request: Request, session: SessionDep, user: CurrentUser, show: str = "current"
) -> Response:
    if user.is_facilitator:
        show = show if show in FILTERS else "current"
        statuses = FILTERS[show]
    else:
        show, statuses = "published", FILTERS["published"]
    decks = service.list_decks(session, lang=request.state.lang, statuses=statuses)
    context = {
        "decks": decks,
        "show": show,
        "filters": tuple(FILTERS) if user.is_facilitator else (),
        "can_manage": user.is_facilitator,
    }
    return render(request, "decks/list.html", context, block="deck_list")


@router.get("/decks/{slug}")
def decks_show(slug: str, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    # Drafts and archived decks are the facilitators' business: for a leader they are not there.
    statuses = tuple(DeckStatus) if user.is_facilitator else (DeckStatus.published,)
    deck = service.deck_view(session, slug=slug, lang=request.state.lang, statuses=statuses)
    context = {"deck": deck, "can_manage": user.is_facilitator}
    return render(request, "decks/show.html", context, block="cards")
