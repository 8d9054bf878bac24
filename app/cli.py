"""The ``arbejdsglaede`` command: serve, create-user, and the operator's other tools."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Callable, Sequence

from app.config import Settings

Command = Callable[[argparse.Namespace, Settings], int]


# A tablet sends a tap every few seconds while people talk. uvicorn's default of 5 s closes
# the connection in most pauses, and a tap sent just as it closes failed ("ReadError") in
# the 200-tablet benchmark. Browsers keep idle connections for minutes (Chromium 300 s,
# Firefox 115 s) and retry a request once when a server closed a reused one.
KEEP_ALIVE_SECONDS = 75


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from app.main import create_app

    if "base_url" not in settings.model_fields_set:
        # The printed setup link should point where this server actually listens.
        settings = settings.model_copy(update={"base_url": f"http://{args.host}:{args.port}"})
        # Derived, not configured: links and the trusted hosts still follow the settings.
        settings.model_fields_set.discard("base_url")
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        # The app itself believes X-Forwarded-For, and only from ARBEJDSGLAEDE_TRUSTED_PROXIES;
        # uvicorn's own handling would trust any local proxy's say.
        proxy_headers=False,
        access_log=settings.access_log,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    return 0


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

    back = sub.add_parser("backup", help="write every table and image into one file (a zip)")
    back.add_argument("file", metavar="FILE")
    back.set_defaults(run=cmd_backup)

    restore = sub.add_parser("restore", help="load a backup into an empty database")
    restore.add_argument("file", metavar="FILE")
    restore.set_defaults(run=cmd_restore)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    run: Command = args.run
    return run(args, Settings())


if __name__ == "__main__":
    raise SystemExit(main())
