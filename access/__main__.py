"""User administration from the command line, for the server operator.

    python -m access add-user --username U --role R [--units ICU,ED] [--display-name N] [--oidc [--oidc-issuer URL]]
    python -m access disable-user --username U
    python -m access enable-user --username U
    python -m access set-role --username U --role R [--units ICU,ED]
    python -m access set-password --username U
    python -m access list-users

The store is ``HOSPITAL_STORE_URL`` (or the embedded default; ``--store-url`` overrides). ``add-user`` asks for the
password twice without echo (``getpass``) unless ``--oidc`` is given: then the user can only sign in through the
identity provider; ``set-password`` asks for a new one the same way (a reset by the operator). Passwords must pass
:mod:`access.password_policy`. Every change is audited (``user_added`` / ``user_changed`` / ``password_changed``) as
``cli:<operating-system user>``.
Exit status 0 on success, 2 with a one-line message on a refused request.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from access import auth
from access.roles import ROLES
from data_loaders.store import StoreError, create_store


def _units(text: str | None) -> tuple[str, ...]:
    return tuple(sorted({u.strip() for u in (text or "").split(",") if u.strip()}))


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:
        return "cli:unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m access", description="Manage the app's user accounts.")
    parser.add_argument("--store-url", help="SQLAlchemy URL of the store (default: HOSPITAL_STORE_URL).")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-user", help="Create an account (asks for the password).")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--units", help="Comma-separated unit ids (required for dept_head).")
    add.add_argument("--display-name")
    add.add_argument("--oidc", action="store_true", help="No password: sign-in through OpenID Connect only.")
    add.add_argument(
        "--oidc-issuer", help="Allow single sign-on only from this identity provider (its ID tokens' iss value)."
    )
    for name, text in (("disable-user", "Disable an account."), ("enable-user", "Enable an account.")):
        commands.add_parser(name, help=text).add_argument("--username", required=True)
    role = commands.add_parser("set-role", help="Change an account's role and units.")
    role.add_argument("--username", required=True)
    role.add_argument("--role", required=True, choices=ROLES)
    role.add_argument("--units")
    reset = commands.add_parser("set-password", help="Give an account a new password (asks for it twice).")
    reset.add_argument("--username", required=True)
    commands.add_parser("list-users", help="List accounts.")
    return parser


def _ask_password() -> str:
    first = getpass.getpass("Password (at least 12 characters, not a common one): ")
    if first != getpass.getpass("Repeat the password: "):
        raise auth.UserError("The two passwords differ; nothing was changed.")
    return first


def _list(engine) -> None:
    rows = auth.list_accounts(engine)
    print(f"{'username':<32} {'role':<11} {'units':<20} {'sign-in':<9} {'status':<8} demo")
    for a in rows:
        method = "password" if a.has_password else "oidc"
        status = "active" if a.active else "disabled"
        demo = "demo" if a.demo else ""
        print(f"{a.username:<32} {a.role:<11} {','.join(sorted(a.units)):<20} {method:<9} {status:<8} {demo}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        engine = create_store(args.store_url)
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    actor = _actor()
    try:
        if args.command == "add-user":
            password = None if args.oidc else _ask_password()
            auth.add_user(
                engine,
                args.username,
                args.role,
                password=password,
                display_name=args.display_name,
                units=_units(args.units),
                actor=actor,
                oidc_issuer=args.oidc_issuer,
            )
            print(f"Added {args.username} ({args.role}).")
        elif args.command in ("disable-user", "enable-user"):
            active = args.command == "enable-user"
            auth.set_active(engine, args.username, active, actor=actor)
            print(f"{args.username} is now {'enabled' if active else 'disabled'}.")
        elif args.command == "set-role":
            auth.set_role(engine, args.username, args.role, _units(args.units), actor=actor)
            print(f"{args.username} is now {args.role}.")
        elif args.command == "set-password":
            auth.set_password(engine, args.username, _ask_password(), actor=actor)
            print(f"{args.username} has a new password.")
        else:
            _list(engine)
    except auth.UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
