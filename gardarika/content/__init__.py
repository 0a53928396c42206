"""A town's content as the editors write it: documents and their metadata, encodings,
slugs, the Markdown extensions, ``invoke new``.

See docs/architecture.md for how the stages fit together.
"""
