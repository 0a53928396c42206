"""Output that works from a USB stick: relative links to files, nothing from the web,
portable file names.

* Every written HTML, CSS, JS and JSON file is passed over once the site is written:
  root-absolute links (``/theme/main.css``) become relative, links to folders
  (``./``, ``news/``) name their ``index.html``; ``#anchors`` and ``?queries`` stay and
  links to other websites are left alone. It fixes what Pelican and any theme produce.
* Remote pictures, video players, frames and objects in content become a plain link
  with a note in the page's language; remote scripts and stylesheets are dropped, and so
  are remote candidates of a ``srcset`` and ``<source>``/``<track>`` that only load from
  another website. Each case is reported with the source file and line.
* Slugs and copied files get portable names (``Фото 1.JPG`` -> ``foto-1.jpg``); the
  source files are never renamed, and every reference follows the new name.

Settings read: ``OUTPUT_PATH``, ``STATIC_URL``, ``GARDARIKA`` (``default_lang``, ``roots``,
``translations_dir``) when present.
"""

from __future__ import annotations

import contextlib
import logging
import os
import posixpath
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlunsplit

from pelican import signals
from pelican.contents import Static

from gardarika.build.isolation import report
from gardarika.build.prefetch import Handing, helpers_of, say
from gardarika.content.documents import line_containing
from gardarika.content.slugs import fallback_slug
from gardarika.errors import Message
from gardarika.fs.portable import portable_name, portable_path
from gardarika.render import pagefacts, pagepass, tags
from gardarika.render.embeds import REMOTE_EMBED_GROUP, replace_remote_embeds
from gardarika.render.i18n import load_translations
from gardarika.render.links import (
    is_internal,
    make_portable,
    rewrite_css,
    rewrite_html,
    rewrite_html_noting,
    rewrite_js,
    rewrite_json,
)
from gardarika.render.outputwalk import walk_output
from gardarika.urls import split_url

logger = logging.getLogger(__name__)

REWRITERS = {
    ".html": rewrite_html,
    ".htm": rewrite_html,
    ".css": rewrite_css,
    ".js": rewrite_js,
    ".json": rewrite_json,
}
#: folders that only the default language writes; other languages link one level up
SHARED_FOLDERS = ("theme", "images", "files")


def _config(settings: dict[str, Any]) -> dict[str, Any]:
    return settings.get("GARDARIKA") or {}


def _gettext(settings: dict[str, Any], lang: str) -> Any:
    directory = _config(settings).get("translations_dir") or os.path.join(
        settings["THEME"], "translations"
    )
    return load_translations(directory, lang).gettext


def _relative_source(instance: Any) -> str:
    base = instance.settings.get("PATH", "")
    return os.path.relpath(instance.source_path, base) if base else instance.source_path


def portable_slug(instance: Any) -> None:
    """An explicit ``slug:`` with capitals, Cyrillic or spaces gets a portable form; a
    title with no letter or digit (``🙂🙂``) gives the file name's slug instead of an
    empty one (which would be written as a hidden file ``.html``)."""
    if isinstance(instance, Static):
        return
    if (
        hasattr(instance, "slug")
        and not instance.slug
        and "slug" not in getattr(instance, "metadata", {})
    ):
        instance.slug = (
            fallback_slug(os.path.basename(instance.source_path), getattr(instance, "lang", None))
            or "file"
        )
    if not getattr(instance, "slug", None):
        return
    fixed = portable_name(instance.slug)
    if fixed != instance.slug:
        source = _relative_source(instance)
        logger.warning(
            "%s: the slug “%s” is not a portable file name; “%s” is used instead.",
            source,
            instance.slug,
            fixed,
            extra={
                "gardarika_file": source,
                "gardarika_line": line_containing(instance.source_path, instance.slug),
                "gardarika_ru": f"адрес «{instance.slug}» не годится для имени файла; "
                f"используется «{fixed}».",
            },
        )
        instance.slug = fixed


SOURCE_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown", ".rst", ".html", ".htm")


