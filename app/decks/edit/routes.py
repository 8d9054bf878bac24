"""Editing a deck over HTTP (facilitators and admins): thin, the rules are in service.py.

Each change answers htmx with the piece of the page it changed, and a plain form post with a
redirect back to the editor, so the editor works without JavaScript too.
"""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session

from app.accounts.deps import FacilitatorDep
from app.cards.views import deck_preview
from app.db import SessionDep
from app.decks import archive
from app.decks.edit import service, views
from app.decks.service import deck_view, get_deck
from app.decks.zipcheck import UploadLimits, read_limited
from app.deps import NowDep, SettingsDep
from app.errors import N_, DomainError
from app.web import path_for, redirect, render

router = APIRouter()
TEMPLATE = "decks/edit.html"


def _editor(request: Request, session: Session, slug: str, **extra: object) -> dict[str, object]:
    deck = views.editor_view(session, slug=slug, lang=request.state.lang)
    return _editor_of(session, deck, **extra)


def _editor_of(session: Session, deck: views.DeckEditView, **extra: object) -> dict[str, object]:
    return {"deck": deck, "themes": views.theme_suggestions(session), **extra}


def _page(request: Request, slug: str, anchor: str = "") -> str:
    return path_for(request.app, "decks_edit", slug=slug) + (f"#{anchor}" if anchor else "")


def _cards(request: Request, session: Session, slug: str) -> Response:
    """After moving, removing or choosing the cover: the card list again (or the page)."""
    return render(
        request,
        TEMPLATE,
        _editor(request, session, slug),
        block="cards",
        page=_page(request, slug, "cards"),
    )


@router.get("/decks/{slug}/edit", name="decks_edit")
def decks_edit(slug: str, request: Request, session: SessionDep, user: FacilitatorDep) -> Response:
    return render(request, TEMPLATE, _editor(request, session, slug))


@router.post("/decks/{slug}/edit", name="decks_update")
def decks_update(
    slug: str,
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    now: NowDep,
    name_da: Annotated[str, Form()] = "",
    name_en: Annotated[str, Form()] = "",
    description_da: Annotated[str, Form()] = "",
    description_en: Annotated[str, Form()] = "",
    purpose: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "da",
    licence: Annotated[str, Form()] = "",
    attribution: Annotated[str, Form()] = "",
) -> Response:
    service.update_deck(
        session,
        slug=slug,
        name_da=name_da,
        name_en=name_en,
        description_da=description_da,
        description_en=description_en,
        purpose=purpose or _current_purpose(session, slug),
        language=language,
        licence=licence,
        attribution=attribution,
        now=now,
    )
    return render(
        request,
        TEMPLATE,
        _editor(request, session, slug, deck_saved=True),
        block="deck_form",
        page=_page(request, slug),
    )


def _current_purpose(session: Session, slug: str) -> str:
    # A locked purpose is shown, not sent (a disabled field): keep what the deck has.
    return service.editable_deck(session, slug).purpose


@router.post("/decks/{slug}/status", name="decks_status")
def decks_status(
    slug: str,
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    now: NowDep,
    status: Annotated[str, Form()] = "",
) -> Response:
    service.change_status(session, slug=slug, status=status, now=now)
    return redirect(request, _page(request, slug))


@router.post("/decks/{slug}/cards/{card_id}", name="decks_card_update")
def decks_card_update(
    slug: str,
    card_id: int,
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    now: NowDep,
    title_da: Annotated[str, Form()] = "",
    title_en: Annotated[str, Form()] = "",
    alt_da: Annotated[str, Form()] = "",
    alt_en: Annotated[str, Form()] = "",
    theme: Annotated[str, Form()] = "",
) -> Response:
    card = service.update_card(
        session,
        slug=slug,
        card_id=card_id,
        title_da=title_da,
        title_en=title_en,
        alt_da=alt_da,
        alt_en=alt_en,
        theme=theme,
        now=now,
    )
    return _card(request, session, slug, old_id=card_id, card_id=card.id or 0)


