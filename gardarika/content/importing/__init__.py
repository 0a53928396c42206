"""``invoke import``: an existing website brought into a town's folder.

Each kind of source is read into :class:`~gardarika.content.importing.items.Item` (a
text with its metadata, HTML body and where it came from); :mod:`.writer` turns the items
into Markdown files of the town, never overwriting one an editor wrote, and reports what
it did in both languages. Sources: WordPress export files (:mod:`.wxr`), RSS and Atom
feeds (:mod:`.feeds`) and folders of Pelican, Hugo or Jekyll sites (:mod:`.folders`, with
:mod:`.markup` for their template code); links between the texts and the old site's files
are made the town's by :mod:`.addresses`.
"""