def link_plain_paths(instance: Any) -> None:
    """A plain relative link in content (``images/a.jpg``, ``../files/b.pdf``) becomes
    ``{static}``/``{filename}``, so it works on listing pages, in every language's folder
    and after renaming. It may be relative to the file or to the town's content folder."""
    if isinstance(instance, Static) or not isinstance(getattr(instance, "_content", None), str):
        return
    root = Path(instance.settings["PATH"])
    source_dir = os.path.relpath(os.path.dirname(instance.source_path), root)
    source_dir = "" if source_dir == "." else source_dir.replace(os.sep, "/")

    def fix(url: str) -> str:
        if not is_internal(url) or url.lstrip().startswith(("{", "|")):
            return url
        parts = split_url(url.strip())
        if not parts.path:
            return url
        path = unquote(parts.path)
        for candidate in (posixpath.join(source_dir, path), path.lstrip("/")):
            candidate = posixpath.normpath(candidate)
            if candidate.startswith("..") or not (root / candidate).is_file():
                continue
            kind = "{filename}" if candidate.lower().endswith(SOURCE_SUFFIXES) else "{static}"
            return urlunsplit(("", "", f"{kind}/{candidate}", parts.query, parts.fragment))
        return url

    instance._content = rewrite_html(instance._content, fix)


#: what became of a remote embed, by ``Embed.action``: (English, Russian)
_ACTIONS = {
    "link": Message("it was turned into a link", "он заменён ссылкой"),
    "drop": Message("it was removed", "он удалён"),
    "srcset": Message(
        "this address was taken out of its srcset; the picture's own file (src) is shown instead",
        "этот адрес убран из srcset; показывается собственный файл картинки (src)",
    ),
}
#: what to do, for the things an editor can put in the town's folder instead
_ADVICE = Message(
    " To show it offline, save the file in the town's folder and link it with {static}/….",
    " Чтобы это показывалось без интернета, сохраните файл в папке города и "
    "сошлитесь на него через {static}/….",
)
_SAVABLE = frozenset({"img", "source", "track", "video", "audio"})


