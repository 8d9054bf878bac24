"""Operations (issue 17): a request id on every answer and log line, JSON logs without
personal data, /metrics for the addresses allowed, /readyz."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlmodel import select

from app.db import write_session
from app.main import create_app
from app.models import Pick, User
from app.observability.readiness import migrating
from tests.conversation_fixtures import make_world
from tests.record_fixtures import full_conversation
from tests.support import (
    DATABASE_FILE,
    PARTIAL,
    Client,
    FakeClock,
    add_user,
    engine_of,
    make_settings,
)
from tests.support.logs import captured_logs
from tests.support.record_pages import audit, setup, share_link

STATUS_ROUTE = "/conversations/{conversation_id}/status/{card_id}"
NOTE = "Chefen lytter aldrig, og jeg overvejer at sige op"


# ---------------------------------------------------------------- the request id


def test_every_answer_carries_a_new_request_id(client: Client) -> None:
    first = client.get("/healthz").headers["x-request-id"]
    second = client.get("/no-such-page").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{16}", first) and re.fullmatch(r"[0-9a-f]{16}", second)
    assert first != second


def test_a_safe_incoming_request_id_is_kept(client: Client) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.91_x"})
    assert response.headers["x-request-id"] == "lb-7f3a.91_x"


@pytest.mark.parametrize(
    "unsafe",
    ["a" * 65, "with space", 'quote"d', "semi;colon", "newline%0Ainjected", "æøå", ""],
)
def test_an_unsafe_incoming_request_id_is_replaced(client: Client, unsafe: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": unsafe.encode("utf-8")})
    assert re.fullmatch(r"[0-9a-f]{16}", response.headers["x-request-id"])
    assert response.headers.get_list("x-request-id") == [response.headers["x-request-id"]]


def test_refusals_before_the_app_carry_a_request_id_too(client: Client) -> None:
    """A CSRF refusal is answered by a middleware, yet gets its id and its log line."""
    with captured_logs() as lines:
        response = client.post("/login", data={"email": "x@example.org"})
    assert response.status_code == 403
    assert response.headers["x-request-id"]
    (line,) = [line for line in lines if line["event"] == "request"]
    assert line["request_id"] == response.headers["x-request-id"]
    assert (line["method"], line["status"]) == ("POST", 403)


# ---------------------------------------------------------------- the log lines


def test_log_lines_are_json_with_a_request_id_and_no_personal_data(decks_client: Client) -> None:
    """A login, a pick with a note, and the employee opening their copy link: every line
    JSON with a request id; no e-mail address, name, note or token in any of them."""
    engine = engine_of(decks_client)
    with captured_logs() as lines:
        finished = setup(decks_client)  # a user "Leder Åby", a finished conversation, a login
        with write_session(engine) as session:
            user = session.exec(select(User)).one()
            running = full_conversation(
                session, leader_id=user.id or 0, finish=False, status_count=2
            )
        url = f"/conversations/{running.id}"
        page = decks_client.get(f"{url}/status").text
        taken = set(re.findall(r'/status/(\d+)"[^>]*aria-pressed="true"', page))
        card = next(c for c in re.findall(r'/status/(\d+)"', page) if c not in taken)
        headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
        tap = decks_client.post(f"{url}/status/{card}", data={"picked": "true"}, headers=headers)
        assert tap.status_code == 200, tap.text
        with write_session(engine) as session:
            pick = session.exec(
                select(Pick).where(Pick.conversation_id == running.id, Pick.card_id == int(card))
            ).one()
        noted = decks_client.post(
            f"{url}/picks/{pick.id}/note", data={"note": NOTE}, headers=headers
        )
        assert noted.status_code == 200
        link = share_link(decks_client, finished.id or 0).removeprefix("http://testserver")
        decks_client.cookies.clear()
        assert decks_client.get(link).status_code == 200
        assert decks_client.get(link + "/record.pdf").status_code == 200
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 12
    assert lines and all(line.get("request_id") for line in lines)
    assert all({"timestamp", "level", "event"} <= line.keys() for line in lines)
    requests = [line for line in lines if line["event"] == "request"]
    routes = {(line["method"], line["route"], line["status"]) for line in requests}
    assert ("POST", "/login", 303) in routes
    assert ("POST", STATUS_ROUTE, 200) in routes
    assert ("POST", "/conversations/{conversation_id}/picks/{pick_id}/note", 200) in routes
    assert ("GET", "/r/{token}", 200) in routes
    assert ("GET", "/r/{token}/record.pdf", 200) in routes
    assert all(isinstance(line["duration_ms"], float) for line in requests)
    seen = lines.text() + "\n".join(lines.raw)
    for secret in (
        "leder@example.org",
        "Leder Åby",
        "Medarbejder",
        "Ærø",
        NOTE,
        "lytter",
        token,
        "testclient",  # the client's address: only with ARBEJDSGLAEDE_LOG_CLIENT_ADDRESS
    ):
        assert secret not in seen, secret


def test_the_client_address_is_logged_only_when_a_setting_says_so(
    tmp_path: Path, migrated_database: Path
) -> None:
    client = _client(tmp_path, migrated_database, log_client_address=True)
    with client, captured_logs() as lines:
        client.get("/healthz")
    (line,) = [line for line in lines if line["event"] == "request"]
    assert line["client"] == "testclient"


def test_no_request_line_without_the_access_log(tmp_path: Path, migrated_database: Path) -> None:
    client = _client(tmp_path, migrated_database, access_log=False)
    with client, captured_logs() as lines:
        response = client.get("/healthz")
    assert response.headers["x-request-id"]
    assert [line for line in lines if line["event"] == "request"] == []


# ---------------------------------------------------------------- /metrics


def _client(
    tmp_path: Path, database: Path, *, address: str = "testclient", **overrides: object
) -> Client:
    """A client of an app with its own settings, reaching it from ``address``."""
    settings = make_settings(tmp_path / "var", **overrides)
    settings.data_dir.mkdir(exist_ok=True)
    shutil.copy(database, settings.data_dir / DATABASE_FILE)
    return Client(create_app(settings, clock=FakeClock()), client=(address, 50000))


@pytest.fixture
def local(tmp_path: Path, migrated_database: Path) -> Iterator[Client]:
    """A client on the loopback address, which /metrics answers by default."""
    with _client(tmp_path, migrated_database, address="127.0.0.1") as client:
        yield client


def _value(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = re.escape(f"{name}{{{wanted}}}" if labels else name) + r" ([0-9.e+-]+)\n"
    match = re.search(pattern, text)
    return float(match.group(1)) if match else 0.0


def test_metrics_are_not_there_for_an_address_not_allowed(client: Client) -> None:
    response = client.get("/metrics")  # the test client's address is "testclient"
    assert response.status_code == 404
    assert "arbejdsglaede_http" not in response.text


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.1.20", "::2", "127.0.0.2"])
def test_metrics_are_not_there_for_another_address(
    tmp_path: Path, migrated_database: Path, address: str
) -> None:
    with _client(tmp_path, migrated_database, address=address) as client:
        assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_metrics_answer_loopback_by_default(
    tmp_path: Path, migrated_database: Path, address: str
) -> None:
    with _client(tmp_path, migrated_database, address=address) as client:
        assert client.get("/metrics").status_code == 200


def test_metrics_answer_the_networks_a_setting_names(
    tmp_path: Path, migrated_database: Path
) -> None:
    allowed = {"metrics_allowed": "10.0.0.0/8, 192.168.1.5"}
    with _client(tmp_path, migrated_database, address="10.1.2.3", **allowed) as client:
        assert client.get("/metrics").status_code == 200
    with _client(tmp_path, migrated_database, address="127.0.0.1", **allowed) as client:
        assert client.get("/metrics").status_code == 404  # loopback no longer named


def test_metrics_believe_a_forwarded_address_only_from_a_trusted_proxy(
    tmp_path: Path, migrated_database: Path
) -> None:
    forwarded = {"X-Forwarded-For": "127.0.0.1"}
    proxies = {"trusted_proxies": "10.0.0.1"}
    with _client(tmp_path, migrated_database, address="10.0.0.1", **proxies) as client:
        assert client.get("/metrics", headers=forwarded).status_code == 200
        assert client.get("/metrics").status_code == 404  # the proxy itself is not allowed
    with _client(tmp_path, migrated_database, address="10.0.0.2", **proxies) as client:
        assert client.get("/metrics", headers=forwarded).status_code == 404


def test_metrics_count_requests_per_route_template_and_picks(local: Client) -> None:
    with write_session(engine_of(local)) as session:
        world = make_world(session)
    local.login("leder@example.org")
    before = local.get("/metrics").text
    url = f"/conversations/{world.conversation.id}"
    headers = {**PARTIAL, "x-csrftoken": local.csrf}
    card = world.status_cards[0].id
    assert local.post(f"{url}/status/{card}", data={"picked": "true"}, headers=headers).is_success
    assert local.post(f"{url}/status/{card}", data={"picked": "false"}, headers=headers).is_success
    placed = local.post(
        f"{url}/board/glad", data={"card_id": str(world.inspiration_cards[0].id)}, headers=headers
    )
    assert placed.is_success
    response = local.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    after = response.text
    labels = {"method": "POST", "route": STATUS_ROUTE, "status": "2xx"}
    requests = "arbejdsglaede_http_requests_total"
    assert _value(after, requests, **labels) - _value(before, requests, **labels) == 2
    bucket = "arbejdsglaede_http_request_duration_seconds_count"
    assert _value(after, bucket, **labels) - _value(before, bucket, **labels) == 2
    # No concrete path, no id, no query string: only templates name routes.
    assert f'route="{url}' not in after
    picks = "arbejdsglaede_picks_total"
    assert _value(after, picks, board="status") - _value(before, picks, board="status") == 1
    assert _value(after, picks, board="board") - _value(before, picks, board="board") == 1
    logins = "arbejdsglaede_logins_total"
    assert _value(after, logins, result="ok") >= 1


def test_metrics_count_failed_logins_and_unmatched_paths(local: Client) -> None:
    add_user(local, "leder@example.org")
    before = local.get("/metrics").text
    local.post_form("/login", {"email": "leder@example.org", "password": "wrong password!"})
    unmatched = local.get("/no/such/page?x=1")
    assert unmatched.status_code == 404
    after = local.get("/metrics").text
    logins = "arbejdsglaede_logins_total"
    assert _value(after, logins, result="failed") - _value(before, logins, result="failed") == 1
    requests = "arbejdsglaede_http_requests_total"
    labels = {"method": "GET", "route": "unmatched", "status": "4xx"}
    assert _value(after, requests, **labels) - _value(before, requests, **labels) == 1
    assert "/no/such/page" not in after


def test_made_up_methods_share_one_label(local: Client) -> None:
    for method in ("BREW", "PROPFIND", "X1"):
        assert local.request(method, "/healthz").status_code in (403, 405)  # CSRF, or none
    shown = local.get("/metrics").text
    assert not re.search(r'method="(BREW|PROPFIND|X1)"', shown)
    assert 'arbejdsglaede_http_requests_total{method="other",' in shown


def test_a_server_error_is_counted(local: Client) -> None:
    @local.app.get("/boom")
    def boom() -> None:
        raise RuntimeError("Mette Hansen's note")

    local.app.router.routes.insert(0, local.app.router.routes.pop())  # before any catch-all
    errors = "arbejdsglaede_http_errors_total"
    before = _value(local.get("/metrics").text, errors, method="GET", route="/boom")
    with captured_logs() as lines:
        failing = Client(local.app, raise_server_exceptions=False, client=("127.0.0.1", 1))
        assert failing.get("/boom").status_code == 500
    after = _value(local.get("/metrics").text, errors, method="GET", route="/boom")
    assert after - before == 1
    (line,) = [line for line in lines if line["event"] == "request"]
    assert (line["route"], line["status"]) == ("/boom", 500)
    assert "Mette" not in lines.text()


def test_exports_are_counted_per_format(decks_client: Client) -> None:
    conversation = setup(decks_client)
    before = _sample("arbejdsglaede_exports_total", format="md")
    assert decks_client.get(f"/conversations/{conversation.id}/export.md").status_code == 200
    assert _sample("arbejdsglaede_exports_total", format="md") - before == 1


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# ---------------------------------------------------------------- /readyz


def test_ready_when_the_database_answers_at_head(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}
    assert response.headers["cache-control"] == "no-store"


def test_readyz_and_metrics_write_no_audit_entry(local: Client) -> None:
    assert local.get("/readyz").status_code == 200
    assert local.get("/metrics").status_code == 200
    assert audit(local) == []


def test_not_ready_while_migrating(client: Client) -> None:
    with migrating(client.app.state.engine):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "migrating"}
    assert client.get("/readyz").status_code == 200


def test_not_ready_when_the_schema_is_behind(client: Client) -> None:
    from sqlalchemy import text

    with write_session(engine_of(client)) as session:
        session.connection().execute(text("UPDATE alembic_version SET version_num = '0009'"))
        session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "database not migrated"}
    assert client.get("/healthz").status_code == 200  # alive, just not ready
