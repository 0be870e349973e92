"""Widgets a variable may ask for with ``widget=``.

WTForms widgets (a class or an instance) are used as they are. Job files ported from Nautobot pass
Django widget classes by name; the same names are importable here and map to WTForms widgets.
"""

from __future__ import annotations

import wtforms.widgets


class Textarea(wtforms.widgets.TextArea):
    """Django's ``Textarea``: a multi-line text box."""


class PasswordInput(wtforms.widgets.PasswordInput):
    """Django's ``PasswordInput``: typed characters are hidden and never re-rendered."""


class HiddenInput(wtforms.widgets.HiddenInput):
    """Django's ``HiddenInput``."""


class CheckboxInput(wtforms.widgets.CheckboxInput):
    """Django's ``CheckboxInput``."""


class Select(wtforms.widgets.Select):
    """Django's ``Select``: a single-choice drop-down."""


class SelectMultiple(wtforms.widgets.Select):
    """Django's ``SelectMultiple``: a multiple-choice list."""

    def __init__(self):
        super().__init__(multiple=True)


class TextInput(wtforms.widgets.TextInput):
    """Django's ``TextInput``."""


class NumberInput(wtforms.widgets.NumberInput):
    """Django's ``NumberInput``."""


DJANGO_NAMES = {
    cls.__name__: cls
    for cls in (Textarea, PasswordInput, HiddenInput, CheckboxInput, Select, SelectMultiple, TextInput,
                NumberInput)
}

__all__ = sorted(DJANGO_NAMES)


class WidgetError(TypeError):
    """``widget=`` names something that is not a widget we can render."""


def resolve_widget(widget):
    """Return a widget instance for ``widget=`` (None stays None) or raise WidgetError."""
    if widget is None:
        return None
    if isinstance(widget, str):
        widget_cls = DJANGO_NAMES.get(widget)
        if widget_cls is None:
            raise WidgetError(f"unknown widget name {widget!r}; use one of {', '.join(sorted(DJANGO_NAMES))}")
        return widget_cls()
    if isinstance(widget, type):
        name = widget.__name__
        if widget.__module__.startswith("django") and name in DJANGO_NAMES:
            return DJANGO_NAMES[name]()
        if not callable(getattr(widget, "__call__", None)) or widget.__module__.startswith("django"):
            raise WidgetError(f"{widget.__module__}.{name} is not a WTForms widget")
        try:
            return widget()
        except TypeError as exc:
            raise WidgetError(f"cannot create widget {name}: {exc}") from None
    if callable(widget):
        if type(widget).__module__.startswith("django"):
            name = type(widget).__name__
            if name in DJANGO_NAMES:
                return DJANGO_NAMES[name]()
            raise WidgetError(f"Django widget {name} has no Jobdeck equivalent")
        return widget
    raise WidgetError(f"{widget!r} is not a widget")
