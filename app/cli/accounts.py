"""``jobdeck createsuperuser`` and ``jobdeck token create|list``."""

from __future__ import annotations

import datetime
import getpass
import os
import sys

from app.cli.common import CommandError
from app.cli.common import find_user
from app.cli.common import open_database
from app.cli.common import positive_int

PASSWORD_VARIABLE = "JOBDECK_ADMIN_PASSWORD"


def register(subparsers) -> None:
    parser = subparsers.add_parser("createsuperuser", help="create a user who may do everything")
    parser.add_argument("--username", required=True)
    parser.add_argument(
        "--password",
        help=f"default: ${PASSWORD_VARIABLE}, else asked for when run in a terminal",
    )
    parser.add_argument("--email", default="")
    parser.set_defaults(handler=create_superuser)

    token = subparsers.add_parser("token", help="create or list API tokens")
    actions = token.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a token and print its key (shown only once)")
    create.add_argument("--username", required=True, help="the user the token acts as")
    create.add_argument("--description", default="")
    create.add_argument("--expires-days", type=positive_int, metavar="N", help="expire after N days")
    create.add_argument("--read-only", action="store_true", help="allow only GET, HEAD and OPTIONS requests")
    create.set_defaults(handler=create_token)
    listing = actions.add_parser("list", help="list a user's tokens (key prefixes only)")
    listing.add_argument("--username", required=True)
    listing.set_defaults(handler=list_tokens)


def create_superuser(args) -> int:
    from app.models import User

    if not args.username.strip() or args.username != args.username.strip():
        raise CommandError("--username cannot be empty or start or end with spaces.")
    open_database()
    if User.get_or_none(User.username == args.username) is not None:
        raise CommandError(f"A user named {args.username!r} already exists; choose another --username.")
    password = args.password or os.environ.get(PASSWORD_VARIABLE) or _prompt_password()
    make_superuser(args.username, password, email=args.email)
    print(f"Superuser {args.username!r} created.")
    return 0


def make_superuser(username: str, password: str, *, email: str = ""):
    from app.models import User

    user = User(username=username, email=email, is_superuser=True, is_staff=True, is_active=True)
    user.set_password(password)
    user.save()
    return user


def _prompt_password() -> str:
    if not sys.stdin.isatty():
        raise CommandError(f"Give a password with --password or {PASSWORD_VARIABLE} (no terminal to ask on).")
    password = getpass.getpass("Password: ")
    if not password:
        raise CommandError("The password cannot be empty.")
    if getpass.getpass("Password (again): ") != password:
        raise CommandError("The two passwords do not match.")
    return password


def create_token(args) -> int:
    from app.db import utcnow
    from app.models import Token

    open_database()
    user = find_user(args.username)
    expires = utcnow() + datetime.timedelta(days=args.expires_days) if args.expires_days else None
    token, key = Token.issue(user, description=args.description, expires=expires,
                             write_enabled=not args.read_only)
    print(key)
    details = [f"for {user.username}", "read-only" if args.read_only else "read-write"]
    if expires:
        details.append(f"expires {expires:%Y-%m-%d %H:%M} UTC")
    print(f"Token {token.prefix}… created ({', '.join(details)}). Copy the key now: it is not shown again.",
          file=sys.stderr)
    return 0


def list_tokens(args) -> int:
    from app.cli.catalog import print_table
    from app.models import Token

    open_database()
    user = find_user(args.username)
    tokens = list(Token.select().where(Token.user == user).order_by(Token.created))
    if not tokens:
        print(f"{user.username} has no API tokens.")
        return 0
    rows = [
        (
            f"{token.prefix}…",
            "read-only" if not token.write_enabled else "read-write",
            f"{token.created:%Y-%m-%d %H:%M}",
            _expiry(token),
            f"{token.last_used:%Y-%m-%d %H:%M}" if token.last_used else "never",
            token.description,
        )
        for token in tokens
    ]
    print_table(("KEY", "ACCESS", "CREATED (UTC)", "EXPIRES", "LAST USED", "DESCRIPTION"), rows)
    return 0



def _expiry(token) -> str:
    if token.is_expired:
        return "expired"
    return f"{token.expires:%Y-%m-%d %H:%M}" if token.expires else "never"
