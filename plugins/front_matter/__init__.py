"""YAML front matter for Markdown files, beside Pelican's ``Key: value`` header.

Editors coming from Jekyll, Hugo or Obsidian write their metadata as YAML between two
``---`` lines. This plugin reads such files with a real YAML parser, so lists
(``tags: [ярмарка, ремёсла]`` or one ``- item`` per line), quoted titles with colons and
dates all work; files without front matter are read by Pelican's Markdown reader as
before. A malformed front matter is an error naming the line, never a silently dropped
article.

In the ``Key: value`` header, a key written twice counts once, by its first value, for
every key Pelican or Gardarika reads as a single value (``Title``, ``Lang``,
``Translation``, ``Template``…): Pelican would otherwise pass a list on and fail on it.
The duplicate is reported with the file, as Pelican reports its own.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from markdown import Markdown
from pelican import signals
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader
from pelican.utils import pelican_open

from gardarika.content.frontmatter import parse_front_matter, split_front_matter


def _plain(value: Any) -> Any:
    """YAML values as Pelican's metadata processors expect them (text or lists of text)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [str(_plain(v)) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


logger = logging.getLogger(__name__)

#: header keys with one value (besides those Pelican already takes only once)
SINGLE_VALUED = frozenset(
    {"title", "lang", "translation", "template", "future", "description", "keywords", "image"}
)


#: the Markdown instance of this process, for the settings it was made with (see
#: FrontMatterMarkdownReader.markdown)
_SHARED: dict[str, Any] = {}


class FrontMatterMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, also understanding YAML front matter.

    Pelican makes a new Markdown instance for every file; with a dozen extensions that
    costs about as much as converting a short article (their patterns, processors and
    tables set up again). One instance per process is kept instead and reset between
    files, as Python-Markdown intends (``Markdown.reset`` clears every extension's state:
    references, footnotes, abbreviations, the header, the table of contents). The
    header's preprocessor, which reading the header removes (as Pelican does), is put
    back for the next file. An instance that a conversion left half-way (an error, a
    text nested too deep) is never used again."""

    def markdown(self) -> Markdown:
        config = self.settings["MARKDOWN"]
        md = _SHARED.get("md")
        if md is None or _SHARED.get("config") is not config or md.parser.state:
            _SHARED.clear()
            md = Markdown(**config)
            _SHARED.update(config=config, md=md)
            if "meta" in md.preprocessors:
                index = md.preprocessors.get_index_for_name("meta")
                _SHARED["meta"] = (
                    md.preprocessors["meta"],
                    md.preprocessors._priority[index].priority,
                )
        md.reset()
        if "meta" in _SHARED and "meta" not in md.preprocessors:
            processor, priority = _SHARED["meta"]
            md.preprocessors.register(processor, "meta", priority)
        # taken until the file is read: an error on the way leaves it to be made anew
        _SHARED.pop("md")
        return md

    def done(self, md: Markdown) -> None:
        """The file was read: ``md`` may serve the next one."""
        if not md.parser.state:
            _SHARED["md"] = md

    def _parse_metadata(self, meta: dict[str, list[str]]) -> dict[str, Any]:
        single: dict[str, list[str]] = {}
        for name, values in meta.items():
            key = name.lower()
            if key == "lang" and not any(v.strip() for v in values):
                continue  # "Lang:" left empty: the default language, as the checks say
            if (
                len(values) > 1
                and key in SINGLE_VALUED
                and DUPLICATES_DEFINITIONS_ALLOWED.get(key, True)
            ):
                # the same words as Pelican's own warning, so it is explained alike
                logger.warning(
                    "Duplicate definition of `%s` for %s. Using first one.", key, self._source_path
                )
                values = values[:1]
            single[name] = values
        return super()._parse_metadata(single)

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        with pelican_open(source_path) as text:
            front, body, _ = split_front_matter(text)
        self._source_path = source_path
        self._md = self.markdown()
        if front is None:  # Pelican's own reading, with the shared instance
            content = self._md.convert(text)
            metadata = self._parse_metadata(self._md.Meta) if hasattr(self._md, "Meta") else {}
            self.done(self._md)
            return content, metadata
        data = parse_front_matter(front)
        if "meta" in self._md.preprocessors:
            self._md.preprocessors.deregister("meta")  # the body has no header of its own
        content = self._md.convert(body)
        formatted = {f.lower() for f in self.settings["FORMATTED_FIELDS"]}
        metadata: dict[str, Any] = {}
        for key, value in data.items():
            name = str(key).lower()
            plain = _plain(value)
            if name == "lang" and isinstance(plain, str) and not plain.strip():
                continue  # "lang:" left empty: the default language
            if name in formatted:
                self._md.reset()
                plain = self._md.convert("\n".join(plain) if isinstance(plain, list) else plain)
            elif isinstance(plain, list) and name not in ("tags", "authors"):
                plain = ", ".join(plain)
            metadata[name] = self.process_metadata(name, plain)
        self.done(self._md)
        return content, metadata


def use_reader(readers: Any) -> None:
    for ext in FrontMatterMarkdownReader.file_extensions:
        if readers.reader_classes.get(ext) in (None, MarkdownReader):
            readers.reader_classes[ext] = FrontMatterMarkdownReader


def register() -> None:
    signals.readers_init.connect(use_reader)
