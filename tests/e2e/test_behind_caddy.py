"""compose.yaml's deployment without Docker (no daemon here nor in CI): the project's own
Caddyfile, run by the caddy binary, in front of ``serve --workers 2`` on a throwaway PostgreSQL
database, over HTTPS on localhost. What a leader and an IT department rely on: a card picked
through the proxy is stored, every cookie is Secure, the app sees the client's address that
Caddy passes on and believes no one else's word, and plain HTTP is sent to HTTPS.

Caddy uses its own CA (local_certs), listens on free ports on 127.0.0.1 only and keeps its
storage in tmp_path: it touches neither the network nor the machine's trust store. The client
checks the certificate against that CA's root, so the chain is proven too. What only compose
adds (its network, Caddy's fixed address, the volumes) is checked as text in
tests/unit/test_deploy.py.

The loopback network is all of 127.0.0.0/8: the leader's tablet is 127.0.0.2 and a stranger
127.0.0.3, while Caddy reaches the app from 127.0.0.1, the one trusted proxy.
"""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from sqlalchemy import create_engine, text

from app import PROJECT_DIR
from tests import postgres
from tests.browser import _wait_until_healthy as wait_until_healthy
from tests.browser import database_with_decks, free_port
from tests.support import PARTIAL, PASSWORD

LEADER = "leder@example.org"
NAME_AND_ROLE = ("--name", "Leder", "--role", "leader")
SECRET = "behind-caddy-secret-key-0123456789abcdef"
PROXY = "127.0.0.1"
TABLET = "127.0.0.2"
STRANGER = "127.0.0.3"

Hook = Callable[[httpx.Response], None]


def caddy_binary() -> str:
    found = shutil.which("caddy")
    if found is None:
        pytest.fail(
            "Caddy is not installed: this test runs the project's Caddyfile with it "
            "(Debian: apt-get install caddy; .ci/run installs it)."
        )
    return found


def wrapper(folder: Path, http_port: int, https_port: int) -> Path:
    """The project's Caddyfile as it is, under global options that keep Caddy in the test."""
    config = folder / "Caddyfile"
    config.write_text(
        "{\n"
        "\tskip_install_trust\n"
        "\tadmin off\n"
        "\tlocal_certs\n"
        f"\thttp_port {http_port}\n"
        f"\thttps_port {https_port}\n"
        f"\tdefault_bind {PROXY}\n"
        # No HTTP/3: its UDP port is one free_port cannot vouch for.
        "\tservers {\n\t\tprotocols h1 h2\n\t}\n"
        "}\n"
        f"import {PROJECT_DIR / 'Caddyfile'}\n"
    )
    return config


