"""The ``arbejdsglaede`` command: serve, create-user, and the operator's other tools."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Callable, Sequence

from app.config import Settings

Command = Callable[[argparse.Namespace, Settings], int]


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from app.main import create_app

    if "base_url" not in settings.model_fields_set:
        # The printed setup link should point where this server actually listens.
        settings = settings.model_copy(update={"base_url": f"http://{args.host}:{args.port}"})
    uvicorn.run(create_app(settings), host=args.host, port=args.port, proxy_headers=True)
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    run: Command = args.run
    return run(args, Settings())


if __name__ == "__main__":
    raise SystemExit(main())
