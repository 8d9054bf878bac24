"""A facilitator turns a folder of phone photos into a published, bilingual deck (issue 7):
upload with a progress bar, a report that names the bad file, replace just that file, edit,
reorder, publish, preview as the tablet shows it, download."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import LiveServer, log_in, screenshot, serious_axe_violations
from tests.deck_fixtures import big_noise_jpeg, make_zip, photo, truncated_jpeg

MANIFEST = """
[deck]
name = { da = "Vores værksted", en = "Our workshop" }
purpose = "status"
licence = "CC-BY-4.0"
attribution = "Fotos: Kommunikation"

[[cards]]
file = "hoevlebaenk.jpg"
title = { da = "Høvlebænk", en = "Workbench" }
alt = { da = "En høvlebænk med værktøj", en = "A workbench with tools" }
"""
# Phone-sized photos, so that the checking takes long enough to be seen.
PHOTO_SIZE = (4000, 3000)
PHOTOS = ["hoevlebaenk.jpg", "kaffepause.jpg", "morgenmoede.jpg", "vaerktoej.jpg"]


@pytest.fixture(scope="module")
def workshop_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("upload")
    entries: list[tuple[str, bytes]] = [("deck.toml", MANIFEST.encode())]
    entries += [(name, big_noise_jpeg(PHOTO_SIZE)) for name in PHOTOS]
    entries.append(("oedelagt.jpg", truncated_jpeg()))
    path = folder / "vores-vaerksted.zip"
    path.write_bytes(make_zip(entries, compression=zipfile.ZIP_STORED))
    return path


def record_progress(page: Page) -> list[dict[str, object]]:
    """Every phase upload.js announces, collected in the test (no timing involved)."""
    seen: list[dict[str, object]] = []
    page.expose_binding("recordUploadProgress", lambda _source, detail: seen.append(detail))
    page.add_init_script(
        "document.addEventListener('deck-upload:progress',"
        " (e) => window.recordUploadProgress(e.detail));"
    )
    return seen


def test_upload_fix_edit_publish_preview_download(
    page: Page, live_server: LiveServer, workshop_zip: Path, tmp_path: Path
) -> None:
    phases = record_progress(page)
    log_in(page, live_server, lang="en")
    page.goto(f"{live_server.url}/decks")
    page.get_by_role("link", name="Upload a deck").click()
    expect(page.get_by_role("heading", name="Upload a deck")).to_be_visible()
    assert serious_axe_violations(page) == []
    screenshot(page, "deck-upload-en")

    page.get_by_label("Choose a zip file or images").set_input_files(workshop_zip)
    page.get_by_role("button", name="Upload and check").click()
    progress = page.locator("[data-upload-progress] progress")
    expect(progress).to_be_visible()
    expect(page.locator("[data-upload-progress]")).to_have_attribute("data-phase", "checking")
    screenshot(page, "deck-upload-progress-en")

    # One damaged photo: no deck, a report that names it and says why.
    page.wait_for_url("**/decks/uploads/**")
    expect(page.get_by_role("heading", name="Vores værksted")).to_be_visible()
    bad = page.locator(".report-line", has_text="oedelagt.jpg")
    expect(bad).to_contain_text("The image file is damaged or incomplete.")
    expect(page.get_by_text("4 files are fine")).to_be_visible()
    assert serious_axe_violations(page) == []
    screenshot(page, "deck-upload-report-en")
    assert {p["phase"] for p in phases} >= {"sending", "checking"}
    assert any(p["phase"] == "checking" and p.get("max", 0) == 6 for p in phases), phases

    # Replace only the bad file; the four good photos are not sent again.
    replacement = tmp_path / "ny.png"
    replacement.write_bytes(photo((900, 1200), fmt="PNG", colour=(30, 120, 200)))
    page.get_by_label("A new file for oedelagt.jpg").set_input_files(replacement)
    page.wait_for_url("**/decks/vores-vaerksted/edit")
    expect(page.get_by_role("heading", name="Our workshop")).to_be_visible()
    cards = page.locator("#deck-cards > li")
    expect(cards).to_have_count(5)
    expect(page.get_by_label("Title (Danish)").first).to_have_value("Høvlebænk")

    # Titles default from the file names; give one an English title, saved on leaving it.
    second = cards.nth(1)
    expect(second.get_by_label("Title (Danish)")).to_have_value("Kaffepause")
    second.get_by_label("Title (English)").fill("Coffee break")
    second.get_by_label("Alt text (English)").click()
    expect(page.locator("#deck-cards > li").nth(1).get_by_role("status")).to_have_text("Saved")

    # Order by button, then by dragging the handle.
    page.get_by_role("button", name="Move Kaffepause up").click()
    expect(cards.first.get_by_label("Title (Danish)")).to_have_value("Kaffepause")
    # The last card to the top: held at the window's top edge, the page scrolls up with it.
    cards.nth(4).locator(".edit-card-handle").hover()
    page.mouse.down()
    page.mouse.move(200, 30, steps=10)
    expect(cards.first.get_by_label("Title (Danish)")).to_have_value("Vaerktoej")
    page.mouse.up()
    page.get_by_role("button", name="Use Høvlebænk as the cover").click()
    expect(page.get_by_role("button", name="Use Høvlebænk as the cover")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.reload()
    titles = [cards.nth(i).get_by_label("Title (Danish)").input_value() for i in range(5)]
    assert titles == ["Vaerktoej", "Kaffepause", "Høvlebænk", "Morgenmoede", "Oedelagt"]
    assert serious_axe_violations(page) == []
    screenshot(page, "deck-editor-en")

    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".editor-title .deck-status")).to_have_text("Published")

    page.get_by_role("link", name="Preview").click()
    expect(page.get_by_role("heading", name="Status")).to_be_visible()
    # The Status step's own grid and chosen-cards panel, each card tappable, nothing saved.
    preview_cards = page.locator("[data-preview-picks] button.card-pick")
    expect(preview_cards).to_have_count(5)
    coffee = page.get_by_role("button", name="Coffee break", exact=True)
    expect(coffee).to_be_visible()
    coffee.tap()
    expect(coffee).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#chosen .count")).to_have_text("1/3")
    # The large view: a long press on touch, or the keyboard's own button.
    page.get_by_role("button", name="Show Coffee break large").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#card-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    assert serious_axe_violations(page) == []
    screenshot(page, "deck-preview-status-en")
    page.goto(page.url.split("?")[0] + "?lang=da")
    expect(page.get_by_role("button", name="Kaffepause", exact=True)).to_be_visible()
    screenshot(page, "deck-preview-status-da")

    page.get_by_role("link", name="Tilbage til redigeringen").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Hent zip").click()
    data = Path(download_info.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    assert names[0] == "deck.toml" and len(names) == 6
