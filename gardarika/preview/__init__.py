"""Previews on this computer: ``invoke serve`` and ``invoke live``.

See docs/architecture.md for how the stages fit together.
"""
