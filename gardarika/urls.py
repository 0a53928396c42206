"""Splitting an address into its parts without ever failing on what a page holds.

``urllib.parse.urlsplit`` raises ``ValueError`` for an unmatched bracket in the host
(``https://[evil.example/a.png``, which a browser simply fails to load). Addresses come
from editors' texts and themes, and bad input must never stop a town with a traceback,
so every part of the build that splits such an address uses :func:`split_url`.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit


def split_url(url: str) -> SplitResult:
    """``urlsplit(url)``; for an address it refuses, the same with its brackets escaped
    (the scheme, the host's place and the path stay where they were)."""
    try:
        return urlsplit(url)
    except ValueError:
        return urlsplit(url.replace("[", "%5B").replace("]", "%5D"))
