"""Objects jobs work on: the Django-style manager (``manager``), the registry of models users work
with (``registry``) and the Nautobot-style filters shared by the API, the pages and ObjectVar
(``filtering``).

``app.db`` imports ``app.objects.manager`` to give every model ``.objects``, so this package's
``__init__`` must stay free of model imports.
"""
