"""Login (issue 14): failures at an account slow its answers down instead of locking it, and
X-Forwarded-For is believed only from the proxies named in ``trusted_proxies``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from app.accounts import service
from app.config import Settings
from app.db import write_session
from app.main import create_app
from app.models import LoginFailure
from tests.support import PASSWORD, Client, FakeClock, Pauses, add_user, engine_of

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql

EMAIL = "leder@example.org"


def fail(client: Client, headers: dict[str, str] | None = None) -> int:
    response = client.post_form(
        "/login", {"email": EMAIL, "password": "wrong"}, headers=headers or {}
    )
    return response.status_code


def addresses(client: Client) -> list[str]:
    with write_session(engine_of(client)) as session:
        return [f.address for f in session.exec(select(LoginFailure).order_by(LoginFailure.id))]  # type: ignore[arg-type]


def test_failures_from_elsewhere_slow_the_owner_down_but_let_them_in(
    client: Client,
) -> None:
    add_user(client, EMAIL)
    pauses: Pauses = client.app.state.sleep
    for i in range(12):
        stranger = Client(client.app, client=(f"203.0.113.{i}", 4000))
        assert fail(stranger) == 400
    assert pauses[:4] == [0, 0, 0, service.FIRST_DELAY_SECONDS]
    assert max(pauses) == service.MAX_DELAY_SECONDS
    client.login(EMAIL)  # the owner, at their own address: slower, never locked out
    assert pauses[-1] == service.MAX_DELAY_SECONDS
    assert client.get("/decks").status_code == 200


def test_one_address_is_refused_after_ten_failures_at_an_account(client: Client) -> None:
    add_user(client, EMAIL)
    for _ in range(10):
        assert fail(client) == 400
    response = client.post_form("/login?lang=en", {"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed logins" in response.text


@pytest.fixture
def behind_a_proxy(settings: Settings, clock: FakeClock) -> Client:
    proxied = settings.model_copy(update={"trusted_proxies": ["10.0.0.0/8"]})
    app = create_app(proxied, clock=clock)
    app.state.sleep = Pauses()
    return Client(app, client=("10.1.2.3", 4000))


def test_x_forwarded_for_names_the_address_behind_a_trusted_proxy(
    behind_a_proxy: Client,
) -> None:
    with behind_a_proxy:
        add_user(behind_a_proxy, EMAIL)
        spoofed = {"X-Forwarded-For": "198.51.100.9, 203.0.113.5, 10.9.9.9"}
        fail(behind_a_proxy, spoofed)
        # The nearest address the trusted proxies did not add; the client's own say is left.
        assert addresses(behind_a_proxy) == ["203.0.113.5"]


def test_x_forwarded_for_is_ignored_without_trusted_proxies(client: Client) -> None:
    add_user(client, EMAIL)
    fail(client, {"X-Forwarded-For": "203.0.113.5"})
    assert addresses(client) == ["testclient"]


def test_a_forged_forwarded_address_does_not_escape_the_address_limit(client: Client) -> None:
    add_user(client, EMAIL)
    for i in range(10):
        fail(client, {"X-Forwarded-For": f"198.51.100.{i}"})
    assert fail(client, {"X-Forwarded-For": "198.51.100.200"}) == 429


def test_trusted_proxies_are_read_from_a_comma_separated_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARBEJDSGLAEDE_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16,::1")
    assert Settings(data_dir=tmp_path).trusted_proxies == [
        "10.0.0.1/32",
        "192.168.0.0/16",
        "::1/128",
    ]
    monkeypatch.setenv("ARBEJDSGLAEDE_TRUSTED_PROXIES", "not-an-address")
    with pytest.raises(ValueError):
        Settings(data_dir=tmp_path)
    monkeypatch.delenv("ARBEJDSGLAEDE_TRUSTED_PROXIES")
    assert Settings(data_dir=tmp_path).trusted_proxies == []
