"""Every bad upload is refused with a clear message per file, and nothing is half-stored
(DESIGN §3, §6). Each bad case is made here with Pillow and zipfile."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlmodel import Session, select

from app.decks.archive import import_archive
from app.decks.service import DeckRefused
from app.decks.zipcheck import UploadLimits
from app.i18n import translate
from app.models import Card, Deck, ImageVariant
from app.models import Image as StoredImage
from tests import deck_fixtures as fx

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LIMITS = UploadLimits(max_pixels=50_000_000)
GOOD = ("good.jpg", fx.photo())
Entries = list[tuple[str | zipfile.ZipInfo, bytes]]


def run_import(session: Session, data: bytes, limits: UploadLimits = LIMITS) -> Deck:
    return import_archive(
        session, stream=io.BytesIO(data), zip_name="upload.zip", limits=limits, now=NOW
    )


def refusals(session: Session, data: bytes, limits: UploadLimits = LIMITS) -> dict[str, str]:
    """{file: the English message}; and proof that nothing at all was stored."""
    with pytest.raises(DeckRefused) as refused:
        run_import(session, data, limits)
    session.rollback()
    for table in (Deck, Card, StoredImage, ImageVariant):
        assert session.exec(select(table)).all() == [], table
    return {p.file: translate("en", p.message, **p.params) for p in refused.value.problems}


BAD_FILES: dict[str, tuple[Callable[[], Entries], str, str]] = {
    # case: (entries besides a good file, the file named in the report, words of its reason)
    "path traversal": (
        lambda: [("../../etc/evil.jpg", fx.photo())],
        "../../etc/evil.jpg",
        "outside the zip",
    ),
    "absolute path": (lambda: [("/etc/evil.jpg", fx.photo())], "/etc/evil.jpg", "outside the zip"),
    "windows drive": (lambda: [("C:/evil.jpg", fx.photo())], "C:/evil.jpg", "outside the zip"),
    "backslash traversal": (
        lambda: [("..\\evil.jpg", fx.photo())],
        "..\\evil.jpg",
        "outside the zip",
    ),
    "symlink": (lambda: [(fx.symlink("link.jpg"), b"/etc/passwd")], "link.jpg", "link"),
    "sub-folder": (
        lambda: [("a.jpg", fx.photo((90, 90))), ("more/b.jpg", fx.photo((80, 80)))],
        "more/b.jpg",
        "sub-folder",
    ),
    "svg": (lambda: [("drawing.svg", fx.svg())], "drawing.svg", "SVG"),
    "svg renamed .jpg": (lambda: [("photo.jpg", fx.svg_with_xml_prolog())], "photo.jpg", "SVG"),
    "html renamed .jpg": (lambda: [("photo.jpg", fx.html_page())], "photo.jpg", "web page"),
    "windows program renamed .jpg": (
        lambda: [("photo.jpg", fx.windows_program())],
        "photo.jpg",
        "program",
    ),
    "linux program renamed .png": (
        lambda: [("photo.png", fx.elf_program())],
        "photo.png",
        "program",
    ),
    "jpeg with a web page after it": (
        lambda: [("poly.jpg", fx.jpeg_with_html())],
        "poly.jpg",
        "hides other content",
    ),
    "jpeg that is also a zip": (
        lambda: [("poly.jpg", fx.jpeg_with_zip())],
        "poly.jpg",
        "hides other content",
    ),
    "truncated jpeg": (
        lambda: [("cut.jpg", fx.truncated_jpeg())],
        "cut.jpg",
        "damaged or incomplete",
    ),
    "gif": (lambda: [("anim.gif", fx.gif())], "anim.gif", "GIF"),
    "heic": (lambda: [("iphone.jpg", fx.heic_like())], "iphone.jpg", "HEIC"),
    "pdf": (lambda: [("scan.jpg", b"%PDF-1.7\n" + b"0" * 200)], "scan.jpg", "PDF"),
    "text file": (
        lambda: [("readme.txt", b"Just some words.\n")],
        "readme.txt",
        "supported format",
    ),
    "empty file": (lambda: [("empty.jpg", b"")], "empty.jpg", "empty"),
    "zip in the zip": (lambda: [("inner.zip", fx.make_zip([GOOD]))], "inner.zip", "archive"),
    "too many pixels": (
        lambda: [("huge.png", fx.png_claiming(10_000, 8_000))],
        "huge.png",
        "80 megapixels",
    ),
    "decompression bomb": (
        lambda: [("bomb.png", fx.png_claiming(30_000, 30_000))],
        "bomb.png",
        "too many pixels",
    ),
    "same image twice": (
        lambda: [("zz-copy.jpg", GOOD[1])],
        "zz-copy.jpg",
        "same image as good.jpg",
    ),
    "same name twice": (
        lambda: [("good.jpg", fx.photo((99, 99)))],
        "good.jpg",
        "two files with this name",
    ),
    "manifest syntax error": (
        lambda: [("deck.toml", b'[deck]\nname = "A"\npurpose = status\n')],
        "deck.toml",
        "line 3",
    ),
    "manifest unknown key": (
        lambda: [("deck.toml", b'[deck]\ncolour = "red"\n')],
        "deck.toml",
        "unknown key colour",
    ),
    "manifest names a missing file": (
        lambda: [("deck.toml", b'[[cards]]\nfile = "gone.jpg"\n')],
        "gone.jpg",
        "not in the upload",
    ),
    "manifest cover is no card": (
        lambda: [("deck.toml", b'[deck]\ncover = "x.jpg"\n')],
        "deck.toml",
        "cover x.jpg",
    ),
    "manifest not utf-8": (
        lambda: [("deck.toml", '[deck]\nname = "Æble"\n'.encode("latin-1"))],
        "deck.toml",
        "UTF-8",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_refused_with_its_reason_and_nothing_is_stored(
    session: Session, case: str
) -> None:
    make, file, reason = BAD_FILES[case]
    found = refusals(session, fx.make_zip([GOOD, *make()]))
    assert file in found, found
    assert reason in found[file], found[file]
    assert "good.jpg" not in found or case == "same name twice"


def test_an_encrypted_entry_is_refused(session: Session) -> None:
    data = fx.with_encryption_flag(
        fx.make_zip([GOOD, ("secret.jpg", fx.photo((70, 70)))]), "secret.jpg"
    )
    found = refusals(session, data)
    assert "encrypted" in found["secret.jpg"]


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(session: Session) -> None:
    limits = UploadLimits(max_file_bytes=50_000)
    big = fx.big_noise_jpeg((600, 400))
    assert len(big) > 50_000
    found = refusals(session, fx.make_zip([GOOD, ("big.jpg", big)]), limits)
    assert "too large" in found["big.jpg"] and "at most" in found["big.jpg"]


def test_a_zip_bomb_entry_is_refused_by_its_compression_ratio(session: Session) -> None:
    # 20 MB of zeros deflate to about 20 KB: a ratio no photo ever has.
    found = refusals(session, fx.make_zip([GOOD, ("zeros.png", b"\0" * 20_000_000)]))
    assert "zip bomb" in found["zeros.png"]


def test_too_many_entries_refuse_the_whole_zip(session: Session) -> None:
    entries = [(f"{n}.jpg", b"x") for n in range(12)]
    found = refusals(session, fx.make_zip(entries), UploadLimits(max_entries=10))
    assert found == {"upload.zip": "upload.zip holds too many files (12; at most 10)."}


def test_too_much_unpacked_refuses_the_whole_zip(session: Session) -> None:
    limits = UploadLimits(max_total_bytes=3 * 1024 * 1024)
    entries = [(f"{n}.jpg", b"\0" * 1024 * 1024) for n in range(4)]
    found = refusals(session, fx.make_zip(entries), limits)
    assert "unpacks to 4 MB; at most 3 MB" in found["upload.zip"]


def test_not_a_zip_is_refused(session: Session) -> None:
    found = refusals(session, b"PK\x03\x04 but then nothing of a zip")
    assert found == {"upload.zip": "upload.zip is not a valid zip file."}


def test_reasons_are_in_danish_for_a_danish_user(session: Session) -> None:
    with pytest.raises(DeckRefused) as refused:
        run_import(session, fx.make_zip([GOOD, ("cut.jpg", fx.truncated_jpeg())]))
    (problem,) = refused.value.problems
    assert translate("da", problem.message, **problem.params) == (
        "Billedfilen er beskadiget eller ufuldstændig."
    )


# -- not refused: converted, and told ------------------------------------------------------


def largest(session: Session, card: Card) -> Image.Image:
    data = session.exec(
        select(ImageVariant.data)
        .where(ImageVariant.image_sha256 == card.image_sha256)
        .order_by(ImageVariant.width.desc())  # type: ignore[attr-defined]
    ).first()
    assert data is not None
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def cards_of(session: Session, data: bytes) -> dict[str, Card]:
    deck = run_import(session, data)
    return {c.file_name: c for c in session.exec(select(Card).where(Card.deck_id == deck.id))}


def test_cmyk_16_bit_and_animated_images_are_converted_not_refused(session: Session) -> None:
    cards = cards_of(
        session,
        fx.make_zip(
            [
                ("cmyk.jpg", fx.cmyk_jpeg()),
                ("grey16.png", fx.png_16_bit()),
                ("anim.png", fx.animated("PNG")),
                ("anim.webp", fx.animated("WEBP")),
            ]
        ),
    )
    assert set(cards) == {"cmyk.jpg", "grey16.png", "anim.png", "anim.webp"}
    for card in cards.values():
        image = largest(session, card)
        assert image.format == "WEBP" and image.mode == "RGB"
        assert not getattr(image, "is_animated", False)
    # The first frame of the animation was red.
    r, g, b = largest(session, cards["anim.png"]).getpixel((150, 150))  # type: ignore[misc]
    assert r > 200 and g < 60 and b < 60


def test_exif_location_never_survives_and_orientation_is_applied(session: Session) -> None:
    source = fx.photo((800, 600), gps=True, orientation=6)
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)
    card = cards_of(session, fx.make_zip([("gps.jpg", source)]))["gps.jpg"]
    for data in session.exec(
        select(ImageVariant.data).where(ImageVariant.image_sha256 == card.image_sha256)
    ):
        image = Image.open(io.BytesIO(data))
        assert not image.getexif() and "exif" not in image.info
        assert image.height > image.width  # turned as the camera was held


def test_a_zip_of_a_folder_loses_the_folder_and_the_systems_litter(session: Session) -> None:
    cards = cards_of(
        session,
        fx.make_zip(
            [
                ("Vores billeder/sol.jpg", fx.photo((90, 90))),
                ("Vores billeder/.DS_Store", b"\0\0\0\1Bud1"),
                ("Vores billeder/Thumbs.db", b"\xd0\xcf\x11\xe0"),
                ("__MACOSX/Vores billeder/._sol.jpg", b"\0\5\26\7"),
                ("Vores billeder/regn.png", fx.photo((80, 80), fmt="PNG")),
            ]
        ),
    )
    assert sorted(cards) == ["regn.png", "sol.jpg"]
    assert cards["sol.jpg"].title_da == "Sol"


def test_type_comes_from_the_content_not_the_name(session: Session) -> None:
    cards = cards_of(session, fx.make_zip([("really-a-png.jpg", fx.photo(fmt="PNG"))]))
    assert "really-a-png.jpg" in cards
