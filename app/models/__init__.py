"""SQLModel tables, one module per area; importing this registers them all."""

from app.models.accounts import LoginFailure, Role, SetupToken, User
from app.models.decks import Card, Deck, DeckPurpose, DeckStatus
from app.models.media import Image, ImageVariant

__all__ = [
    "Card",
    "Deck",
    "DeckPurpose",
    "DeckStatus",
    "Image",
    "ImageVariant",
    "LoginFailure",
    "Role",
    "SetupToken",
    "User",
]
