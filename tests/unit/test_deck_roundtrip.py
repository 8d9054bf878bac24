"""Download a deck, upload the zip again: the same deck, down to the image hashes (DESIGN §3),
and the same bytes when downloaded once more. Also through the command line (DESIGN §7)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tomllib
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from app.db import make_engine, read_session
from app.decks import archive, service
from app.decks.edit import service as editing
from app.decks.zipcheck import UploadLimits
from app.models import Card, Deck, DeckStatus, Image
from tests import deck_fixtures as fx

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LIMITS = UploadLimits()
MANIFEST = """
[deck]
name = { da = "Vores billeder", en = "Our pictures" }
purpose = "inspiration"
language = "da"
licence = "CC-BY-4.0"
attribution = "Fotos: \\"Kommunikation\\", Eksempel Kommune"
description = { da = "Vælg et kort", en = "Pick a card" }
cover = "regn.png"

[[cards]]
file = "sol.jpg"
title = { da = "Sol", en = "Sun" }
alt = { da = "Sol over en mark", en = "Sun over a field" }
theme = "energi"
source = "Eget foto"
author = "Ane"
licence = "CC0-1.0"

[[cards]]
file = "regn.png"
title = { da = "Regn", en = "Rain" }
"""


def import_zip(session: Session, data: bytes, name: str = "vores.zip") -> Deck:
    return archive.import_archive(
        session, stream=io.BytesIO(data), zip_name=name, limits=LIMITS, now=NOW
    )


def snapshot(session: Session, deck: Deck) -> dict[str, object]:
    cards = service.current_cards(session, deck.id or 0)
    fields = ("name_da", "name_en", "purpose", "language", "licence", "attribution")
    return {
        **{key: getattr(deck, key) for key in (*fields, "description_da", "description_en")},
        "cards": [
            (
                c.position,
                c.title_da,
                c.title_en,
                c.alt_da,
                c.alt_en,
                c.theme,
                c.source,
                c.author,
                c.licence,
                c.is_cover,
                c.image_sha256,
            )
            for c in cards
        ],
    }


def original_zip() -> bytes:
    sol, blad = fx.distinct_photos(2, size=(1600, 2000))
    return fx.make_zip(
        [
            ("deck.toml", MANIFEST.encode()),
            ("sol.jpg", sol),
            ("regn.png", fx.photo((900, 1100), fmt="PNG", colour=(40, 40, 200))),
            ("blad.jpg", blad),
        ]
    )


def test_download_then_upload_gives_the_identical_deck(session: Session) -> None:
    first = import_zip(session, original_zip())
    # Edited in the browser after the import: the download carries the edits.
    blad = next(c for c in service.current_cards(session, first.id or 0) if c.title_da == "Blad")
    editing.update_card(
        session,
        slug=first.slug,
        card_id=blad.id or 0,
        title_da="Blad",
        title_en="Leaf",
        alt_da="Et grønt blad",
        alt_en="A green leaf",
        theme="vækst",
        now=NOW,
    )
    exported = archive.export_deck(session, deck=first)
    images_before = len(session.exec(select(Image)).all())

    second = import_zip(session, exported.data, exported.file_name)
    assert second.id != first.id
    assert snapshot(session, second) == snapshot(session, first)
    # The very same images: recognised by their bytes, nothing decoded or stored again.
    assert len(session.exec(select(Image)).all()) == images_before
    # And downloaded again, byte for byte the same zip.
    assert archive.export_deck(session, deck=second).data == exported.data


def test_the_zip_has_deck_toml_first_and_one_largest_variant_per_card(session: Session) -> None:
    deck = import_zip(session, original_zip())
    exported = archive.export_deck(session, deck=deck)
    with zipfile.ZipFile(io.BytesIO(exported.data)) as zipped:
        names = zipped.namelist()
        manifest = tomllib.loads(zipped.read("deck.toml").decode())
        sizes = {name: fx_size(zipped.read(name)) for name in names[1:]}
    assert names == ["deck.toml", "sol.webp", "regn.webp", "blad.webp"]
    assert [card["file"] for card in manifest["cards"]] == names[1:]
    assert manifest["deck"]["cover"] == "regn.webp"
    assert manifest["deck"]["name"] == {"da": "Vores billeder", "en": "Our pictures"}
    assert sizes["sol.webp"] == (1280, 1600) and sizes["regn.webp"] == (900, 1100)


def fx_size(data: bytes) -> tuple[int, int]:
    from PIL import Image as PILImage

    return PILImage.open(io.BytesIO(data)).size


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARBEJDSGLAEDE_")}
    env |= {"ARBEJDSGLAEDE_DATA_DIR": str(data_dir), "ARBEJDSGLAEDE_LOAD_DEFAULT_DECKS": "false"}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=data_dir.parent,
        env=env,
        capture_output=True,
        text=True,
    )


def test_cli_import_and_export_round_trip(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    source = tmp_path / "vores.zip"
    source.write_bytes(original_zip())
    result = run_cli(data_dir, "import-deck", str(source))
    assert result.returncode == 0, result.stderr
    assert "vores-billeder" in result.stdout
    out = tmp_path / "out.zip"
    result = run_cli(data_dir, "export-deck", "Vores billeder", "--output", str(out))
    assert result.returncode == 0, result.stderr
    again = run_cli(data_dir, "export-deck", "vores-billeder", "--output", str(tmp_path / "b.zip"))
    assert again.returncode == 0 and (tmp_path / "b.zip").read_bytes() == out.read_bytes()
    assert run_cli(data_dir, "import-deck", "--draft", str(out)).returncode == 0
    engine = make_engine(f"sqlite:///{data_dir / 'arbejdsglaede.db'}")
    with read_session(engine) as session:
        decks = session.exec(select(Deck).order_by(Deck.id)).all()  # type: ignore[arg-type]
        assert [d.status for d in decks] == [DeckStatus.published, DeckStatus.draft]
        assert snapshot(session, decks[0]) == snapshot(session, decks[1])
    engine.dispose()


def test_cli_refuses_a_bad_deck_with_one_line_per_file_and_stores_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    source = tmp_path / "bad.zip"
    source.write_bytes(
        fx.make_zip(
            [
                ("deck.toml", b'[[cards]]\nfile = "gone.jpg"\n'),
                ("ok.jpg", fx.photo()),
                ("cut.jpg", fx.truncated_jpeg()),
                ("page.jpg", fx.html_page()),
            ]
        )
    )
    result = run_cli(data_dir, "import-deck", str(source))
    assert result.returncode == 1
    assert sorted(result.stdout.splitlines()) == [
        "cut.jpg: The image file is damaged or incomplete.",
        "gone.jpg: Listed in deck.toml but not in the upload.",
        "page.jpg: A web page or text file, not an image.",
    ]
    assert "Nothing was saved" in result.stderr
    danish = run_cli(data_dir, "import-deck", "--lang", "da", str(source))
    assert "cut.jpg: Billedfilen er beskadiget eller ufuldstændig." in danish.stdout
    engine = make_engine(f"sqlite:///{data_dir / 'arbejdsglaede.db'}")
    with read_session(engine) as session:
        assert session.exec(select(Deck)).all() == [] and session.exec(select(Card)).all() == []
    engine.dispose()


def test_cli_export_of_an_unknown_deck_fails(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "var", "export-deck", "nope", "--output", str(tmp_path / "x.zip"))
    assert result.returncode == 1 and "No deck named 'nope'" in result.stderr
