"""``jobdeck createsuperuser``, ``jobdeck createuser`` and ``jobdeck token create|list``."""

from __future__ import annotations

import argparse
import datetime
import getpass
import os
import sys

from app.cli.common import CommandError
from app.cli.common import find_user
from app.cli.common import open_database
from app.cli.common import positive_int
from app.cli.common import print_table

PASSWORD_VARIABLE = "JOBDECK_ADMIN_PASSWORD"


def register(subparsers) -> None:
    for command, superuser, help_text in (
        ("createsuperuser", True, "create a user who may do everything"),
        ("createuser", False, "create a user with no permissions until an administrator grants some"),
    ):
        parser = subparsers.add_parser(command, help=help_text)
        parser.add_argument("name", nargs="?", metavar="USERNAME", help="the new user's name (or --username)")
        parser.add_argument("--username", help=argparse.SUPPRESS)  # the older spelling; still accepted
        parser.add_argument("--email", default="")
        passwords = parser.add_mutually_exclusive_group()
        default = f"${PASSWORD_VARIABLE}, else " if superuser else ""
        passwords.add_argument(
            "--password", help=f"the password (visible to other local users while it runs); default: {default}"
            "asked for when run in a terminal",
        )
        passwords.add_argument("--password-stdin", action="store_true",
                               help="read the password from the first line of standard input")
        parser.set_defaults(handler=create_user, superuser=superuser)

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


def create_user(args) -> int:
    """``createsuperuser`` and ``createuser``: the same checks and password sources."""
    from app.models import User

    username = new_username(args)
    open_database()
    if User.get_or_none(User.username == username) is not None:
        raise CommandError(f"A user named {username!r} already exists; choose another name.")
    make_user(username, read_password(args), email=args.email, superuser=args.superuser)
    if args.superuser:
        print(f"Superuser {username!r} created.")
    else:
        print(f"User {username!r} created; they may do nothing until an administrator grants permissions "
              "(Admin → Permissions in the web UI).")
    return 0


def new_username(args) -> str:
    if args.name and args.username and args.name != args.username:
        raise CommandError(f"Two usernames given ({args.name!r} and --username {args.username!r}); give one.")
    username = args.name or args.username
    if not username:
        raise CommandError("Give the new user's name, e.g. `jobdeck createuser ada`.")
    if not username.strip() or username != username.strip():
        raise CommandError("A username cannot be empty or start or end with spaces.")
    return username


def read_password(args) -> str:
    """--password, --password-stdin, $JOBDECK_ADMIN_PASSWORD (superusers only), or the terminal."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = args.password or (os.environ.get(PASSWORD_VARIABLE) if args.superuser else None)
        password = password or _prompt_password(args.superuser)
    if not password:
        raise CommandError("The password cannot be empty.")
    return password


def make_superuser(username: str, password: str, *, email: str = ""):
    return make_user(username, password, email=email, superuser=True)


def make_user(username: str, password: str, *, email: str = "", superuser: bool = False):
    from app.models import User

    user = User(username=username, email=email, is_superuser=superuser, is_staff=superuser, is_active=True)
    user.set_password(password)
    user.save()
    return user


def _prompt_password(superuser: bool) -> str:
    if not sys.stdin.isatty():
        sources = f"--password, --password-stdin or {PASSWORD_VARIABLE}" if superuser else \
            "--password or --password-stdin"
        raise CommandError(f"Give a password with {sources} (no terminal to ask on).")
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