def _card(request: Request, session: Session, slug: str, *, old_id: int, card_id: int) -> Response:
    """After a card changed: its row again (or the page), marked saved."""
    deck = views.editor_view(session, slug=slug, lang=request.state.lang)
    context = _editor_of(session, deck, saved_card=card_id)
    view = next(c for c in deck.cards if c.id == card_id)
    # A new version has a new id: htmx replaces the old row (its id) with the new one.
    headers = {"HX-Retarget": f"#card-{old_id}", "HX-Reswap": "outerMorph"}
    return render(
        request,
        TEMPLATE,
        {**context, "card": view},
        block="card",
        page=_page(request, slug, f"card-{card_id}"),
        headers=headers,
    )


@router.post("/decks/{slug}/cards/{card_id}/image", name="decks_card_image")
async def decks_card_image(
    slug: str,
    card_id: int,
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    settings: SettingsDep,
    now: NowDep,
    image: Annotated[UploadFile | None, File()] = None,
) -> Response:
    if image is None or not (image.filename or image.size):
        raise DomainError(N_("Choose a picture first."))
    limits = UploadLimits.from_settings(settings)

    def replace() -> Response:
        # The answer's reads too: no SQL on the event loop, where waiting for a connection or
        # a lock would stop every request (DESIGN §8).
        data = read_limited(image.file, image.filename or "", limits)
        card = service.replace_card_image(
            session,
            slug=slug,
            card_id=card_id,
            data=data,
            file_name=image.filename or "",
            limits=limits,
            now=now,
        )
        return _card(request, session, slug, old_id=card_id, card_id=card.id or 0)

    return await to_thread.run_sync(replace)


@router.post("/decks/{slug}/cards/{card_id}/remove", name="decks_card_remove")
def decks_card_remove(
    slug: str,
    card_id: int,
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    now: NowDep,
) -> Response:
    service.remove_card(session, slug=slug, card_id=card_id, now=now)
    return _cards(request, session, slug)


@router.post("/decks/{slug}/cards/{card_id}/cover", name="decks_card_cover")
def decks_card_cover(
    slug: str,
    card_id: int,
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    now: NowDep,
) -> Response:
    service.set_cover(session, slug=slug, card_id=card_id, now=now)
    return _cards(request, session, slug)


@router.post("/decks/{slug}/cards/{card_id}/move", name="decks_card_move")
def decks_card_move(
    slug: str,
    card_id: int,
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    now: NowDep,
    offset: Annotated[int, Form()] = 0,
) -> Response:
    service.move_card(session, slug=slug, card_id=card_id, offset=max(-1, min(1, offset)), now=now)
    return _cards(request, session, slug)


@router.post("/decks/{slug}/order", name="decks_order")
def decks_order(
    slug: str,
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    now: NowDep,
    card: Annotated[list[int] | None, Form()] = None,
) -> Response:
    service.reorder_cards(session, slug=slug, card_ids=card or [], now=now)
    return _cards(request, session, slug)


@router.get("/decks/{slug}/preview", name="decks_preview")
def decks_preview(
    slug: str, request: Request, session: SessionDep, user: FacilitatorDep
) -> Response:
    deck = deck_view(session, slug=slug, lang=request.state.lang)
    return render(request, "decks/preview.html", {"deck": deck, **deck_preview(deck.cards)})


@router.get("/decks/{slug}/download", name="decks_download")
async def decks_download(
    slug: str, request: Request, session: SessionDep, user: FacilitatorDep
) -> Response:
    def build() -> archive.Exported:
        return archive.export_deck(session, deck=get_deck(session, slug))

    exported = await to_thread.run_sync(build)
    return Response(
        exported.data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{exported.file_name}"',
            "Cache-Control": "no-store",
        },
    )
