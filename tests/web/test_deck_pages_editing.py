"""The deck pages over HTTP: upload with its report, the editor's fragments and full pages,
who sees drafts, CSRF on every change, the download (DESIGN §3, §5, §6)."""

from __future__ import annotations

import io
import re
import zipfile

from tests import deck_fixtures as fx
from tests.support import PARTIAL, Client
from tests.support.deck_pages import (
    as_role,
    card_ids,
    new_deck,
    upload,
    upload_and_replace_the_bad_file,
    zip_of,
)


def test_upload_page_has_the_form_with_token_first_and_its_own_script(facilitator: Client) -> None:
    page = facilitator.get("/decks/new?lang=en").text
    form = page.split('class="panel upload-form"', 1)[1].split("</form>")[0]
    assert form.index('name="csrftoken"') < form.index('type="file"')
    assert 'src="/static/js/upload.js' in page
    assert "<script>" not in page  # no inline script (CSP)
    assert "at most 25 MB and 50 megapixels per image, 800 MB in all" in page


def test_a_clean_upload_goes_to_the_editor_and_json_for_the_script(facilitator: Client) -> None:
    new_deck(facilitator)
    response = upload(
        facilitator, [("hav.jpg", fx.photo(colour=(3, 4, 5)))], accept="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "status": "imported",
        "redirect": "/decks/nyt-kortsaet-1-december-2026/edit",
    }


def test_a_refused_upload_shows_the_report_in_danish(facilitator: Client) -> None:
    response = upload(facilitator, [("b.zip", zip_of(2, ("cut.jpg", fx.truncated_jpeg())))])
    report_url = response.headers["location"]
    assert report_url.startswith("/decks/uploads/")
    page = facilitator.get(report_url + "?lang=da").text
    assert "Kortsættet blev ikke indlæst. Intet er gemt." in page
    assert "Billedfilen er beskadiget eller ufuldstændig." in page
    assert "2 filer er i orden" in page
    assert re.search(r"De 2 gode filer gemmes indtil \d+\. dec\. 2026 kl\. \d\d\.\d\d,", page)
    thumbs = re.findall(r'src="(/decks/uploads/[^"]+\.webp)"', page)
    assert len(thumbs) == 2
    image = facilitator.get(thumbs[0])
    assert image.status_code == 200 and image.headers["content-type"] == "image/webp"
    progress = facilitator.get(report_url + "/progress", headers={"accept": "application/json"})
    assert progress.json() == {"status": "refused", "done": 3, "total": 3, "redirect": report_url}


def test_the_report_counts_good_files_in_words_that_fit_the_number(facilitator: Client) -> None:
    """One good file is "the good file", not "the 1 good files"; none is not mentioned."""
    one = upload(facilitator, [("c.zip", zip_of(1, ("cut.jpg", fx.truncated_jpeg())))])
    page = facilitator.get(one.headers["location"] + "?lang=da").text
    assert "Den gode fil gemmes indtil" in page and "gode filer" not in page
    page = facilitator.get(one.headers["location"] + "?lang=en").text
    assert re.search(r"The good file is kept until \d+ Dec 2026, \d\d:\d\d,", page)
    assert "good files" not in page
    none = upload(facilitator, [("d.zip", fx.make_zip([("cut.jpg", fx.truncated_jpeg())]))])
    page = facilitator.get(none.headers["location"] + "?lang=da").text
    assert "Udskift hver fil" in page and "gemmes indtil" not in page


def test_replacing_the_bad_file_over_htmx_redirects_to_the_editor(facilitator: Client) -> None:
    fixed = upload_and_replace_the_bad_file(facilitator)
    assert fixed.status_code == 204
    assert fixed.headers["hx-redirect"] == "/decks/b/edit"


def test_someone_elses_upload_is_not_there(client: Client) -> None:
    as_role(client, "facilitator")
    response = upload(client, [("b.zip", zip_of(1, ("cut.jpg", fx.truncated_jpeg())))])
    report_url = response.headers["location"]
    client.post("/logout", data={"csrftoken": client.csrf})
    as_role(client, "admin")
    assert client.get(report_url).status_code == 404
    assert client.get(report_url + "/progress").status_code == 404


def test_changes_need_the_csrf_token(facilitator: Client) -> None:
    slug = new_deck(facilitator)
    first = card_ids(facilitator, slug)[0]
    without = facilitator.post(f"/decks/{slug}/cards/{first}", data={"title_da": "X"})
    assert without.status_code == 403
    with_header = facilitator.post(
        f"/decks/{slug}/cards/{first}",
        data={"title_da": "X"},
        headers={"x-csrftoken": facilitator.csrf},
        follow_redirects=False,
    )
    assert with_header.status_code == 303