class _SourceLines:
    """Lines of one source file where addresses are written, the file read once (a text
    with thousands of remote pictures must not be read again for each of them)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.text: str | None = None
        self.lines: dict[str, int | None] = {}

    def of(self, needle: str) -> int | None:
        if needle not in self.lines:
            if self.text is None:
                try:
                    with open(self.path, encoding="utf-8-sig") as source:
                        self.text = source.read()
                except (OSError, UnicodeDecodeError):
                    self.text = ""
            at = self.text.find(needle)
            self.lines[needle] = self.text.count("\n", 0, at) + 1 if at >= 0 else None
        return self.lines[needle]


def offline_content(instance: Any) -> None:
    """Remote embeds in an article or page become links with a note; remote candidates
    of a ``srcset`` go."""
    if isinstance(instance, Static):
        return
    gettext = _gettext(instance.settings, getattr(instance, "lang", "en"))
    for attribute in ("_content", "_summary"):
        html = getattr(instance, attribute, None)
        # no shortcut on "//": "https:\\site" and "https:&#47;&#47;site" load too
        if not isinstance(html, str) or "<" not in html:
            continue
        fixed, embeds = replace_remote_embeds(html, gettext)
        if not embeds:
            continue
        setattr(instance, attribute, fixed)
        if attribute == "_summary":
            continue  # the same embed in the body is reported once
        source = _relative_source(instance)
        lines = _SourceLines(instance.source_path)
        for embed in embeds:
            action, action_ru = _ACTIONS[embed.action]
            advice, advice_ru = _ADVICE if embed.element in _SAVABLE else ("", "")
            logger.warning(
                "%s: <%s> loads %s from another website, which does not work offline; %s.%s",
                source,
                embed.element,
                embed.url,
                action,
                advice,
                extra={
                    "gardarika_file": source,
                    "gardarika_group": REMOTE_EMBED_GROUP,
                    "gardarika_line": lines.of(embed.url),
                    "gardarika_ru": f"<{embed.element}> загружает {embed.url} с другого "
                    f"сайта, а без интернета это не работает; "
                    f"{action_ru}.{advice_ru}",
                },
            )


def portable_static_names(generator: Any) -> None:
    """Copied pictures and files get portable names; ``{static}`` links follow them."""
    renames = generator.context.setdefault("gardarika_renames", {})
    taken = {sc.save_as for sc in generator.context["static_content"].values()}
    for static in generator.context["static_content"].values():
        old_save_as, old_url = static.save_as, static.url
        new_save_as = portable_path(old_save_as)
        if new_save_as == old_save_as:
            continue
        stem, ext = posixpath.splitext(new_save_as)
        number = 2
        while new_save_as in taken:
            new_save_as = f"{stem}-{number}{ext}"
            number += 1
        taken.add(new_save_as)
        prefix = old_url[: -len(old_save_as)] if old_url.endswith(old_save_as) else ""
        static.override_save_as = new_save_as
        static.override_url = prefix + new_save_as
        renames[old_url] = static.override_url


def url_fixer(output: Path, page_dir: str, shared_up: bool, renames: dict[str, str]):
    """The function that makes one URL of a file in ``page_dir`` portable."""

    def is_dir(site_path: str) -> bool:
        return (output / site_path).is_dir()

    def fix(url: str) -> str:
        if not is_internal(url):
            return url
        if shared_up and url.startswith("/") and url.lstrip("/").split("/", 1)[0] in SHARED_FOLDERS:
            url = "/.." + url  # theme files and pictures live in the default language
        fixed = make_portable(url, page_dir, is_dir)
        if renames:
            parts = split_url(fixed)
            site_path = posixpath.normpath(posixpath.join(page_dir or ".", unquote(parts.path)))
            new = renames.get(site_path)
            if new is not None:
                path = quote(posixpath.relpath(new, page_dir or "."))
                fixed = urlunsplit(("", "", path, parts.query, parts.fragment))
        return fixed

    return fix


#: links one folder's fixer remembers at once
REMEMBERED = 100_000


def _remembered(fix: Callable[[str], str]) -> Callable[[str], str]:
    """``fix`` with its answers remembered (a few hundred thousand at most)."""
    answers: dict[str, str] = {}

    def remembered(url: str) -> str:
        if url not in answers:
            if len(answers) > REMEMBERED:
                answers.clear()
            answers[url] = fix(url)
        return answers[url]

    return remembered


#: fewer pages than this, and fewer bytes than the next, are rewritten faster than a
#: helper starts and hands back (a few long pages are worth sharing, many short ones too)
SMALLEST_SPLIT = 200
SMALLEST_SPLIT_BYTES = 1024 * 1024


def fix_output(pelican: Any, renames: dict[str, str]) -> None:
    """After writing: make every reference in every written text file portable.

    This runs outside any file's time budget, so each page is named to the parent
    process first: should the town's time limit stop the run here, it is blamed on the
    page being rewritten, not on the last file read.

    When the run has a helper (a core no other run uses, ``gardarika.build.prefetch``), the
    helper rewrites the second half of the pages (by size) while the run rewrites the
    first. The helper writes each page beside it under a hidden name and hands back
    what it noted and logged; only then does the run put its pages in place. A helper
    that fails or takes too long costs only time: the run rewrites its pages itself."""
    settings = pelican.settings
    output = Path(pelican.output_path)
    config = _config(settings)
    pass_ = _Pass(
        output=output,
        settings=settings,
        shared_up=bool(config) and settings["DEFAULT_LANG"] != config.get("default_lang"),
        renames=renames,
        # what other plugins do to every page (light_images), done in this same pass
        changes=pagepass.prepared(pelican),
    )
    pages = list(walk_output(output, settings, tuple(REWRITERS)))
    # each page's references, from the pass that rewrites it, for the page weight and
    # the offline check (gardarika.render.pagefacts): no page is read for links again
    noted = pagefacts.Recorder()
    helper, theirs = None, []
    sizes = _sizes(pages) if helpers_of(settings) > 0 and settings.get("CACHE_PATH") else []
    if sizes and (len(pages) >= SMALLEST_SPLIT or sum(sizes) >= SMALLEST_SPLIT_BYTES):
        cut = _half(sizes)
        pages, theirs = pages[:cut], pages[cut:]
        try:
            helper = Handing(
                lambda: pass_.run(theirs, pagefacts.Recorder(), aside=True), settings["CACHE_PATH"]
            )
        except OSError:
            pages, theirs = pages + theirs, []
    try:
        pass_.run(pages, noted)
    except BaseException:
        if helper is not None:  # stopped before it writes anything more beside the pages
            helper.stop()
            _drop_aside(theirs)
        raise
    if helper is not None:
        handed = helper.result()
        if handed is None or not _put_in_place(handed[0], theirs, noted):
            _drop_aside(theirs)  # what a failed helper left beside the pages
            pass_.run(theirs, noted)
        else:
            say(handed[1])
    report("")  # done with the pages: what may come after is no page's fault
    if settings.get("CACHE_PATH"):
        noted.save(settings["CACHE_PATH"])


def _sizes(pages: list[tuple[str, Path]]) -> list[int]:
    """Each page's size in bytes (0 for one that cannot be read)."""
    sizes = []
    for _, path in pages:
        try:
            sizes.append(path.stat().st_size)
        except OSError:
            sizes.append(0)
    return sizes


