"""The manager's exceptions, as Django's: each model also has its own ``DoesNotExist`` and
``MultipleObjectsReturned`` subclass, so ``except JobRecord.DoesNotExist`` catches only its rows.
"""

import peewee

__all__ = ["FieldError", "MultipleObjectsReturned", "NotSupportedError", "ObjectDoesNotExist"]

# Peewee gives every model ``Model.DoesNotExist``, a subclass of this one.
ObjectDoesNotExist = peewee.DoesNotExist


class MultipleObjectsReturned(Exception):
    """get() matched more than one row; each model has its own subclass."""


class FieldError(Exception):
    """A query named a field or lookup the model does not have."""


class NotSupportedError(Exception):
    """A Django query feature this manager does not translate (see README, "Querying from jobs")."""
