"""A real server on a free port and Debian's Chromium at tablet size, with touch.

A plugin (registered in tests/conftest.py), so e2e tests and benchmarks share one browser.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from app import PROJECT_DIR
from app.backup import backup, restore
from app.db import make_engine
from tests import postgres
from tests.support import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
TABLET = {"width": 1180, "height": 820}
ARTIFACTS = PROJECT_DIR / "test-artifacts" / "e2e"
ADMIN = "admin@example.org"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    env: dict[str, str]
    pid: int = 0

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            input=stdin,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, decks_database: Path
) -> Iterator[LiveServer]:
    """The app served on SQLite, the embedded default."""
    data_dir = tmp_path_factory.mktemp("live") / "var"
    data_dir.mkdir()
    shutil.copy(decks_database, data_dir / "arbejdsglaede.db")
    yield from serve(data_dir)


@pytest.fixture(scope="session")
def live_server_postgresql(
    tmp_path_factory: pytest.TempPathFactory, decks_database: Path, request: pytest.FixtureRequest
) -> Iterator[LiveServer]:
    """The app served on a throwaway PostgreSQL database (DESIGN §5: the organisation-wide
    install), restored from a backup of the SQLite one with the default decks: a restore
    takes 2 s, loading the decks anew 10 s."""
    folder = tmp_path_factory.mktemp("live-postgresql")
    url = database_with_decks(request.getfixturevalue("postgresql"), decks_database, folder)
    data_dir = folder / "var"
    data_dir.mkdir()
    yield from serve(data_dir, DATABASE_URL=url)


@pytest.fixture(scope="session")
def live_server_postgresql_two_processes(
    tmp_path_factory: pytest.TempPathFactory, decks_database: Path, request: pytest.FixtureRequest
) -> Iterator[LiveServer]:
    """As ``live_server_postgresql``, on its own database, served by ``serve --workers 2``:
    the organisation-wide install as docs/deploy.md sets it up (issue 17)."""
    folder = tmp_path_factory.mktemp("live-postgresql-two")
    url = database_with_decks(request.getfixturevalue("postgresql"), decks_database, folder)
    data_dir = folder / "var"
    data_dir.mkdir()
    yield from serve(data_dir, workers=2, DATABASE_URL=url)


def database_with_decks(server: postgres.Server, decks_database: Path, scratch: Path) -> str:
    """A new PostgreSQL database on ``server`` restored from a backup of the SQLite
    ``decks_database``: its URL."""
    url = server.create_database()
    source, target = make_engine(f"sqlite:///{decks_database}"), make_engine(url)
    try:
        backup(source, scratch / "decks.zip")
        restore(target, scratch / "decks.zip")
    finally:
        source.dispose()
        target.dispose()
    return url


def serve(data_dir: Path, workers: int = 1, **extra_env: str) -> Iterator[LiveServer]:
    """``arbejdsglaede serve`` on a free port with an admin, until the generator closes; with
    ``workers``, ``serve --workers N`` (``pid`` is then the parent of the worker processes)."""
    port = free_port()
    env = {
        **os.environ,
        "ARBEJDSGLAEDE_DATA_DIR": str(data_dir),
        "ARBEJDSGLAEDE_SECRET_KEY": "e2e-secret-key-that-is-long-enough-0123456789",
        "ARBEJDSGLAEDE_BASE_URL": f"http://127.0.0.1:{port}",
        **extra_env,
    }
    server = LiveServer(url=f"http://127.0.0.1:{port}", data_dir=data_dir, env=env)
    server.cli(
        "create-user", "--email", ADMIN, "--name", "Admin", "--role", "admin", stdin=PASSWORD
    )
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        + (["--workers", str(workers)] if workers > 1 else []),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server.pid = process.pid
    try:
        _wait_until_healthy(server.url, process)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    # Polling a starting server is the one place a loop with a pause is the honest tool.
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not become healthy")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=TABLET, has_touch=True, locale="da-DK")
    yield context
    context.close()


@pytest.fixture
def expected_console() -> list[str]:
    """Console errors a test provokes on purpose (a refused tap, a dropped connection): the
    browser logs every failed request, and a test adds a piece of each message it expects."""
    return []


@pytest.fixture
def page(context: BrowserContext, expected_console: list[str]) -> Iterator[Page]:
    page = context.new_page()
    # Say which element broke the Content-Security-Policy, not only that something did.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP', e.violatedDirective, (e.target && e.target.outerHTML || '').slice(0, 160)))"
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.text} at {m.location} on {page.url}") if m.type == "error" else None
        ),
    )
    yield page
    assert [e for e in errors if not any(piece in e for piece in expected_console)] == [], errors


def log_in(page: Page, server: LiveServer, email: str = ADMIN, lang: str = "en") -> None:
    """Log in through the form by its English names (DESIGN §7), then switch to ``lang``."""
    page.goto(f"{server.url}/login?lang=en")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    if lang != "en":
        page.goto(f"{server.url}/?lang={lang}")


def log_in_as_new(
    page: Page, server: LiveServer, email: str, *, role: str = "leader", name: str = "Leder"
) -> None:
    """A new user made by the create-user command, then logged in through the form."""
    server.cli("create-user", "--email", email, "--name", name, "--role", role, stdin=PASSWORD)
    log_in(page, server, email=email)


def leader_with_a_new_conversation(page: Page, server: LiveServer, email: str) -> str:
    """A new leader, logged in, with a new conversation: the conversation's URL."""
    log_in_as_new(page, server, email)
    page.goto(f"{server.url}/conversations/new?lang=en")
    page.get_by_label("Employee").fill("Medarbejder")
    page.get_by_role("button", name="Create conversation").click()
    page.wait_for_url(re.compile(r"/start$"))
    return page.url.removesuffix("/start")


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_axe_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
