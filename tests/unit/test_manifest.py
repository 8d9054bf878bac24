from __future__ import annotations

import pytest

from app.decks.manifest import parse_manifest, title_from_file_name
from app.errors import DomainError

EXAMPLE = """
[deck]
name = "Vores billeder"
purpose = "status"
language = "da"
licence = "CC-BY-4.0"
attribution = "Fotos: Kommunikation"

[[cards]]
file = "sol.jpg"
title = { da = "Sol", en = "Sun" }
alt = { da = "Sol over en mark", en = "Sun over a field" }
theme = "energi"

[[cards]]
file = "regn_over-byen.jpg"
"""


def test_design_example_parses() -> None:
    manifest = parse_manifest(EXAMPLE, default_name="x")
    assert manifest.name_da == "Vores billeder"
    assert manifest.purpose == "status"
    sun, rain = manifest.cards
    assert (sun.title_da, sun.title_en, sun.alt_en, sun.theme) == (
        "Sol",
        "Sun",
        "Sun over a field",
        "energi",
    )
    assert rain.title_da == "Regn over byen"


def test_empty_manifest_is_named_after_the_upload() -> None:
    manifest = parse_manifest("", default_name="Mine fotos")
    assert manifest.name_da == "Mine fotos" and manifest.cards == []


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(DomainError) as error:
        parse_manifest('[deck]\nname = "ok"\npurpose = status\n', default_name="x")
    assert error.value.params["line"] == 3


@pytest.mark.parametrize(
    "text",
    [
        '[deck]\ncolour = "red"\n',
        '[[cards]]\nfile = "a.jpg"\nsize = 3\n',
        '[deck]\npurpose = "other"\n',
        '[[cards]]\ntitle = "No file"\n',
        '[[cards]]\nfile = "a.jpg"\n[[cards]]\nfile = "a.jpg"\n',
        '[[cards]]\nfile = "a.jpg"\ntitle = { de = "Sonne" }\n',
    ],
)
def test_bad_manifests_are_refused(text: str) -> None:
    with pytest.raises(DomainError):
        parse_manifest(text, default_name="x")


def test_title_from_file_name() -> None:
    assert title_from_file_name("03_solopgang_over-havet.JPG") == "Solopgang over havet"
