"""Building: the builder and its processes (one per town and language, with helpers),
the Pelican settings of a run, limits, fingerprints, the portal.

See docs/architecture.md for how the stages fit together.
"""
