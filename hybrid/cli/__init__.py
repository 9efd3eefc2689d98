"""``python -m hybrid``: the command line, one module per command group, dispatched by ``main``.

May import every other ``hybrid`` package, but each command module imports its heavy dependencies
(the model, DuckDB, SQLAlchemy, the report renderers) only when its command runs.
"""
