"""What the plugins call while a run renders a town: links, embeds, cleaning, typography,
pictures, the search index, the final pass over written pages, interface text.

See docs/architecture.md for how the stages fit together.
"""