def _half(sizes: list[int]) -> int:
    """Where pages of ``sizes`` split into two shares of about the same size."""
    total, done = sum(sizes), 0
    for index, size in enumerate(sizes):
        if done * 2 >= total:
            return index
        done += size
    return len(sizes)


def _drop_aside(pages: list[tuple[str, Path]]) -> None:
    for _, path in pages:
        with contextlib.suppress(OSError):
            os.unlink(_aside(path))


def _aside(path: Path) -> Path:
    """Where a helper writes a rewritten page until the run puts it in place."""
    return path.with_name(f".{path.name}.rewritten")


def _put_in_place(handed: Any, theirs: list[tuple[str, Path]], noted: pagefacts.Recorder) -> bool:
    """Put the helper's rewritten pages in place and take what it noted; False (and
    nothing put in place) when what it handed back does not cover its pages."""
    if not isinstance(handed, tuple) or len(handed) != 2:
        return False
    pages, changed = handed
    expected = {posixpath.join(rel_dir, path.name) for rel_dir, path in theirs}
    # the helper hands back only once it rewrote all of them: these are its pages
    if not isinstance(pages, dict) or not isinstance(changed, list):
        return False
    if not expected.issuperset(pages) or not expected.issuperset(changed):
        return False
    by_rel = {posixpath.join(rel_dir, path.name): path for rel_dir, path in theirs}
    for rel in changed:
        os.replace(_aside(by_rel[rel]), by_rel[rel])
    noted.pages.update(pages)
    return True


