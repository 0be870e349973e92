"""The flow the admin pages share: the add/edit form page, the delete confirmation, link rows.

The views keep their own permission checks; these functions only run the page once allowed.
"""

from __future__ import annotations

import peewee
from flask import flash
from flask import redirect
from flask import render_template

from app.db import database
from app.web.admin_forms import ConfirmForm


def form_page(form, obj, save, *, noun: str, template: str, next_url: str, check=None, **context):
    """The add page (``obj`` not saved yet) or the edit page of ``obj``.

    A valid POST that ``check(form)``, when given, also accepts is stored by ``save(form, obj)``,
    announced, and followed by a redirect to ``next_url`` (a callable is called after the save, so it
    may name the new object's page). Otherwise ``template`` shows the form
    with ``target`` (None when adding) and ``context``.
    """
    adding = obj.id is None
    if form.validate_on_submit() and (check is None or check(form)):
        save(form, obj)
        flash(f"{'Created' if adding else 'Saved'} {noun} {obj}.", "success")
        return redirect(next_url() if callable(next_url) else next_url)
    return render_template(template, form=form, target=None if adding else obj, **context)


def delete_page(obj, *, noun: str, next_url: str, cancel_url: str, consequences=(), name=None, label=None,
                delete=None):
    """Ask "Delete <noun> “<name>”?"; only a valid POST (CSRF checked) deletes ``obj``.

    ``name`` is what the question calls it (``str(obj)`` by default), ``label`` what the messages
    do (``"<noun> <obj>"`` by default), ``delete(obj)`` how it is deleted (``delete_instance`` by
    default). A row other records still refer to is kept, with a message.
    """
    form = ConfirmForm()
    if form.validate_on_submit():
        return _delete(obj, label or f"{noun} {obj}", next_url, delete)
    return render_template(
        "admin/confirm_delete.html",
        form=form,
        noun=noun,
        obj=obj if name is None else name,
        cancel_url=cancel_url,
        consequences=list(consequences),
    )


def _delete(obj, label: str, next_url: str, delete=None):
    try:
        with database.atomic():
            (delete or type(obj).delete_instance)(obj)
    except peewee.IntegrityError:
        flash(f"Could not delete {label}: other records still refer to it.", "danger")
    else:
        flash(f"Deleted {label}.", "success")
    return redirect(next_url)


def linked_ids(owner_column, owner, other_column) -> list[int]:
    """The ids in ``other_column`` of the link rows whose ``owner_column`` is ``owner``."""
    rows = owner_column.model.select(other_column).where(owner_column == owner).tuples()
    return [pk for (pk,) in rows]


def set_links(owner_column, owner, other_column, wanted_ids) -> None:
    """Link ``owner`` to exactly ``wanted_ids``, adding and removing only the rows that change."""
    link_model = owner_column.model
    wanted = set(wanted_ids or [])
    current = set(linked_ids(owner_column, owner, other_column))
    if current - wanted:
        link_model.delete().where(
            (owner_column == owner) & other_column.in_(list(current - wanted))
        ).execute()
    for pk in sorted(wanted - current):
        link_model.create(**{owner_column.name: owner, other_column.name: pk})
