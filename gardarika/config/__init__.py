"""Settings: the network's and each town's (``sites/*.yaml``), read with line numbers,
and the Pelican settings a town may set.

See docs/architecture.md for how the stages fit together.
"""
