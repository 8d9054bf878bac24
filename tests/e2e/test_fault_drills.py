"""Fault drills (issue 17): the server is killed in the middle of a conversation and started
again. Every change the page showed as saved is still there, and taps made while the server
was away wait in the page's queue (the banner says so) and are sent when it is back."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import (
    LiveServer,
    _wait_until_healthy,
    free_port,
    leader_with_a_new_conversation,
    screenshot,
)

LEADER = "leder.drill@example.org"
# The page knows a change is saved when nothing of it waits in this browser any more: its
# tap has left the queue of taps, its typed words the drafts (static/js/conversation.js).
NOTHING_WAITING = (
    "() => !Object.keys(localStorage).some(k =>"
    " k.startsWith('arbejdsglaede.taps:') || k.startsWith('arbejdsglaede.draft:'))"
)
WAITING_TAPS = (
    "() => Object.keys(localStorage).filter(k => k.startsWith('arbejdsglaede.taps:'))"
    ".reduce((n, k) => n + JSON.parse(localStorage.getItem(k)).length, 0)"
)


class KillableServer(LiveServer):
    """``arbejdsglaede serve`` on one port and one data dir that outlive its process."""

    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        port = self.url.rsplit(":", 1)[1]
        log = (self.data_dir.parent / "server.log").open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", port],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.pid = self.process.pid
        _wait_until_healthy(self.url, self.process)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no goodbye to the browser."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def killable_server(tmp_path: Path, decks_database: Path) -> Iterator[KillableServer]:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    shutil.copy(decks_database, data_dir / decks_database.name)
    url = f"http://127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "ARBEJDSGLAEDE_DATA_DIR": str(data_dir),
        "ARBEJDSGLAEDE_SECRET_KEY": "drill-secret-key-that-is-long-enough-0123456789",
        "ARBEJDSGLAEDE_BASE_URL": url,
    }
    server = KillableServer(url=url, data_dir=data_dir, env=env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_until_saved(page: Page) -> None:
    page.wait_for_function(NOTHING_WAITING)


def test_the_server_killed_mid_conversation_loses_nothing_the_page_showed_as_saved(
    page: Page, killable_server: KillableServer, expected_console: list[str]
) -> None:
    # While the server is away every request the page makes fails, and Chromium logs each.
    expected_console += ["ERR_CONNECTION_REFUSED", "Failed to fetch", "status of 503"]
    server = killable_server
    base = leader_with_a_new_conversation(page, server, LEADER)

    page.goto(f"{base}/status")
    cards = page.locator("button.card-pick")
    titles = [cards.nth(i).get_attribute("aria-label") or "" for i in range(3)]
    cards.nth(0).tap()
    cards.nth(1).tap()
    note = page.get_by_label(f"Why did you choose {titles[0]}?")
    note.fill("Skrevet før nedbruddet, æøå.")
    expect(page.locator(".save-state .saved").first).to_be_visible()
    wait_until_saved(page)

    page.goto(f"{base}/feedback")
    page.get_by_label("What went well?").fill("Projektet blev færdigt.")
    expect(page.locator(".save-state .saved").first).to_be_visible()
    wait_until_saved(page)

    page.goto(f"{base}/status")
    expect(page.get_by_role("button", name=titles[1], exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    server.kill()

    # Away: a tap shows at once, waits in the queue, and the banner says so.
    page.get_by_role("button", name=titles[2], exact=True).tap()
    expect(page.get_by_role("button", name=titles[2], exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_role("alert").filter(has_text="No connection")).to_be_visible()
    assert page.evaluate(WAITING_TAPS) == 1
    screenshot(page, "drill-server-killed")

    server.start()
    # Back on the same port and data: the page sends the waiting tap by itself.
    wait_until_saved(page)
    expect(page.get_by_role("alert").filter(has_text="No connection")).to_be_hidden()

    # What the server has, not what this browser kept: nothing of this browser's own.
    page.evaluate("localStorage.clear()")
    page.reload()
    for title in titles:
        expect(page.get_by_role("button", name=title, exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
    expect(page.get_by_label(f"Why did you choose {titles[0]}?")).to_have_value(
        "Skrevet før nedbruddet, æøå."
    )
    page.goto(f"{base}/feedback")
    expect(page.get_by_label("What went well?")).to_have_value("Projektet blev færdigt.")
