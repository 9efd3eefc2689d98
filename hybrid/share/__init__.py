"""Sharing a decision: the report (built once, rendered as HTML, Markdown, JSON or PDF, with its
templates) and the URL codec behind the dashboard's ``?s=`` links.

May import: ``hybrid.model``, ``hybrid.evidence``, ``hybrid.explain``, ``hybrid.whatif``,
``hybrid.errors``, ``hybrid.palette``.
"""
