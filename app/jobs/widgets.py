"""Widgets a variable may ask for with ``widget=``.

WTForms widgets (a class or an instance, or any callable ``widget(field, **attributes)``) are used as
they are. Job files ported from Nautobot pass Django widgets; the same names are importable here,
accept Django's ``attrs={...}`` and render with WTForms::

    from app.jobs.widgets import Textarea

    class Notes(Job):
        notes = StringVar(widget=Textarea(attrs={"rows": 4}))

A name string (``widget="Textarea"``) works too. Anything else is a load error naming the job and
the variable.
"""

from __future__ import annotations

import wtforms.widgets


class _DjangoWidget:
    """Django's constructor signature (``attrs``) on top of a WTForms widget."""

    def __init__(self, attrs=None, **kwargs):
        super().__init__(**kwargs)
        self.attrs = dict(attrs or {})

    def __call__(self, field, **kwargs):
        return super().__call__(field, **{**self.attrs, **kwargs})


class Textarea(_DjangoWidget, wtforms.widgets.TextArea):
    """Django's ``Textarea``: a multi-line text box, e.g. ``Textarea(attrs={"rows": 4})``."""


class PasswordInput(_DjangoWidget, wtforms.widgets.PasswordInput):
    """Django's ``PasswordInput``: typed characters are hidden and, unless ``render_value=True``, never
    re-rendered: ``StringVar(widget=PasswordInput)``."""

    def __init__(self, attrs=None, render_value=False):
        super().__init__(attrs, hide_value=not render_value)


class HiddenInput(_DjangoWidget, wtforms.widgets.HiddenInput):
    """Django's ``HiddenInput``: ``StringVar(widget=HiddenInput, default="v2")``."""


class CheckboxInput(_DjangoWidget, wtforms.widgets.CheckboxInput):
    """Django's ``CheckboxInput``: ``BooleanVar(widget=CheckboxInput)``."""

    def __init__(self, attrs=None, check_test=None):
        super().__init__(attrs)


class Select(_DjangoWidget, wtforms.widgets.Select):
    """Django's ``Select``, a single-choice drop-down: ``ChoiceVar(choices=..., widget=Select)``."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs)


class SelectMultiple(_DjangoWidget, wtforms.widgets.Select):
    """Django's ``SelectMultiple``: ``MultiChoiceVar(choices=..., widget=SelectMultiple)``."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs, multiple=True)


class TextInput(_DjangoWidget, wtforms.widgets.TextInput):
    """Django's ``TextInput``: ``StringVar(widget=TextInput(attrs={"placeholder": "ams01"}))``."""


class NumberInput(_DjangoWidget, wtforms.widgets.NumberInput):
    """Django's ``NumberInput``: ``IntegerVar(widget=NumberInput(attrs={"step": 5}))``."""


DJANGO_NAMES = {
    cls.__name__: cls
    for cls in (Textarea, PasswordInput, HiddenInput, CheckboxInput, Select, SelectMultiple, TextInput,
                NumberInput)
}

__all__ = [
    "CheckboxInput",
    "HiddenInput",
    "NumberInput",
    "PasswordInput",
    "Select",
    "SelectMultiple",
    "TextInput",
    "Textarea",
]


class WidgetError(TypeError):
    """``widget=`` names something that is not a widget we can render."""


def _from_django(widget_cls, instance=None):
    """Our equivalent of a real Django widget (class or instance), keeping its ``attrs``."""
    ours = DJANGO_NAMES.get(widget_cls.__name__)
    if ours is None:
        raise WidgetError(f"Django widget {widget_cls.__name__} has no Jobdeck equivalent; use one of "
                          f"{', '.join(sorted(DJANGO_NAMES))} from app.jobs.widgets")
    return ours(attrs=getattr(instance, "attrs", None))


def _renders(widget_cls) -> bool:
    # A WTForms widget is any class whose instances are called with the field to render it.
    return any("__call__" in vars(klass) for klass in widget_cls.__mro__ if klass is not object)


def resolve_widget(widget):
    """Return a widget instance for ``widget=`` (None stays None) or raise WidgetError::

        resolve_widget("Textarea")           # -> Textarea()
        resolve_widget(wtforms.widgets.TextArea)
    """
    if widget is None:
        return None
    if isinstance(widget, str):
        widget_cls = DJANGO_NAMES.get(widget)
        if widget_cls is None:
            raise WidgetError(f"unknown widget name {widget!r}; use one of {', '.join(sorted(DJANGO_NAMES))}")
        return widget_cls()
    if isinstance(widget, type):
        if widget.__module__.startswith("django"):
            return _from_django(widget)
        if not _renders(widget):
            raise WidgetError(f"{widget.__qualname__} is not a widget")
        try:
            return widget()
        except TypeError as exc:
            raise WidgetError(f"cannot create widget {widget.__name__}: {exc}") from None
    if type(widget).__module__.startswith("django"):
        return _from_django(type(widget), widget)
    if callable(widget):
        return widget
    raise WidgetError(f"{widget!r} is not a widget")
