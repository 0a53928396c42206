"""Files: atomic writes and swaps, the project's lock, portable names, paths that stay
inside a town.

See docs/architecture.md for how the stages fit together.
"""
