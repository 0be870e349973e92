"""Runs at a later time or on a schedule: due times (``times``), the request's validation
(``requests``) and the dispatcher every worker runs (``dispatcher``)."""
