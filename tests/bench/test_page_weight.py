"""DESIGN §8: first load of a deck page ≤ 150 KB before card images, thumbnails ≤ 25 KB, and a
second visit downloads no image again. Bytes, not seconds: these figures are exact."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.browser import LiveServer, log_in
from tests.support.bench import report

FIRST_LOAD_BUDGET = 150 * 1024
THUMB_BUDGET = 25 * 1024


def record_transfers(page: Page) -> list[dict[str, Any]]:
    """Bytes on the wire per response, from Chromium's own network events."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    # The login page already fetched CSS and JS; forget them so this is a true first load.
    session.send("Network.clearBrowserCache")
    seen: dict[str, dict[str, Any]] = {}
    done: list[dict[str, Any]] = []
    session.on(
        "Network.responseReceived",
        lambda e: seen.__setitem__(
            e["requestId"],
            {
                "url": e["response"]["url"],
                "type": e["type"],
                "cached": e["response"].get("fromDiskCache", False)
                or e["response"].get("fromMemoryCache", False),
            },
        ),
    )
    session.on(
        "Network.loadingFinished",
        lambda e: done.append({**seen.get(e["requestId"], {}), "bytes": e["encodedDataLength"]}),
    )
    return done


def test_deck_page_weight_and_cache(page: Page, live_server: LiveServer) -> None:
    log_in(page, live_server)
    figures: dict[str, object] = {}
    for slug in ("status", "arbejdsglaede"):
        # A fresh cache for the first visit: a new context, logged in again.
        context = page.context.browser.new_context(  # type: ignore[union-attr]
            viewport={"width": 1180, "height": 820}, has_touch=True
        )
        fresh = context.new_page()
        log_in(fresh, live_server)
        transfers = record_transfers(fresh)
        fresh.goto(f"{live_server.url}/decks/{slug}", wait_until="networkidle")
        fresh.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        fresh.wait_for_load_state("networkidle")
        first = list(transfers)
        before_images = sum(t["bytes"] for t in first if t.get("type") != "Image")
        images = [t for t in first if t.get("type") == "Image" and "/media/" in t.get("url", "")]
        largest_thumb = max(t["bytes"] for t in images)

        transfers.clear()
        fresh.goto(f"{live_server.url}/decks/{slug}", wait_until="networkidle")
        fresh.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        fresh.wait_for_load_state("networkidle")
        refetched = [
            t
            for t in transfers
            if t.get("type") == "Image"
            and "/media/" in t.get("url", "")
            and not t["cached"]
            and t["bytes"] > 0
        ]
        # CSS, JavaScript and icons too: their links name their content, kept for a year.
        static_again = [
            t
            for t in transfers
            if "/static/" in t.get("url", "") and not t["cached"] and t["bytes"] > 0
        ]
        context.close()
        figures[slug] = {
            "first_load_bytes_before_images": before_images,
            "images_on_first_load": len(images),
            "largest_thumbnail_bytes": largest_thumb,
            "images_downloaded_on_second_visit": len(refetched),
            "static_files_asked_again_on_second_visit": len(static_again),
        }
        assert before_images <= FIRST_LOAD_BUDGET
        assert largest_thumb <= THUMB_BUDGET
        assert refetched == []
        assert static_again == [], static_again
    report("page_weight", figures)
