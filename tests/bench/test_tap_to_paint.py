"""DESIGN §8: tap to paint, in Chromium. From the touch to the first animation frame whose DOM
shows the new state, checked inside requestAnimationFrame callbacks (the frame the screen
draws, not one after it), p50 ≤ 17 ms and p95 ≤ 33 ms, for a status card and for placing a
card on the board. Beside it: the time until the server's answer is on screen."""

from __future__ import annotations

import statistics

from playwright.sync_api import Page, expect

from tests.browser import LiveServer, leader_with_a_new_conversation
from tests.support.bench import report

TAPS = 30

# Armed before a tap: on the touch, the clock starts and every animation frame checks the DOM
# until both the new state and the server's answer show. ``state`` and ``answer`` are the
# bodies of two functions of the page's document; the promise resolves to [state, answer] ms.
ARM = """([state, answer]) => {
  const shows = new Function('return (' + state + ')');
  const answered = new Function('return (' + answer + ')');
  window.__paint = new Promise(resolve => {
    document.addEventListener('touchstart', () => {
      const start = performance.now();
      let seen = null, confirmed = null;
      const frame = () => {
        const now = performance.now();
        if (seen === null && shows()) seen = now - start;
        if (confirmed === null && answered()) confirmed = now - start;
        if (seen !== null && confirmed !== null) resolve([seen, confirmed]);
        else requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    }, {capture: true, once: true});
  });
}"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def figures(values: list[tuple[float, float]]) -> dict[str, float]:
    painted = [v[0] for v in values]
    answered = [v[1] for v in values]
    return {
        "taps": len(values),
        "paint_p50_ms": round(statistics.median(painted), 1),
        "paint_p95_ms": round(percentile(painted, 0.95), 1),
        "server_answer_p50_ms": round(statistics.median(answered), 1),
        "server_answer_p95_ms": round(percentile(answered, 0.95), 1),
    }


def tap_and_measure(page: Page, selector: str, state: str, answer: str) -> tuple[float, float]:
    page.evaluate(ARM, [state, answer])
    page.locator(selector).tap()
    painted, answered = page.evaluate("window.__paint")
    return painted, answered


def test_tap_to_paint(page: Page, live_server: LiveServer) -> None:
    base = leader_with_a_new_conversation(page, live_server, "bench.tap@example.org")

    page.goto(f"{base}/status")
    card_id = page.locator("button.card-pick").first.get_attribute("id") or ""
    status: list[tuple[float, float]] = []
    for i in range(TAPS):
        wanted = "true" if i % 2 == 0 else "false"
        chosen = 1 if wanted == "true" else 0
        # The server's answer replaces the button: a mark on the old one tells them apart.
        page.evaluate(f"document.getElementById('{card_id}').__before = true")
        status.append(
            tap_and_measure(
                page,
                f"#{card_id}",
                f"document.getElementById('{card_id}').getAttribute('aria-pressed') === '{wanted}'",
                f"!document.getElementById('{card_id}').__before"
                f" && document.querySelectorAll('#chosen .chosen-item').length === {chosen}",
            )
        )

    page.goto(f"{base}/arbejdsglaede")
    board: list[tuple[float, float]] = []
    glad = page.locator('.board-row[data-row="glad"]')
    for i in range(TAPS):
        card = page.locator("button.card-place:enabled").nth(i % 10)
        card_id = card.get_attribute("data-card-id") or ""
        card.tap()
        expect(card).to_have_attribute("aria-pressed", "true")
        placed = f"document.querySelector('#board .placed[data-card-id=\"{card_id}\"]')"
        board.append(
            tap_and_measure(
                page,
                '.board-row[data-row="glad"] .place-here',
                f"!!{placed}",
                f"!!{placed} && !{placed}.classList.contains('is-pending')",
            )
        )
        # Taken off again through its menu, not measured, so the row never fills.
        glad.locator(f"#placed-{card_id}").tap()
        glad.get_by_role("menuitem").last.tap()
        expect(glad.locator(".placed")).to_have_count(0)
        expect(page.locator(f"#tray-{card_id} .card-place")).to_be_enabled()

    results = {"status_card": figures(status), "board_placement": figures(board)}
    results["budget"] = {"paint_p50_ms": 17, "paint_p95_ms": 33}  # type: ignore[assignment]
    report("tap_to_paint", results)
    for name in ("status_card", "board_placement"):
        # Every tap showed its state before the server's answer could: the page, not the
        # network, answers the touch.
        assert results[name]["paint_p50_ms"] < results[name]["server_answer_p50_ms"]
