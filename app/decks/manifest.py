"""deck.toml, the manifest of a deck (DESIGN §3): every key but a card's file is optional."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from app.errors import N_, DomainError
from app.models import DeckPurpose

DECK_KEYS = {
    "name",
    "name_en",
    "purpose",
    "language",
    "licence",
    "attribution",
    "description",
    "cover",
}
CARD_KEYS = {"file", "title", "alt", "theme", "source", "author", "licence"}


@dataclass
class CardEntry:
    file: str
    title_da: str
    title_en: str = ""
    alt_da: str = ""
    alt_en: str = ""
    theme: str = ""
    source: str = ""
    author: str = ""
    licence: str = ""


@dataclass
class Manifest:
    name_da: str
    name_en: str = ""
    purpose: str = DeckPurpose.status
    language: str = "da"
    licence: str = ""
    attribution: str = ""
    description_da: str = ""
    description_en: str = ""
    cover: str = ""
    cards: list[CardEntry] = field(default_factory=list)


def title_from_file_name(name: str) -> str:
    """``solopgang_over-havet.jpg`` → ``Solopgang over havet``."""
    stem = PurePosixPath(name).stem
    words = re.sub(r"[_\-.]+", " ", stem).strip()
    words = re.sub(r"^\d+\s+", "", words) or words
    return words[:1].upper() + words[1:] if words else name


def _text(value: Any, key: str, where: str) -> tuple[str, str]:
    """A value that is a plain string (Danish) or a table ``{ da = …, en = … }``."""
    if value is None:
        return "", ""
    if isinstance(value, str):
        return value.strip(), ""
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        unknown = set(value) - {"da", "en"}
        if unknown:
            raise DomainError(
                N_("deck.toml: unknown language %(key)s in %(where)s."),
                key=", ".join(sorted(unknown)),
                where=where,
            )
        return value.get("da", "").strip(), value.get("en", "").strip()
    raise DomainError(N_("deck.toml: %(key)s in %(where)s must be text."), key=key, where=where)


def _plain(value: Any, key: str, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DomainError(N_("deck.toml: %(key)s in %(where)s must be text."), key=key, where=where)
    return value.strip()


def parse_manifest(text: str, *, default_name: str) -> Manifest:
    """The manifest, or a DomainError naming the line or key that is wrong."""
    try:
        data = tomllib.loads(text)
    except RecursionError as error:
        # tomllib parses nested arrays and tables recursively: thousands of brackets deep
        # exhaust the stack. No deck needs more than a few levels.
        raise DomainError(N_("deck.toml is nested too deeply.")) from error
    except tomllib.TOMLDecodeError as error:
        # Python 3.11 puts the position only into the message: "... (at line 3, column 11)".
        found = re.search(r"^(.*?)\s*\(at line (\d+), column \d+\)", str(error))
        raise DomainError(
            N_("deck.toml has a syntax error on line %(line)d: %(reason)s"),
            line=int(found.group(2)) if found else 0,
            reason=found.group(1) if found else str(error),
        ) from error
    unknown = set(data) - {"deck", "cards"}
    if unknown:
        raise DomainError(N_("deck.toml: unknown key %(key)s."), key=", ".join(sorted(unknown)))
    deck = data.get("deck", {})
    if not isinstance(deck, dict):
        raise DomainError(N_("deck.toml: [deck] must be a table."))
    unknown = set(deck) - DECK_KEYS
    if unknown:
        raise DomainError(
            N_("deck.toml: unknown key %(key)s in [deck]."), key=", ".join(sorted(unknown))
        )
    name_da, name_en = _text(deck.get("name"), "name", "[deck]")
    name_en = _plain(deck.get("name_en"), "name_en", "[deck]") or name_en
    purpose = _plain(deck.get("purpose"), "purpose", "[deck]") or DeckPurpose.status
    if purpose not in set(DeckPurpose):
        raise DomainError(N_("deck.toml: purpose must be status or inspiration."))
    description_da, description_en = _text(deck.get("description"), "description", "[deck]")
    manifest = Manifest(
        name_da=name_da or default_name,
        name_en=name_en,
        purpose=purpose,
        language=_plain(deck.get("language"), "language", "[deck]") or "da",
        licence=_plain(deck.get("licence"), "licence", "[deck]"),
        attribution=_plain(deck.get("attribution"), "attribution", "[deck]"),
        description_da=description_da,
        description_en=description_en,
        cover=_plain(deck.get("cover"), "cover", "[deck]"),
    )
    cards = data.get("cards", [])
    if not isinstance(cards, list):
        raise DomainError(N_("deck.toml: cards must be a list of [[cards]] tables."))
    seen: set[str] = set()
    for number, card in enumerate(cards, start=1):
        where = f"[[cards]] #{number}"
        if not isinstance(card, dict):
            raise DomainError(N_("deck.toml: %(where)s must be a table."), where=where)
        unknown = set(card) - CARD_KEYS
        if unknown:
            raise DomainError(
                N_("deck.toml: unknown key %(key)s in %(where)s."),
                key=", ".join(sorted(unknown)),
                where=where,
            )
        file = _plain(card.get("file"), "file", where)
        if not file:
            raise DomainError(N_("deck.toml: %(where)s has no file."), where=where)
        if file in seen:
            raise DomainError(N_("deck.toml: %(file)s is listed twice."), file=file)
        seen.add(file)
        title_da, title_en = _text(card.get("title"), "title", where)
        alt_da, alt_en = _text(card.get("alt"), "alt", where)
        manifest.cards.append(
            CardEntry(
                file=file,
                title_da=title_da or title_from_file_name(file),
                title_en=title_en,
                alt_da=alt_da,
                alt_en=alt_en,
                theme=_plain(card.get("theme"), "theme", where),
                source=_plain(card.get("source"), "source", where),
                author=_plain(card.get("author"), "author", where),
                licence=_plain(card.get("licence"), "licence", where),
            )
        )
    return manifest


def _string(value: str) -> str:
    # A JSON string is a valid TOML basic string: the same escapes, \uXXXX for the rest.
    return json.dumps(value, ensure_ascii=False)


def _pair(da: str, en: str) -> str:
    if not en:
        return _string(da)
    return f"{{ da = {_string(da)}, en = {_string(en)} }}"


def dump_manifest(manifest: Manifest) -> str:
    """deck.toml for a deck, the format ``parse_manifest`` reads (DESIGN §3: round trip)."""
    lines = ["# Arbejdsglæde card deck (DESIGN §3). Edit the texts, keep the file names.", ""]
    lines.append("[deck]")
    lines.append(f"name = {_pair(manifest.name_da, manifest.name_en)}")
    lines.append(f"purpose = {_string(manifest.purpose)}")
    lines.append(f"language = {_string(manifest.language)}")
    for key in ("licence", "attribution", "cover"):
        value = getattr(manifest, key)
        if value:
            lines.append(f"{key} = {_string(value)}")
    if manifest.description_da or manifest.description_en:
        lines.append(f"description = {_pair(manifest.description_da, manifest.description_en)}")
    for card in manifest.cards:
        lines += ["", "[[cards]]", f"file = {_string(card.file)}"]
        lines.append(f"title = {_pair(card.title_da, card.title_en)}")
        if card.alt_da or card.alt_en:
            lines.append(f"alt = {{ da = {_string(card.alt_da)}, en = {_string(card.alt_en)} }}")
        for key in ("theme", "source", "author", "licence"):
            value = getattr(card, key)
            if value:
                lines.append(f"{key} = {_string(value)}")
    return "\n".join(lines) + "\n"
