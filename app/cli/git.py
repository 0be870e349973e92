"""``jobdeck git add | sync | list``: Git repositories of jobs."""

from __future__ import annotations

from app.cli.common import CommandError
from app.cli.common import open_database
from app.cli.common import print_table


def register(subparsers) -> None:
    parser = subparsers.add_parser("git", help="Git repositories of jobs: add, sync, list (default: list)")
    parser.set_defaults(handler=list_repositories)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    add = actions.add_parser("add", help="add a Git repository whose jobs/ package provides jobs")
    add.add_argument("name", metavar="NAME")
    add.add_argument("url", metavar="URL", help="https://, http://, ssh://, user@host:path (file:// when allowed)")
    add.add_argument("--branch", default="main", help="branch to sync (default: main)")
    add.add_argument("--slug", default="", help="folder and class path prefix (default: from the name)")
    add.add_argument("--username-env", default="", metavar="VAR",
                     help="NAME of the environment variable holding the username")
    add.add_argument("--token-env", default="", metavar="VAR",
                     help="NAME of the environment variable holding the token")
    add.set_defaults(handler=add_repository)

    sync = actions.add_parser("sync", help="fetch the branch and load its jobs (queued for a worker)")
    sync.add_argument("slug", metavar="SLUG")
    sync.add_argument("--wait", action="store_true", help="sync here and now, printing each line")
    sync.set_defaults(handler=sync_repository)

    listing = actions.add_parser("list", help="list the Git repositories")
    listing.set_defaults(handler=list_repositories)


def add_repository(args) -> int:
    from app.git.remote import GitInputError
    from app.git.repositories import add_repository as add

    open_database()
    try:
        repository = add(name=args.name, remote_url=args.url, branch=args.branch, slug=args.slug,
                         username_env=args.username_env, token_env=args.token_env)
    except GitInputError as exc:
        raise CommandError(str(exc)) from None
    print(f"Added {repository.name} (slug {repository.slug}); sync it with `jobdeck git sync {repository.slug}`.")
    return 0


def sync_repository(args) -> int:
    from app.git.sync import create_sync_result
    from app.git.sync import run_sync
    from app.git.sync import start_sync
    from app.models import GitRepository
    from app.models.git import SyncStatus

    open_database()
    repository = GitRepository.get_or_none(GitRepository.slug == args.slug)
    if repository is None:
        raise CommandError(f"No Git repository has the slug {args.slug!r} (see `jobdeck git list`).")
    if not args.wait:
        result = start_sync(repository)
        print(f"Sync queued: result {result.id}; follow it with `jobdeck results show {result.id} --follow`.")
        return 0
    outcome = run_sync(create_sync_result(repository).id, echo=print)
    return 1 if outcome == SyncStatus.FAILED else 0


def list_repositories(args) -> int:
    from app.git.remote import redact_url
    from app.models import GitRepository

    open_database()
    rows = [
        (repository.slug, repository.name, redact_url(repository.remote_url), repository.branch,
         (repository.current_commit or "-")[:12], repository.sync_status,
         repository.last_sync_time.strftime("%Y-%m-%d %H:%M:%S") if repository.last_sync_time else "-")
        for repository in GitRepository.select().order_by(GitRepository.name)
    ]
    if not rows:
        print("No Git repositories: add one with `jobdeck git add NAME URL`.")
        return 0
    print_table(("SLUG", "NAME", "URL", "BRANCH", "COMMIT", "STATUS", "LAST SYNC (UTC)"), rows)
    return 0
