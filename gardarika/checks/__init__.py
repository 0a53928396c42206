"""Checks: the editors' checks of a town's content before its build (``lint``), and the
check of the output after it (links, remote loads, scripts, SVG, XML, page weight).

See docs/architecture.md for how the stages fit together.
"""
