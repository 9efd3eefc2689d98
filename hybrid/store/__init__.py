"""The scenario library: saved scenarios with versions, trash, import and export, in SQLite or
PostgreSQL (``scenarios``).

May import: ``hybrid.model``, ``hybrid.errors``.
"""
