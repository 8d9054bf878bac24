from __future__ import annotations

import pytest

from tests.support import Client, FakeClock, add_user

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql


def test_healthz(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_security_headers_on_every_response(client: Client) -> None:
    for path in ("/healthz", "/login", "/static/css/app.css", "/no-such-page"):
        headers = client.get(path).headers
        directives = dict(
            part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";")
        )
        assert directives["script-src"] == "'self'"  # no inline script, no eval
        assert directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"]


def test_no_inline_script_in_pages(client: Client) -> None:
    page = client.get("/login").text
    assert "<script>" not in page and " on" + "click=" not in page
    assert page.count("<script ") == 2


def test_lang_switch_sticks_for_the_session_also_on_a_redirect(client: Client) -> None:
    response = client.get("/?lang=en", follow_redirects=False)
    assert response.status_code == 303
    assert "lang=en" in response.headers["set-cookie"]
    page = client.get("/login").text
    assert '<html lang="en">' in page and "Password" in page
    page = client.get("/login?lang=da").text
    assert '<html lang="da">' in page and "Adgangskode" in page


def test_the_language_cookie_counts_beside_a_malformed_cookie(client: Client) -> None:
    """Another site on the same host may set a cookie the strict parser refuses."""
    page = client.get("/login", headers={"cookie": 'broken="x; lang=en'}).text
    assert '<html lang="en">' in page


def test_danish_is_the_default(client: Client) -> None:
    assert "Log ind" in client.get("/login").text


def test_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get("/decks", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/decks"


def test_login_logout(client: Client) -> None:
    add_user(client, "leder@example.org")
    client.login("leder@example.org")
    assert client.get("/decks").status_code == 200
    response = client.post_form("/logout", {}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/decks", follow_redirects=False).status_code == 303


def test_wrong_password_and_unknown_email_get_the_same_answer(client: Client) -> None:
    add_user(client, "leder@example.org")
    wrong = client.post_form("/login", {"email": "leder@example.org", "password": "nej"})
    unknown = client.post_form("/login", {"email": "ingen@example.org", "password": "nej"})
    assert wrong.status_code == unknown.status_code == 400
    assert "Forkert e-mail eller adgangskode." in wrong.text
    assert "Forkert e-mail eller adgangskode." in unknown.text


def test_login_rate_limit_answers_429_with_a_message(client: Client) -> None:
    add_user(client, "leder@example.org")
    for _ in range(10):
        client.post_form("/login?lang=en", {"email": "leder@example.org", "password": "nej"})
    response = client.post_form("/login", {"email": "leder@example.org", "password": "x" * 12})
    assert response.status_code == 429
    assert "Too many failed logins" in response.text


def test_login_without_csrf_token_is_refused(client: Client) -> None:
    add_user(client, "leder@example.org")
    client.get("/login")
    response = client.post(
        "/login", data={"email": "leder@example.org", "password": "a long and good password"}
    )
    assert response.status_code == 403
    assert "Genindlæs siden" in response.text


def test_state_change_needs_the_csrf_header_or_field(client: Client) -> None:
    add_user(client, "leder@example.org")
    client.login("leder@example.org")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    ok = client.post("/logout", headers={"x-csrftoken": client.csrf}, follow_redirects=False)
    assert ok.status_code == 303


def test_session_cookie_is_httponly_and_lax(client: Client) -> None:
    add_user(client, "leder@example.org")
    response = client.post_form(
        "/login",
        {"email": "leder@example.org", "password": "a long and good password"},
        follow_redirects=False,
    )
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("session="))
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


def test_idle_session_expires(client: Client, clock: FakeClock) -> None:
    add_user(client, "leder@example.org")
    client.login("leder@example.org")
    clock.advance(minutes=30)
    assert client.get("/decks").status_code == 200
    clock.advance(minutes=61)
    response = client.get("/decks", follow_redirects=False)
    assert response.status_code == 303
    assert "expired=1" in response.headers["location"]


def test_oversized_form_body_is_refused(client: Client) -> None:
    response = client.post(
        "/login",
        content=b"email=" + b"a" * (2 * 1024 * 1024),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert "Intet er gemt" in response.text


def test_error_pages_are_translated(client: Client) -> None:
    add_user(client, "leder@example.org")
    client.login("leder@example.org")
    response = client.get("/decks/does-not-exist?lang=en")
    assert response.status_code == 404
    assert "The page does not exist" in response.text


def test_web_app_manifest(client: Client) -> None:
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["display"] == "fullscreen"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_multipart_post_without_the_token_header_is_refused_cleanly(client: Client) -> None:
    add_user(client, "leder@example.org")
    client.login("leder@example.org")
    refused = client.post(
        "/logout", files={"file": ("a.txt", b"x")}, data={"csrftoken": client.csrf}
    )
    assert refused.status_code == 403
    assert "Genindlæs siden" in refused.text
    allowed = client.post(
        "/logout",
        files={"file": ("a.txt", b"x")},
        headers={"x-csrftoken": client.csrf},
        follow_redirects=False,
    )
    assert allowed.status_code == 303


def test_links_are_the_paths_starlette_would_build(client: Client) -> None:
    from starlette.routing import NoMatchFound

    from app.web import path_for

    app = client.app
    cases = [
        ("conversations_step", {"conversation_id": 7, "step": "status"}),
        ("conversations_step", {"conversation_id": 8, "step": "slut"}),  # kept route, new params
        ("static", {"path": "css/app.css"}),
        ("pages_healthz", {}),
    ]
    for name, params in cases * 2:  # the second time from the kept route
        assert path_for(app, name, **params) == app.url_path_for(name, **params)  # type: ignore[arg-type]
    try:
        path_for(app, "no_such_route")
    except NoMatchFound:
        pass
    else:
        raise AssertionError("an unknown route name must fail loudly")
