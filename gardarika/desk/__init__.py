"""The editor's desk (``invoke desk``): write, preview, add photos and publish from a
browser, with no terminal and no git commands."""
