"""The ``arbejdsglaede`` command: serve, create-user, and the operator's other tools."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from types import FrameType
from typing import TYPE_CHECKING

from app.config import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

Command = Callable[[argparse.Namespace, Settings], int]


# A tablet sends a tap every few seconds while people talk. uvicorn's default of 5 s closes
# the connection in most pauses, and a tap sent just as it closes failed ("ReadError") in
# the 200-tablet benchmark. Browsers keep idle connections for minutes (Chromium 300 s,
# Firefox 115 s) and retry a request once when a server closed a reused one.
KEEP_ALIVE_SECONDS = 75
# On SIGTERM (a deploy, docker stop) the server stops accepting and lets the requests in
# flight finish for up to this long; a PDF takes seconds, a tap milliseconds. Below docker's
# and Kubernetes' patience before SIGKILL (30 s; give docker stop --time 30, compose
# stop_grace_period: 30s).
GRACEFUL_SHUTDOWN_SECONDS = 25


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from app.observability.logs import configure_logging

    settings = _listening(settings, args.host, args.port)
    configure_logging(fmt=settings.log_format)
    options = {
        "host": args.host,
        "port": args.port,
        # The app itself believes X-Forwarded-For, and only from ARBEJDSGLAEDE_TRUSTED_PROXIES;
        # uvicorn's own handling would trust any local proxy's say.
        "proxy_headers": False,
        # The app writes each request's line itself (app.observability), with the route
        # template, never the path with its tokens; uvicorn logs through the same handler.
        "access_log": False,
        "log_config": None,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
    }
    if args.workers == 1:
        from app.main import create_app

        app = create_app(settings)
        with _signals_end_cleanly():
            uvicorn.run(app, **options)
        return 0
    from app import workers
    from app.bootstrap import announce_setup_link, prepare_database
    from app.clock import utcnow
    from app.db import make_engine

    # Once, before any worker starts: the migration and the default decks (the workers would
    # take turns anyway), the setup link (each printed one would end the one before), and a
    # generated secret key (workers that each made their own would refuse each other's forms).
    settings.resolved_secret()
    engine = make_engine(settings.sqlalchemy_url)
    prepare_database(settings, engine)
    announce_setup_link(settings, engine, utcnow)
    engine.dispose()
    # The workers are new interpreters that inherit this environment; it is put back after,
    # so nothing else in this process believes it is a worker or counts metrics in files.
    saved = dict(os.environ)
    os.environ[WORKER_ADDRESS] = f"{args.host} {args.port}"
    try:
        with ExitStack() as stack:
            if not os.environ.get(METRICS_FOLDER):
                # /metrics then adds up every worker's figures, whichever worker answers; a
                # fresh folder per start, so no dead process's counts carry over, removed when
                # the server stops.
                folder = tempfile.TemporaryDirectory(prefix="arbejdsglaede-metrics-")
                os.environ[METRICS_FOLDER] = stack.enter_context(folder)
            with _signals_end_cleanly():
                workers.serve("app.cli:worker_app", factory=True, workers=args.workers, **options)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return 0


# Set by `serve --workers N` for its worker processes, which build their app from it.
WORKER_ADDRESS = "ARBEJDSGLAEDE_SERVE_WORKER_ADDRESS"
METRICS_FOLDER = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's multiprocess mode


def worker_app() -> FastAPI:
    """The app in each of `serve --workers N`'s processes: settings from the environment, as
    the parent read them, and the database the parent prepared."""
    from app.main import create_app
    from app.observability.logs import configure_logging

    host, port = os.environ[WORKER_ADDRESS].split(" ")
    settings = _listening(Settings(), host, int(port))
    configure_logging(fmt=settings.log_format)
    return create_app(settings, prepared=True)


def _listening(settings: Settings, host: str, port: int) -> Settings:
    if "base_url" in settings.model_fields_set:
        return settings
    # The printed setup link should point where this server actually listens.
    settings = settings.model_copy(update={"base_url": f"http://{host}:{port}"})
    # Derived, not configured: links and the trusted hosts still follow the settings.
    settings.model_fields_set.discard("base_url")
    return settings


@contextmanager
def _signals_end_cleanly() -> Iterator[None]:
    """uvicorn finishes the requests in flight on SIGTERM or Ctrl-C, then raises the signal
    again for the handler it found: this one lets ``serve`` end with exit code 0, the clean
    stop it was, instead of dying of the signal (or a KeyboardInterrupt's traceback)."""

    def stopped(signum: int, frame: FrameType | None) -> None:
        pass

    previous = {sig: signal.signal(sig, stopped) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from app.bootstrap import prepare_database
    from app.db import make_engine

    engine = make_engine(settings.sqlalchemy_url)
    prepare_database(settings, engine)
    engine.dispose()
    print("Database is up to date.")
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != first:
            raise SystemExit("The passwords differ.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    from app.accounts import service
    from app.bootstrap import prepare_database
    from app.db import make_engine, write_session
    from app.errors import DomainError
    from app.i18n import translate

    engine = make_engine(settings.sqlalchemy_url)
    prepare_database(settings, engine)
    password = _read_password()
    with write_session(engine) as session:
        try:
            user = service.create_user(
                session, email=args.email, name=args.name, role=args.role, password=password
            )
        except DomainError as error:
            print(translate("en", error.message, **error.params), file=sys.stderr)
            return 1
    engine.dispose()
    print(f"Created {user.role} {user.email}.")
    return 0


def cmd_import_deck(args: argparse.Namespace, settings: Settings) -> int:
    """A deck from a zip (DESIGN §7): exit 0, or one line per bad file and nothing stored."""
    from pathlib import Path

    from app.bootstrap import prepare_database
    from app.clock import utcnow
    from app.db import make_engine, write_session
    from app.decks.archive import import_archive
    from app.decks.service import DeckRefused
    from app.decks.zipcheck import UploadLimits
    from app.errors import DomainError
    from app.i18n import translate
    from app.models import DeckStatus

    path = Path(args.file)
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 2
    engine = make_engine(settings.sqlalchemy_url)
    prepare_database(settings, engine)
    status = DeckStatus.draft if args.draft else DeckStatus.published
    try:
        with write_session(engine) as session, path.open("rb") as stream:
            deck = import_archive(
                session,
                stream=stream,
                zip_name=path.name,
                limits=UploadLimits.from_settings(settings),
                status=status,
                now=utcnow(),
            )
            summary = f"Imported {deck.name_da!r} as {deck.slug} ({deck.status})."
    except DeckRefused as refused:
        for problem in refused.problems:
            print(f"{problem.file}: {translate(args.lang, problem.message, **problem.params)}")
        print(translate(args.lang, refused.message), file=sys.stderr)
        return 1
    except DomainError as error:
        print(f"{path.name}: {translate(args.lang, error.message, **error.params)}")
        return 1
    finally:
        engine.dispose()
    print(summary)
    return 0


def cmd_export_deck(args: argparse.Namespace, settings: Settings) -> int:
    """deck.toml and one image per card, the format import-deck reads (round trip)."""
    from pathlib import Path

    from app.bootstrap import prepare_database
    from app.db import make_engine, read_session
    from app.decks.archive import export_deck, find_deck
    from app.errors import NotFound

    engine = make_engine(settings.sqlalchemy_url)
    prepare_database(settings, engine)
    try:
        with read_session(engine) as session:
            try:
                deck = find_deck(session, args.name)
            except NotFound:
                print(f"No deck named {args.name!r}.", file=sys.stderr)
                return 1
            exported = export_deck(session, deck=deck)
    finally:
        engine.dispose()
    output = Path(args.output or exported.file_name)
    output.write_bytes(exported.data)
    print(f"Wrote {output} ({exported.cards} cards).")
    return 0


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    """Retention (DESIGN §6): delete what is due and say how much of each kind."""
    from app.accounts.deps import limits
    from app.bootstrap import prepare_database
    from app.clock import utcnow
    from app.db import make_engine, write_session
    from app.records.retention import purge

    engine = make_engine(settings.sqlalchemy_url)
    prepare_database(settings, engine)
    try:
        with write_session(engine) as session:
            done = purge(
                session,
                now=utcnow(),
                conversation_years=settings.retention_conversation_years,
                audit_years=settings.retention_audit_years,
                session_limits=limits(settings),
                dry_run=args.dry_run,
            )
    finally:
        engine.dispose()
    verb = "Would delete" if args.dry_run else "Deleted"
    print(
        f"{verb} conversations held before {done.conversations_before} "
        f"({settings.retention_conversation_years} years) and audit entries made before "
        f"{done.audit_before} ({settings.retention_audit_years} years):"
    )
    for line in done.lines():
        print(f"  {line}")
    if args.dry_run:
        print("Dry run: nothing was deleted.")
    return 0


def cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    """Each leader's digest of what is due (issue 16), once a day; run it daily from cron or a
    systemd timer. Without SMTP, or with --dry-run, it says what it would send."""
    from app.bootstrap import prepare_database
    from app.clock import utcnow
    from app.conversations.routes import router as conversations
    from app.db import make_engine, write_session
    from app.employees.routes import router as employees
    from app.mail import SmtpConfig
    from app.records.reminders import Paths, remind

    # The links come from the app's own routes, so a renamed path cannot leave them dangling.
    paths = Paths(
        home=conversations.url_path_for("conversations_home"),
        conversation=lambda i: conversations.url_path_for("conversations_show", conversation_id=i),
        employee=lambda i: employees.url_path_for("employees_show", employee_id=i),
    )
    engine = make_engine(settings.sqlalchemy_url)
    prepare_database(settings, engine)
    try:
        with write_session(engine) as session:
            outcome = remind(
                session,
                smtp=SmtpConfig.from_settings(settings),
                dry_run=args.dry_run,
                now=utcnow(),
                base_url=settings.base_url,
                paths=paths,
            )
    finally:
        engine.dispose()
    for line in outcome.lines:
        print(line)
    return 1 if outcome.failed else 0


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Every table and image into one file (DESIGN §7); the database is only read."""
    from pathlib import Path

    from app.backup import BackupRefused, backup
    from app.db import make_engine

    engine = make_engine(settings.sqlalchemy_url)
    path = Path(args.file)
    try:
        summary = backup(engine, path)
    except BackupRefused as refused:
        print(str(refused), file=sys.stderr)
        return 1
    except OSError as error:
        print(f"Cannot write {path}: {error.strerror or error}.", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(summary.line("Backed up to", path))
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    """A backup into an empty database, all or nothing, migrated to this version after."""
    from pathlib import Path

    from app.backup import BackupRefused, restore
    from app.db import make_engine

    if settings.sqlalchemy_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url)
    path = Path(args.file)
    try:
        summary = restore(engine, path)
    except BackupRefused as refused:
        print(f"Nothing was restored. {refused}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(summary.line("Restored from", path))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arbejdsglaede", description="Picture cards for the employee development conversation."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="serve from N processes (SQLite or PostgreSQL); default 1",
    )
    serve.set_defaults(run=cmd_serve)

    migrate = sub.add_parser("migrate", help="migrate the database and load the default decks")
    migrate.set_defaults(run=cmd_migrate)

    create = sub.add_parser("create-user", help="create a user; the password is read from stdin")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=["leader", "facilitator", "admin"])
    create.set_defaults(run=cmd_create_user)

    imp = sub.add_parser("import-deck", help="import a deck from a zip of images and deck.toml")
    imp.add_argument("file", metavar="FILE.zip")
    imp.add_argument("--draft", action="store_true", help="import as a draft, not published")
    imp.add_argument("--lang", choices=["da", "en"], default="en", help="language of the report")
    imp.set_defaults(run=cmd_import_deck)

    exp = sub.add_parser("export-deck", help="write a deck as a zip that import-deck reads")
    exp.add_argument("name", metavar="NAME", help="the deck's slug, or its Danish or English name")
    exp.add_argument("--output", "-o", metavar="FILE.zip", help="default: <slug>.zip")
    exp.set_defaults(run=cmd_export_deck)

    purge = sub.add_parser("purge", help="delete conversations and audit entries past retention")
    purge.add_argument("--dry-run", action="store_true", help="say what is due, delete nothing")
    purge.set_defaults(run=cmd_purge)

    remind = sub.add_parser("remind", help="e-mail each leader a digest of what is due (daily)")
    remind.add_argument(
        "--dry-run", action="store_true", help="say what it would send; send nothing"
    )
    remind.set_defaults(run=cmd_remind)

    back = sub.add_parser("backup", help="write every table and image into one file (a zip)")
    back.add_argument("file", metavar="FILE")
    back.set_defaults(run=cmd_backup)

    restore = sub.add_parser("restore", help="load a backup into an empty database")
    restore.add_argument("file", metavar="FILE")
    restore.set_defaults(run=cmd_restore)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command != "serve":  # serve writes JSON lines (app.observability.logs)
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    run: Command = args.run
    return run(args, Settings())


if __name__ == "__main__":
    raise SystemExit(main())