@contextmanager
def caddy(folder: Path, upstream: str, http_port: int, https_port: int) -> Iterator[ssl.SSLContext]:
    """Caddy in front of ``upstream``, once the app answers through it over HTTPS: a TLS
    context that trusts Caddy's CA alone."""
    binary = caddy_binary()
    config = wrapper(folder, http_port, https_port)
    env = {
        **os.environ,
        "DOMAIN": "localhost",
        "APP_UPSTREAM": upstream,
        "HOME": str(folder),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_CONFIG_HOME": str(folder / "config"),
    }
    root = folder / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    url = f"https://localhost:{https_port}"
    output = folder / "caddy.log"
    with output.open("w") as log:
        process = subprocess.Popen(
            [binary, "run", "--config", str(config), "--adapter", "caddyfile"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield wait_for_https(url, root, process, output)
        finally:
            process.terminate()
            process.wait(timeout=20)


def wait_for_https(
    url: str, root: Path, process: subprocess.Popen[bytes], output: Path
) -> ssl.SSLContext:
    # Polling a starting server is the one place a loop with a pause is the honest tool.
    for _ in range(300):
        if process.poll() is not None:
            pytest.fail(f"Caddy exited during start-up:\n{tail(output)}")
        if root.exists():
            context = ssl.create_default_context(cafile=str(root))
            try:
                if httpx.get(f"{url}/healthz", verify=context, timeout=1).status_code == 200:
                    return context
            except httpx.HTTPError:
                pass
        time.sleep(0.1)
    pytest.fail(f"Caddy did not answer over HTTPS:\n{tail(output)}")


def tail(output: Path) -> str:
    return "\n".join(output.read_text().splitlines()[-10:])


@contextmanager
def serving(env: dict[str, str], port: int, folder: Path) -> Iterator[None]:
    """``arbejdsglaede serve --workers 2``, as compose runs it, with a leader, once it
    answers. The leader is made while the server starts: both need only the database."""
    output = folder / "server.log"
    with output.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            cwd=folder,  # no stray .env from where the tests were started
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            create_leader(env, folder)
            wait_until_healthy(f"http://{PROXY}:{port}", process)
            yield
        finally:
            process.terminate()
            process.wait(timeout=20)


def client(
    url: str, context: ssl.SSLContext, address: str, hooks: dict[str, list[Hook]] | None = None
) -> httpx.Client:
    """A client on the loopback address ``address``: the app sees it as that machine."""
    transport = httpx.HTTPTransport(verify=context, local_address=address)
    return httpx.Client(base_url=url, transport=transport, event_hooks=hooks)


def create_leader(env: dict[str, str], folder: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "app.cli", "create-user", "--email", LEADER, *NAME_AND_ROLE],
        input=PASSWORD,
        env=env,
        cwd=folder,
        text=True,
        check=True,
        capture_output=True,
    )


def pick_a_status_card(tablet: httpx.Client) -> None:
    """Log in, plan a conversation and pick its first status card; it is stored."""
    tablet.get("/login")
    form = {"csrftoken": tablet.cookies["csrftoken"], "email": LEADER, "password": PASSWORD}
    login = tablet.post("/login", data=form)
    assert login.status_code == 303 and "/login" not in login.headers["location"]
    plan = {"employee": "Medarbejder", "date": date.today().isoformat()}
    planned = tablet.post("/conversations", data={"csrftoken": tablet.cookies["csrftoken"], **plan})
    assert planned.status_code == 303, planned.text
    conversation = planned.headers["location"].removesuffix("/start")
    card = re.findall(r'/status/(\d+)"', tablet.get(f"{conversation}/status").text)[0]
    headers = {**PARTIAL, "x-csrftoken": tablet.cookies["csrftoken"]}
    picked = tablet.post(f"{conversation}/status/{card}", data={"picked": "true"}, headers=headers)
    assert picked.status_code == 200, picked.text
    # Read back by a new request, which either process may answer: the pick is stored.
    page = tablet.get(f"{conversation}/status").text
    assert re.search(rf'id="status-card-{card}"[^>]*aria-pressed="true"', page), page
    assert page.count('aria-pressed="true"') == 1


def login_addresses(database_url: str) -> list[str]:
    """The address each login session was made from, as the app recorded it."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT address FROM sessions")).scalars())
    finally:
        engine.dispose()


def test_a_leader_works_through_caddy_over_https_and_the_app_sees_her_address(
    tmp_path: Path, postgresql: postgres.Server, decks_database: Path
) -> None:
    # Restored with the default decks (a deck to pick a status card from): 2 s, where loading
    # them at the first start takes 10.
    database_url = database_with_decks(postgresql, decks_database, tmp_path)
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    url = f"https://localhost:{https_port}"
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_DIR),
        "DATABASE_URL": database_url,
        "ARBEJDSGLAEDE_DATA_DIR": str(tmp_path / "var"),
        "ARBEJDSGLAEDE_SECRET_KEY": SECRET,
        "ARBEJDSGLAEDE_BASE_URL": url,
        "ARBEJDSGLAEDE_SECURE_COOKIES": "true",
        "ARBEJDSGLAEDE_TRUSTED_PROXIES": PROXY,
        # The IT department's monitoring, played by the tablet: the one address let in.
        "ARBEJDSGLAEDE_METRICS_ALLOWED": TABLET,
    }
    cookies: list[str] = []

    def keep_cookies(response: httpx.Response) -> None:
        cookies.extend(response.headers.get_list("set-cookie"))

    with (
        serving(env, app_port, tmp_path),
        caddy(tmp_path, f"{PROXY}:{app_port}", http_port, https_port) as context,
    ):
        with client(url, context, TABLET, {"response": [keep_cookies]}) as tablet:
            pick_a_status_card(tablet)
            # The address is Caddy's X-Forwarded-For, believed as the trusted proxy's word.
            assert login_addresses(database_url) == [TABLET]
            assert tablet.get("/metrics").status_code == 200
            assert tablet.get("/").headers["strict-transport-security"].startswith("max-age=")

        # Through Caddy every cookie is for HTTPS alone, the session's out of scripts' reach.
        attributes = {
            cookie.split("=", 1)[0]: {a.strip().lower() for a in cookie.split(";")[1:]}
            for cookie in cookies
        }
        assert {"session", "csrftoken"} <= set(attributes), cookies
        assert all("secure" in each for each in attributes.values()), cookies
        assert "httponly" in attributes["session"], cookies

        # A stranger naming the tablet is not believed: Caddy passes on the real address, and
        # straight to the app's port only the proxy's word would count.
        forged = {"X-Forwarded-For": TABLET}
        with client(url, context, STRANGER) as stranger:
            assert stranger.get("/metrics", headers=forged).status_code == 404
        with client(f"http://{PROXY}:{app_port}", context, STRANGER) as stranger:
            assert stranger.get("/healthz").status_code == 200
            assert stranger.get("/metrics", headers=forged).status_code == 404

        # Plain HTTP goes to HTTPS, same host and path, before anything reaches the app. The
        # redirect names no port (443 in production), so only its scheme, host and path count.
        redirect = httpx.get(f"http://localhost:{http_port}/conversations?lang=en")
        assert redirect.status_code == 308
        target = urlsplit(redirect.headers["location"])
        assert (target.scheme, target.hostname) == ("https", "localhost")
        assert (target.path, target.query) == ("/conversations", "lang=en")
