from __future__ import annotations

import re

from tests.support import Client, add_user


def logged_in(client: Client) -> Client:
    add_user(client, "leder@example.org")
    client.login("leder@example.org")
    return client


def test_deck_list_shows_both_default_decks_status_first(decks_client: Client) -> None:
    page = logged_in(decks_client).get("/decks?lang=en").text
    assert page.index("Status") < page.index("Job satisfaction")
    assert "20 cards" in page and "40 cards" in page


def test_deck_page_cards_are_buttons_named_by_title_with_alt_text(decks_client: Client) -> None:
    page = logged_in(decks_client).get("/decks/arbejdsglaede?lang=en").text
    buttons = re.findall(r'<button type="button" class="card[^"]*" aria-label="([^"]+)"', page)
    assert len(buttons) == 40 and "Colleagues" in buttons
    images = re.findall(r"<img [^>]*>", page.split('id="cards"')[1].split("</ul>")[0])
    assert len(images) == 40
    for image in images:
        assert re.search(r'alt="[^"]{3,}"', image)
        assert re.search(r'width="\d+" height="\d+"', image)


def test_deck_page_fragment_only_for_partial_requests(decks_client: Client) -> None:
    client = logged_in(decks_client)
    full = client.get("/decks/status", headers={"HX-Request": "true", "HX-Request-Type": "full"})
    assert full.text.startswith("<!doctype html>")
    part = client.get("/decks/status", headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    assert part.text.lstrip().startswith('<ul id="cards"')
    assert "HX-Request-Type" in part.headers["vary"] and "HX-Request-Type" in full.headers["vary"]


def test_media_is_immutable_with_etag_and_304(decks_client: Client) -> None:
    client = logged_in(decks_client)
    page = client.get("/decks/status").text
    url = re.search(r'src="(/media/[0-9a-f]{64}\.webp)"', page).group(1)  # type: ignore[union-attr]
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["content-type"] == "image/webp"
    assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
    etag = first.headers["etag"]
    assert etag == '"' + url.split("/")[-1].removesuffix(".webp") + '"'
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_missing_image_hash_is_404(decks_client: Client) -> None:
    client = logged_in(decks_client)
    assert client.get("/media/" + "0" * 64 + ".webp").status_code == 404
    assert client.get("/media/not-a-hash.webp").status_code == 404


def test_thumbnails_stay_under_25_kb(decks_client: Client) -> None:
    client = logged_in(decks_client)
    for slug in ("status", "arbejdsglaede"):
        page = client.get(f"/decks/{slug}").text
        for url in re.findall(r'<img src="(/media/[0-9a-f]{64}\.webp)"', page):
            assert len(client.get(url).content) <= 25 * 1024, url
