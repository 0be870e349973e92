"""The object registry: each model users work with declares itself once, here.

A registered model gets, from generic code, a list page with filters and search, detail/add/edit/delete
pages (``/<app_label>/<slug>/``), a REST resource (``/api/<app_label>/<slug>/``), permissions under
its object type (``"dcim.device"``) and change records. Jobdeck's built-in inventory registers its
models in ``app.inventory``; a plugin package registers its own from its plugin config::

    from app.objects.registry import register

    register(Device, "dcim", search=("name", "serial"), columns=("name", "status", "location", "device_type"))

Jobdeck's own models (jobs, results, users) keep their hand-written pages and are not registered here.
"""

from __future__ import annotations

import dataclasses

import peewee

from app.security.object_types import register_object_type

__all__ = ["ObjectKind", "kind_at", "kind_of", "kinds", "register", "search_fields_of"]


@dataclasses.dataclass(frozen=True)
class ObjectKind:
    """What the generic views, filters and serializers need to know about one registered model."""

    model: type
    app_label: str  # "dcim"
    slug: str  # "devices": the path segment under /<app_label>/ and /api/<app_label>/
    noun: str  # "device"
    plural: str  # "devices"
    search: tuple[str, ...]  # fields ``?q=`` searches (icontains, any may match); "__" paths allowed
    columns: tuple[str, ...]  # the list page's columns, dotted paths allowed ("device_type.manufacturer")
    order: tuple[str, ...]  # default ordering, manager style ("name", "-created")
    read_only: tuple[str, ...] = ()  # fields shown but never written through a form or the API

    @property
    def object_type(self) -> str:
        return f"{self.app_label}.{self.model.__name__.lower()}"

    @property
    def name(self) -> str:
        """Endpoint and schema prefix: ``dcim_device``."""
        return f"{self.app_label}_{self.model.__name__.lower()}"


_KINDS: dict[str, ObjectKind] = {}  # object type -> kind
_BY_PATH: dict[tuple[str, str], ObjectKind] = {}


def _default_slug(model) -> str:
    # DeviceType -> device-types, as Nautobot's routes.
    words = []
    for char in model.__name__:
        if char.isupper() and words:
            words.append("-")
        words.append(char.lower())
    return "".join(words) + "s"


def _human(model) -> str:
    return _default_slug(model)[:-1].replace("-", " ")


def search_fields_of(model) -> tuple[str, ...]:
    """The registered search fields, else ``("name",)`` when the model has one, else none."""
    kind = kind_of(model)
    if kind is not None:
        return kind.search
    return ("name",) if "name" in model._meta.fields else ()


def register(model, app_label: str, *, slug: str | None = None, noun: str | None = None,
             plural: str | None = None, search: tuple[str, ...] | None = None,
             columns: tuple[str, ...] | None = None, order: tuple[str, ...] | None = None,
             read_only: tuple[str, ...] = ()) -> ObjectKind:
    """Register ``model`` under ``app_label``; refuses a second model with the same type or path."""
    if not (isinstance(model, type) and issubclass(model, peewee.Model)):
        raise TypeError(f"register() needs a Peewee model class, not {model!r}")
    fields = model._meta.fields
    noun = noun or _human(model)
    kind = ObjectKind(
        model=model,
        app_label=app_label,
        slug=slug or _default_slug(model),
        noun=noun,
        plural=plural or f"{noun}s",
        search=tuple(search if search is not None else (("name",) if "name" in fields else ())),
        columns=tuple(columns or [name for name in fields if name != model._meta.primary_key.name][:5]),
        order=tuple(order or (("name",) if "name" in fields else ("pk",))),
        read_only=tuple(read_only),
    )
    existing = _KINDS.get(kind.object_type) or _BY_PATH.get((app_label, kind.slug))
    if existing is not None and existing.model is not model:
        raise ValueError(f"{kind.object_type} (/{app_label}/{kind.slug}/) is already registered "
                         f"for {existing.model.__module__}.{existing.model.__qualname__}")
    _KINDS[kind.object_type] = kind
    _BY_PATH[(app_label, kind.slug)] = kind
    register_object_type(model, kind.object_type, noun, kind.plural)
    return kind


def kinds() -> list[ObjectKind]:
    """Every registered kind, by app label then noun."""
    return sorted(_KINDS.values(), key=lambda kind: (kind.app_label, kind.noun))


def kind_of(model_or_instance) -> ObjectKind | None:
    """The kind of a registered model (class or instance), else None."""
    model = model_or_instance if isinstance(model_or_instance, type) else type(model_or_instance)
    return next((kind for kind in _KINDS.values() if kind.model is model), None)


def kind_at(app_label: str, slug: str) -> ObjectKind | None:
    """The kind served at ``/<app_label>/<slug>/``, else None."""
    return _BY_PATH.get((app_label, slug))
