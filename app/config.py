"""Settings from environment variables (prefix ``ARBEJDSGLAEDE_``) and ``.env``."""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app import PROJECT_DIR

Language = Literal["da", "en"]
LANGUAGES: tuple[Language, ...] = ("da", "en")


def _listed(value: object) -> list[str]:
    """A comma-separated setting (or a list of values) as its non-empty items, stripped."""
    items = value.split(",") if isinstance(value, str) else list(value or [])  # type: ignore[call-overload]
    return [text for text in (str(item).strip() for item in items) if text]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ARBEJDSGLAEDE_", env_file=".env", extra="ignore", populate_by_name=True
    )

    # DATABASE_URL without prefix: the name operators and platforms already use.
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    data_dir: Path = Path("var")
    secret_key: str | None = None
    # Keys used before the current one, comma-separated, newest first: what they encrypted or
    # signed (an admin's two-step secret, a preparation link) is still read after a key change,
    # while everything new uses secret_key (docs/deploy.md, "Changing the secret key").
    previous_secret_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    default_language: Language = "da"
    base_url: str = "http://127.0.0.1:8000"
    cards_dir: Path = PROJECT_DIR / "cards"
    load_default_decks: bool = True

    # Host names this server answers to (the Host header is checked on every request, 400
    # otherwise), besides the loopback names and the host of base_url when that is set.
    # Comma-separated; "*" turns the check off, for a proxy in front that does it.
    allowed_hosts: Annotated[list[str], NoDecode] = []

    session_idle_minutes: int = 60
    # However busy, a session ends this long after its login (DESIGN §6).
    session_absolute_hours: int = Field(default=12, ge=1, le=24 * 30)
    secure_cookies: bool = False
    # One JSON line per request on standard output (app.observability): request id, method,
    # route template, status, duration. The template, never the path: a path names the
    # employee's copy-link token (/r/...). uvicorn's own access log is always off.
    access_log: bool = True
    # The client's address in the request line: personal data, so only when a setting says so.
    log_client_address: bool = False
    log_format: Literal["json", "console"] = "json"
    # Who may read GET /metrics (addresses or networks, comma-separated; by the address
    # app.security.client_address finds, so behind ARBEJDSGLAEDE_TRUSTED_PROXIES); others 404.
    metrics_allowed: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1/32", "::1/128"]
    )
    login_max_failures: int = 10
    login_window_minutes: int = 15
    # Reverse proxies whose X-Forwarded-For is believed: addresses or networks, comma-separated.
    # None by default: else any client could name another address and slip past the per-address
    # login limit.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    setup_link_hours: int = 24

    # Under overload a write waits this long for the database (SQLite's write lock) before
    # the answer is 503 "try again", which the conversation page sends again by itself.
    write_wait_seconds: float = Field(default=30, gt=0, le=600)

    max_upload_bytes: int = 25 * 1024 * 1024
    max_request_bytes: int = 800 * 1024 * 1024
    max_form_bytes: int = 1024 * 1024
    max_image_pixels: int = 50_000_000
    # A request body must arrive within this many seconds (a 408 otherwise): a slow client
    # must not hold a worker. A deck of 800 MB over 100 Mbit/s takes about 65 s, hence the
    # default; raise it for slow links.
    max_body_seconds: float = Field(default=120, gt=0, le=3600)

    # Records (DESIGN §4): the name in the PDF header, and how long an employee's copy link lives.
    organisation_name: str = ""
    share_link_days: int = Field(default=7, ge=1, le=90)
    # How long after finishing its leader can reopen a conversation to correct a mistake
    # (DESIGN §1); 0 turns reopening off. Counted from when it was first finished, so finishing
    # again after a correction does not lengthen it.
    reopen_days: int = Field(default=14, ge=0, le=365)
    # Accounts in the browser (issue 14): how long an admin's invitation link and a
    # password-reset link work. A reset link is short-lived: it is as good as the password.
    invite_days: int = Field(default=7, ge=1, le=90)
    reset_link_hours: int = Field(default=24, ge=1, le=168)
    # "Forgot password?" sends at most this many mails an hour per asking address and per
    # e-mail address asked for; beyond that the page answers the same and sends nothing.
    forgot_password_per_address: int = Field(default=5, ge=1, le=1000)
    forgot_password_per_account: int = Field(default=3, ge=1, le=100)
    # When on, an admin without two-step login is sent to set it up right after logging in.
    require_admin_totp: bool = False

    # Retention (DESIGN §6, GDPR): `arbejdsglaede purge` deletes conversations whose date is
    # older than this many years, and audit entries older than theirs; the database's trigger
    # on the audit log reads the audit retention (written to it at every start).
    retention_conversation_years: int = Field(default=5, ge=1, le=100)
    retention_audit_years: int = Field(default=5, ge=1, le=100)

    # E-mailing the employee's copy link (DESIGN §4): off while smtp_host is empty; nothing is
    # ever sent without it. STARTTLS by default; only a server on the same host may do without.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = ""
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(default=10, gt=0, le=120)

    @field_validator("secret_key")
    @classmethod
    def _refuse_weak_secret(cls, value: str | None) -> str | None:
        if value is not None and len(value) < 32:
            raise ValueError("secret_key must be at least 32 characters")
        return value

    @field_validator("previous_secret_keys", mode="before")
    @classmethod
    def _previous_keys(cls, value: object) -> list[str]:
        keys = _listed(value)
        if any(len(key) < 32 for key in keys):
            raise ValueError("each of previous_secret_keys must be at least 32 characters")
        return keys

    @field_validator("trusted_proxies", "metrics_allowed", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> list[str]:
        # ValueError for anything that is not an address or a network: refused.
        return [str(ipaddress.ip_network(item, strict=False)) for item in _listed(value)]

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return _listed(value) if isinstance(value, str) else value

    @field_validator("smtp_host", "smtp_user", "smtp_password")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        # ARBEJDSGLAEDE_SMTP_HOST= in a .env means "off", as leaving it out does.
        return (value.strip() or None) if value is not None else None

    @model_validator(mode="after")
    def _smtp_needs_a_sender(self) -> Settings:
        if self.smtp_host and "@" not in self.smtp_from:
            raise ValueError("smtp_from must be an e-mail address when smtp_host is set")
        return self

    @property
    def configured_base_url(self) -> str | None:
        """base_url when the operator set it: links that leave the app (the employee's copy
        link, its QR code) are built from it, never from the request's Host header. Unset
        (local use), they follow the request, whose host TrustedHosts has checked."""
        return self.base_url.rstrip("/") if "base_url" in self.model_fields_set else None

    @property
    def trusted_hosts(self) -> frozenset[str]:
        """The Host names requests may carry (app.security.TrustedHosts). Loopback names are
        always trusted: a link to them reaches nobody else. A request with another Host (a
        forged "Host: evil.example") is refused before any link or redirect is made from it."""
        hosts = {"localhost", "127.0.0.1", "::1", *(h.lower() for h in self.allowed_hosts)}
        configured = self.configured_base_url
        if configured and (name := urlsplit(configured).hostname):
            hosts.add(name)
        return frozenset(hosts)

    @property
    def email_enabled(self) -> bool:
        return self.smtp_host is not None

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # Platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
            if url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgres://")
            elif url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            return url
        return f"sqlite:///{(self.data_dir / 'arbejdsglaede.db').resolve()}"

    def secret_keys(self) -> tuple[str, ...]:
        """The current secret key first, then the previous ones."""
        current = self.resolved_secret()
        return (current, *(key for key in self.previous_secret_keys if key != current))

    def resolved_secret(self) -> str:
        """The configured secret, or one generated once into the data dir and kept there."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.touch(mode=0o600)
        path.write_text(key)
        return key
