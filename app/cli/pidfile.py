"""``jobdeck worker --pidfile PATH``: the worker's process id in a file, for service managers and scripts.

The file is created atomically; a start whose pidfile names a live process is refused (two workers on
one pidfile would make it lie), a file left by a killed worker is taken over. The worker removes the
file when it stops, unless the file by then names another process.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.cli.common import CommandError
from app.execution.reaper import pid_alive

__all__ = ["PidFile"]


class PidFile:
    def __init__(self, path):
        self.path = Path(path).expanduser().absolute()
        self.pid = os.getpid()

    def _owner(self) -> int | None:
        try:
            text = self.path.read_text().strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CommandError(f"Cannot read the pidfile {self.path}: {exc.strerror}.") from None
        return int(text) if text.isdigit() else None

    def acquire(self) -> None:
        """Write this process's id, or raise CommandError when another live process holds the file."""
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                owner = self._owner()
                if owner is not None and owner != self.pid and pid_alive(owner):
                    raise CommandError(f"The pidfile {self.path} names process {owner}, which is still running: is "
                                       "another worker using it? Stop that one or choose another --pidfile.") from None
                self.path.unlink(missing_ok=True)  # left by a worker that was killed
                continue
            except OSError as exc:
                raise CommandError(f"Cannot create the pidfile {self.path}: {exc.strerror}.") from None
            with os.fdopen(fd, "w") as handle:
                handle.write(f"{self.pid}\n")
            return
        raise CommandError(f"Cannot create the pidfile {self.path}: another process keeps recreating it.")

    def release(self) -> None:
        if os.getpid() == self.pid and self._owner() == self.pid:
            self.path.unlink(missing_ok=True)
