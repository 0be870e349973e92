"""What change logging costs a save: a plain Peewee model against the same model with ChangeLogged.

    python bench/object_changes.py [--saves 5000]

Times creates and updates (each its own transaction, as a page or an API call makes them) of a
small model, with and without the change log (an update re-reads the row for its "before" side and
inserts one ObjectChange). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import time

import peewee
from _harness import Deck
from _harness import machine

from app.db import BaseModel
from app.objects.changes import ChangeLogged
from app.objects.registry import register


class Plain(BaseModel):
    name = peewee.CharField(max_length=100)
    size = peewee.IntegerField(default=0)


class Logged(ChangeLogged, BaseModel):
    name = peewee.CharField(max_length=100)
    size = peewee.IntegerField(default=0)


register(Logged, "bench")


def per_save(model, saves: int) -> tuple[float, float]:
    """(create, update) microseconds per save."""
    started = time.perf_counter()
    rows = [model.create(name=f"row {number}") for number in range(saves)]
    created = time.perf_counter()
    for row in rows:
        row.size += 1
        row.save()
    updated = time.perf_counter()
    return (created - started) / saves * 1e6, (updated - created) / saves * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=5000)
    args = parser.parse_args()
    deck = Deck({})
    try:
        from app.db import database

        database.create_tables([Plain, Logged])
        print(machine())
        for model in (Plain, Logged):
            create, update = per_save(model, args.saves)
            print(f"{model.__name__:7s} create {create:6.0f} µs   update {update:6.0f} µs   "
                  f"({args.saves:,} saves each)")
    finally:
        deck.close()


if __name__ == "__main__":
    main()