class _Pass:
    """The rewriting of pages: their references made portable, and what other plugins
    do to every page."""

    def __init__(
        self,
        output: Path,
        settings: dict[str, Any],
        shared_up: bool,
        renames: dict[str, str],
        changes: list[Any],
    ) -> None:
        self.output = output
        self.settings = settings
        self.shared_up = shared_up
        self.renames = renames
        self.changes = changes
        # pages of one folder share most links (menus, listings, the theme): each link
        # is made portable once per folder; the folders do not change meanwhile
        self.fixers: dict[str, Callable[[str], str]] = {}

    def run(
        self, pages: list[tuple[str, Path]], noted: pagefacts.Recorder, aside: bool = False
    ) -> tuple[dict[str, Any], list[str]]:
        """Rewrite ``pages``, noting their references; with ``aside`` each changed
        page is written beside it (see :func:`_aside`). Gives what was noted and the
        pages changed."""
        changed = []
        for rel_dir, path in pages:
            report(os.path.abspath(path))
            # by the end of the name, as walk_output chose it: ".html" has no suffix
            rewrite = next(
                r for suffix, r in REWRITERS.items() if path.name.lower().endswith(suffix)
            )
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            if rel_dir not in self.fixers:
                self.fixers[rel_dir] = _remembered(
                    url_fixer(self.output, rel_dir, self.shared_up, self.renames)
                )
            fixer = self.fixers[rel_dir]
            rel = posixpath.join(rel_dir, path.name)
            if rewrite is rewrite_html:
                # the page is read once for all the passes, again only after a change
                fixed, page = text, tags.read(text)
                for change in self.changes:
                    changed_text = change(rel_dir, fixed, page)
                    if changed_text != fixed:
                        fixed, page = changed_text, tags.read(changed_text)
                # remote loads first (they are not this pass's business), then links
                dropped = _drop_remote_loads(fixed, rel, self.settings, page)
                if dropped != fixed:
                    fixed, page = dropped, tags.read(dropped)
                fixed, refs = rewrite_html_noting(fixed, fixer, page)
                noted.note(rel, fixed, refs)
            else:
                fixed = rewrite(text, fixer)
            if fixed != text:
                target = _aside(path) if aside else path
                target.write_text(fixed, encoding="utf-8", errors="surrogateescape")
                changed.append(rel)
        return noted.pages, changed


def _drop_remote_loads(
    html: str, shown: str, settings: dict[str, Any], page: tags.Page | None = None
) -> str:
    """Remote things a theme loads (fonts, scripts, players, ``srcset`` candidates) go
    too, reported by page. ``page``: ``html`` as :func:`tags.read` read it."""
    if "<" not in html:
        return html
    gettext = _gettext(settings, settings["DEFAULT_LANG"])
    fixed, embeds = replace_remote_embeds(html, gettext, page)
    line, counted = 1, 0
    for embed in embeds:  # in the order of the page: count each line break once
        if embed.offset < counted:  # found again after a change: count afresh
            line, counted = 1, 0
        line += html.count("\n", counted, embed.offset)
        counted = embed.offset
        logger.warning(
            "%s:%s: the theme's <%s> loads %s from another website, which does not work "
            "offline; %s.",
            shown,
            line,
            embed.element,
            embed.url,
            _ACTIONS[embed.action][0],
        )
    return fixed


#: old URL -> new URL of renamed static files, for the final pass. Module state is fine:
#: Gardarika runs every (town, language) in a process of its own.
_RENAMES: dict[str, str] = {}


#: the kinds of list pages Pelican writes for a name, with the setting that saves them
_TERM_KINDS = (
    ("tags", "TAG_SAVE_AS"),
    ("categories", "CATEGORY_SAVE_AS"),
    ("authors", "AUTHOR_SAVE_AS"),
)


def note_own_term_pages(generator: Any) -> None:
    """The addresses of the tag, category and author pages this run writes (``TERM_PAGES``
    in the templates' context). Pelican writes them for the names its published articles
    use; a hidden article or a draft may name one that no published article does, and a
    link to it would lead nowhere: the theme shows such a name as text."""
    urls: set[str] = set()
    for attribute, save_as in _TERM_KINDS:
        if not generator.settings.get(save_as):
            continue
        terms = getattr(generator, attribute, None) or ()
        for term in terms.keys() if isinstance(terms, dict) else (pair[0] for pair in terms):
            url = getattr(term, "url", None)
            if isinstance(url, str):
                urls.add(url)
    generator.context["TERM_PAGES"] = frozenset(urls)


def keep_renames(generator: Any) -> None:
    """Rename static files and hand the renames to the final pass."""
    portable_static_names(generator)
    _RENAMES.update(generator.context.get("gardarika_renames", {}))


def finalized(pelican: Any) -> None:
    fix_output(pelican, _RENAMES)


def register() -> None:
    signals.content_object_init.connect(portable_slug)
    signals.content_object_init.connect(link_plain_paths)
    signals.content_object_init.connect(offline_content)
    signals.static_generator_finalized.connect(keep_renames)
    signals.article_generator_finalized.connect(note_own_term_pages)
    signals.finalized.connect(finalized)
