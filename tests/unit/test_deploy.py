"""The deployment files (issue 17): compose.yaml, its Caddyfile and .env.example agree with
each other and with the app, and hold no secret. Docker is not needed to check them."""

from __future__ import annotations

import re
import shlex
from typing import Any

import yaml

from app import PROJECT_DIR
from app.cli import build_parser
from app.config import Settings

COMPOSE = PROJECT_DIR / "compose.yaml"
CADDYFILE = PROJECT_DIR / "Caddyfile"
ENV_EXAMPLE = PROJECT_DIR / ".env.example"
SECRET_WORDS = ("PASSWORD", "SECRET", "KEY", "TOKEN")
# ${NAME}, ${NAME:-default}, ${NAME:?message}
REFERENCE = re.compile(r"^\$\{([A-Z_]+)(?::[-?][^}]*)?\}$")


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "environment as a mapping"
    return {str(k): str(v) for k, v in env.items()}


def test_compose_has_the_app_postgresql_and_caddy() -> None:
    services = compose()["services"]
    assert set(services) == {"app", "db", "caddy"}
    assert services["app"]["build"] == "."
    assert re.fullmatch(r"postgres:\d+", services["db"]["image"])
    assert services["caddy"]["image"].startswith("caddy:")


def test_the_app_serves_from_several_processes_once_postgresql_is_healthy() -> None:
    services = compose()["services"]
    app = services["app"]
    args = build_parser().parse_args(app["command"][1:])
    assert app["command"][0] == "arbejdsglaede" and args.command == "serve"
    assert args.workers >= 2 and args.host == "0.0.0.0"
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert environment(app)["DATABASE_URL"].startswith("postgresql://")
    assert "@db:5432/" in environment(app)["DATABASE_URL"]


def test_postgresql_has_a_health_check_and_a_named_volume() -> None:
    whole = compose()
    db = whole["services"]["db"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume, path = db["volumes"][0].split(":")[:2]
    assert volume in whole["volumes"] and path == "/var/lib/postgresql/data"


def test_no_secret_is_written_in_the_compose_file() -> None:
    """Every value that is a secret comes from the environment (.env), and the database
    URL takes its password from there too."""
    for name, service in compose()["services"].items():
        for key, value in environment(service).items():
            if any(word in key for word in SECRET_WORDS):
                assert REFERENCE.match(value), f"{name}: {key} is written out"
        url = environment(service).get("DATABASE_URL")
        if url:
            password = re.fullmatch(r"postgresql://[^:]+:(.+)@[^@]+", url)
            assert password and REFERENCE.match(password.group(1)), url


def test_env_example_lists_every_variable_and_no_secret() -> None:
    used = set(re.findall(r"\$\{([A-Z_]+)", COMPOSE.read_text()))
    # The Caddyfile's {$NAME}; a {$NAME:default} works unset and is nothing operators set.
    caddy = re.findall(r"\{\$([A-Z_]+)(:[^}]*)?\}", CADDYFILE.read_text())
    assert "DOMAIN" in {name for name, _ in caddy}
    used |= {name for name, default in caddy if not default}
    listed = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert used <= set(listed), used - set(listed)
    for key, value in listed.items():
        if any(word in key for word in SECRET_WORDS):
            assert value == "", f"{key} has a value in .env.example"


def test_env_files_never_reach_the_image() -> None:
    ignored = (PROJECT_DIR / ".dockerignore").read_text().split()
    assert ".env" in ignored


def test_caddy_passes_on_to_the_app_which_believes_only_caddy() -> None:
    whole = compose()
    caddyfile = CADDYFILE.read_text()
    # The compose service and port by default; the e2e test sets APP_UPSTREAM to its own.
    upstream = re.search(r"^\s*reverse_proxy \{\$APP_UPSTREAM:([a-z]+):(\d+)\}$", caddyfile, re.M)
    assert upstream
    app = whole["services"]["app"]
    assert upstream.group(1) in whole["services"]
    assert int(upstream.group(2)) == build_parser().parse_args(app["command"][1:]).port
    caddy_address = whole["services"]["caddy"]["networks"]["internal"]["ipv4_address"]
    trusted = environment(whole["services"]["app"])["ARBEJDSGLAEDE_TRUSTED_PROXIES"]
    assert trusted == caddy_address
    assert environment(whole["services"]["app"])["ARBEJDSGLAEDE_SECURE_COOKIES"] == "true"


def test_caddy_refuses_bodies_above_the_apps_own_limit_only() -> None:
    size = re.search(r"max_size (\d+)MiB", CADDYFILE.read_text())
    assert size
    assert int(size.group(1)) * 1024 * 1024 == Settings.model_fields["max_request_bytes"].default


def test_the_dockerfile_serves_the_app_as_the_cli_knows_it() -> None:
    dockerfile = (PROJECT_DIR / "Dockerfile").read_text()
    command = re.search(r"^CMD (\[.*\])$", dockerfile, re.M)
    assert command
    args = yaml.safe_load(command.group(1))
    assert args[0] == "arbejdsglaede"
    assert build_parser().parse_args(args[1:]).command == "serve"
    for copied in re.findall(r"^COPY (\S+) ", dockerfile, re.M):
        assert all((PROJECT_DIR / f).exists() for f in shlex.split(copied)), copied
    assert "/healthz" in dockerfile
