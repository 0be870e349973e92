"""Objects jobs work on: the Django-style manager (``manager``) and, later, the object registry.

``app.db`` imports ``app.objects.manager`` to give every model ``.objects``, so this package's
``__init__`` must stay free of model imports (a registry goes in its own submodule).
"""