def test_editor_full_page_and_card_fragment(facilitator: Client) -> None:
    slug = new_deck(facilitator)
    page = facilitator.get(f"/decks/{slug}/edit?lang=en")
    assert page.text.startswith("<!doctype html>") and "HX-Request-Type" in page.headers["vary"]
    assert 'src="/static/js/deck-editor.js' in page.text
    first = card_ids(facilitator, slug)[0]
    saved = facilitator.post(
        f"/decks/{slug}/cards/{first}",
        data={"title_da": "Blade", "title_en": "Leaves", "alt_da": "", "alt_en": "", "theme": ""},
        headers={"x-csrftoken": facilitator.csrf, **PARTIAL},
    )
    assert saved.status_code == 200
    assert saved.text.lstrip().startswith(f'<li id="card-{first}"')
    assert 'value="Leaves"' in saved.text and "Saved" in saved.text
    assert saved.headers["hx-retarget"] == f"#card-{first}"
    # A rule broken: the message for #messages, in the user's language.
    empty = facilitator.post(
        f"/decks/{slug}/cards/{first}",
        data={"title_da": " "},
        headers={"x-csrftoken": facilitator.csrf, **PARTIAL},
    )
    assert empty.status_code == 422 and "A card needs a Danish title." in empty.text


def test_move_returns_the_card_list_fragment(facilitator: Client) -> None:
    slug = new_deck(facilitator)
    ids = card_ids(facilitator, slug)
    moved = facilitator.post(
        f"/decks/{slug}/cards/{ids[2]}/move",
        data={"offset": "-1"},
        headers={"x-csrftoken": facilitator.csrf, **PARTIAL},
    )
    assert moved.text.lstrip().startswith('<ol id="deck-cards"')
    assert card_ids(facilitator, slug) == [ids[0], ids[2], ids[1]]
    facilitator.post(
        f"/decks/{slug}/order",
        data={"card": [str(i) for i in reversed(ids)]},
        headers={"x-csrftoken": facilitator.csrf, **PARTIAL},
    )
    assert card_ids(facilitator, slug) == list(reversed(ids))


def test_leaders_see_published_decks_only_facilitators_filter(client: Client) -> None:
    as_role(client, "facilitator")
    slug = new_deck(client)
    assert "Vores billeder" in client.get("/decks").text  # current: drafts too
    assert "Vores billeder" not in client.get("/decks?show=published").text
    assert "Vores billeder" in client.get("/decks?show=draft").text
    client.post("/logout", data={"csrftoken": client.csrf})
    as_role(client, "leader")
    assert "Vores billeder" not in client.get("/decks?show=draft").text
    assert client.get(f"/decks/{slug}").status_code == 404
    assert client.get(f"/decks/{slug}/edit").status_code == 403


def test_publish_then_leaders_see_it(client: Client) -> None:
    as_role(client, "facilitator")
    slug = new_deck(client)
    response = client.post(
        f"/decks/{slug}/status",
        data={"status": "published", "csrftoken": client.csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    client.post("/logout", data={"csrftoken": client.csrf})
    as_role(client, "leader")
    assert "Vores billeder" in client.get("/decks").text
    assert client.get(f"/decks/{slug}").status_code == 200


def test_preview_shows_the_step_and_download_is_the_zip(facilitator: Client) -> None:
    slug = new_deck(facilitator)
    preview = facilitator.get(f"/decks/{slug}/preview?lang=en").text
    # The Status step's own markup (the same template as in a conversation), every card
    # tappable, and nothing that would send a request: a preview saves nothing.
    assert '<h1 id="step-heading">Status</h1>' in preview
    assert 'class="chosen panel"' in preview and '<span class="count-now">0</span>/3' in preview
    cards = re.findall(r'<button type="button" class="card card-pick"[^>]*>', preview)
    assert len(cards) == 3
    assert all("data-preview-pick" in card and "disabled" not in card for card in cards)
    assert "hx-post" not in preview and "data-place-url" not in preview
    download = facilitator.get(f"/decks/{slug}/download")
    assert download.headers["content-type"] == "application/zip"
    assert download.headers["content-disposition"] == f'attachment; filename="{slug}.zip"'
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert archive.namelist()[0] == "deck.toml" and len(archive.namelist()) == 4


def test_the_deck_list_fragment_is_only_for_partial_requests(facilitator: Client) -> None:
    new_deck(facilitator)
    part = facilitator.get("/decks", headers=PARTIAL).text
    assert part.lstrip().startswith('<ul class="deck-list"')
    full = facilitator.get("/decks", headers={"HX-Request": "true", "HX-Request-Type": "full"})
    assert full.text.startswith("<!doctype html>")


def test_preview_of_an_inspiration_deck_is_the_board_step(facilitator: Client) -> None:
    slug = new_deck(facilitator, n=4)
    response = facilitator.post_form(
        f"/decks/{slug}/edit",
        {"name_da": "Vores billeder", "purpose": "inspiration", "language": "da"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    preview = facilitator.get(f"/decks/{slug}/preview?lang=en").text
    tray = re.findall(r'<button type="button" class="card card-word card-place"[^>]*>', preview)
    assert len(tray) == 4 and all("data-preview-pick" in card for card in tray)
    assert preview.count('<section class="board-row') == 3
    assert "Glad" in preview and "Even more glad" in preview
    assert "hx-post" not in preview and "data-place-url" not in preview
