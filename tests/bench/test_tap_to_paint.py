"""DESIGN §8: in Chromium, from a tap on a card to its new state on screen, p95 ≤ 100 ms.
Status cards go to the server and back; a card chosen on the board changes in the page."""

from __future__ import annotations

import statistics

from playwright.sync_api import Page

from tests.browser import LiveServer, leader_with_a_new_conversation
from tests.support.bench import report

TAPS = 30
# Resolves when the card with this id shows the wanted aria-pressed, after the next paint.
WAIT_FOR_PAINT = """([id, wanted]) => new Promise(resolve => {
  const done = () => requestAnimationFrame(() => requestAnimationFrame(() =>
      resolve(performance.now() - window.__tapStart)));
  const check = () => {
    const el = document.getElementById(id) || document.querySelector(`[data-card-id="${id}"]`);
    if (el && el.getAttribute('aria-pressed') === wanted) { observer.disconnect(); done(); }
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, {subtree: true, childList: true, attributes: true});
  check();
})"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def measure(page: Page, selector: str, id_for_wait: str) -> list[float]:
    # The clock starts when the finger touches the screen, in the page itself, so the time the
    # test driver needs to send the tap is not counted.
    page.evaluate(
        "document.addEventListener('touchstart', () => { window.__tapStart = performance.now() },"
        " {capture: true})"
    )
    timings = []
    for i in range(TAPS):
        wanted = "true" if i % 2 == 0 else "false"
        page.locator(selector).tap()
        timings.append(page.evaluate(WAIT_FOR_PAINT, [id_for_wait, wanted]))
    return timings


def test_tap_to_paint(page: Page, live_server: LiveServer) -> None:
    base = leader_with_a_new_conversation(page, live_server, "bench.tap@example.org")

    page.goto(f"{base}/status")
    first = page.locator("button.card-pick").first.get_attribute("id") or ""
    status = measure(page, f"#{first}", first)

    page.goto(f"{base}/arbejdsglaede")
    card_id = page.locator("button.card-place").first.get_attribute("data-card-id") or ""
    board = measure(page, f'button[data-card-id="{card_id}"]', card_id)

    figures = {
        name: {
            "taps": len(values),
            "median_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
        }
        for name, values in (
            ("status_card_server_round_trip", status),
            ("board_card_select", board),
        )
    }
    figures["budget_p95_ms"] = 100  # type: ignore[assignment]
    report("tap_to_paint", figures)
