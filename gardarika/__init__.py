"""Gardarika: networks of small bilingual town websites built with Pelican.

The package is split by stage (see docs/architecture.md): ``config``, ``content``,
``checks``, ``build``, ``render``, ``publish``, ``preview`` and ``fs``; the commands
are declared in ``commands`` and run from ``cli``.
"""

from pathlib import Path

__version__ = "0.1.0"

#: this package's folder (its code is part of every town's fingerprint, and a run may
#: read it)
PACKAGE = Path(__file__).resolve().parent
