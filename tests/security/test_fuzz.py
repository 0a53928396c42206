"""Hostile documents, generated: every build either succeeds or fails with a message
naming the file — never a traceback — and never writes outside ``output/<town>/``.

Hypothesis writes one or two Markdown files per example into a one-language town
(``ru``): metadata as Pelican's ``Key: value`` header, YAML front matter (valid, broken,
with duplicate keys, aliases, odd tags) or none; dates in many formats and nonsense;
known, unknown and garbage languages; odd slugs; Unicode with right-to-left marks,
combining accents, emoji, control characters and non-characters; very long values;
byte-order marks; CR, LF and CRLF line endings, mixed; empty and large files; and bytes
that are not UTF-8. Each example is built in-process (:class:`gardarika.build.builder.Builder`
forks the Pelican worker from this already warm process), which keeps an example at a
tenth of a second or so.

What may change on disk during a build: ``output/<town>/`` and ``.cache/``. The builder
also (re)writes the network's portal, ``output/index.html`` and its ``output/theme/``,
after every build: that is the network's page, not the town's, and it is allowed only
because it does not depend on any town's content — so the test requires those files to
stay byte for byte what a build of harmless content made them. Content files are never
rewritten.

``GARDARIKA_FUZZ_EXAMPLES`` raises the number of examples for a deeper local run
(the default, 500, is what CI runs).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from projects import PNG, write

from gardarika.build.builder import Builder

EXAMPLES = int(os.environ.get("GARDARIKA_FUZZ_EXAMPLES", "500"))
#: ``GARDARIKA_FUZZ_SHRINK=0`` reports the first failure as found, without minimising it
PHASES = (
    tuple(Phase)
    if os.environ.get("GARDARIKA_FUZZ_SHRINK", "1") != "0"
    else (Phase.explicit, Phase.reuse, Phase.generate)
)
TOWN = "t"
#: the biggest generated file; enough to cross buffer sizes, small enough to stay fast
MAX_BYTES = 200_000

# -- text -----------------------------------------------------------------------------

ODD = [
    "\u202e",
    "\u202d",
    "\u200f",
    "\u200e",
    "\u2066",
    "\u2069",  # bidi controls
    "שלום",
    "مرحبا بكم",
    "e\u0301",
    "\u0301\u0308\u0327",
    "й",
    "ё",  # RTL, combining
    "🙂",
    "👨\u200d👩\u200d👧",
    "🇷🇺",
    "\u200b",
    "\u200d",
    "\u00ad",  # emoji, zero width
    "\u2028",
    "\u2029",
    "\x85",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\U0010ffff",
    "\ue000",
    "\U000e0001",
    "\ufdd0",  # non-characters, PUA
    "\x00",
    "\x01",
    "\x07",
    "\x08",
    "\x1b",
    "\x7f",
    "\t",
    "\x0b",
    "\x0c",
    "\x1c",
    "Щёлково",
    "Старая Ладога",
    "con",
    "nul.txt",
    "..",
    "../",
    "/",
    "\\",
    "~",
    "{",
    "}",
    "{static}",
    "{filename}",
    "%",
    "%2e%2e/",
    "&amp;",
    "&#0;",
    "<",
    ">",
    "<script>alert(1)</script>",
    '"',
    "'",
    "`",
    ":",
    ": ",
    "#",
    "-",
    "---",
    "...",
    "[",
    "]",
    "*",
    "!",
    "|",
    "&a",
    "*a",
    "!!",
    "? ",
    "- ",
    "\\u0000",
    "  ",
    " ",
]
odd_text = st.lists(
    st.one_of(
        st.sampled_from(ODD), st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
    ),
    max_size=8,
).map("".join)
#: a value repeated into something very long (a 10 000-character title and so on)
long_text = st.builds(
    lambda piece, times: (piece * times)[:12_000],
    st.sampled_from(["Щ", "ab ", "🙂", "e\u0301", "слово "]),
    st.integers(300, 10_000),
)
plain_title = st.sampled_from(
    [
        "Субботник в парке",
        "Craft fair",
        "Ярмарка: итоги",
        "«Кавычки» и — тире",
        "Title",
        "1941–1945",
        "C++ & Co",
    ]
)
#: mostly ordinary, often odd, now and then very long
anything = st.one_of(plain_title, plain_title, odd_text, odd_text, long_text)

DATES = [
    "2024-05-01",
    "2024-05-01 10:30",
    "2024-05-01T10:30:00+03:00",
    "2024-05-01 10:30:00Z",
    "01.05.2024",
    "1.5.24",
    "2024/05/01",
    "05/01/2024",
    "May 1, 2024",
    "1 мая 2024",
    "2024-02-30",
    "2024-13-01",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "99999-01-01",
    "2099-01-01",
    "-2024-01-01",
    "1e10",
    "1714550400",
    "now",
    "yesterday",
    "",
    " ",
    "2024-05-01 25:61",
    "2024-05-01 10:30 Europe/Moscow",
    "2024-W18-3",
    "2024-122",
    "Mon, 01 May 2024 10:30:00 +0300",
    "2024-05-01\x00",
    "２０２４-０５-０１",
]
dates = st.one_of(
    st.sampled_from(DATES),
    odd_text,
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M")),
    st.datetimes().map(lambda d: d.isoformat()),
)
LANGS = [
    "ru",
    "en",
    "de",
    "xx",
    "RU",
    "ru_RU",
    "ru-RU",
    "",
    "zz-ZZ",
    "x" * 60,
    "en.md",
    "sr-Latn",
    "und",
    "root",
    "../en",
    "ру",
]
langs = st.one_of(st.sampled_from(LANGS), odd_text)
SLUGS = [
    "con",
    "nul",
    "aux.html",
    "../../evil",
    "/etc/passwd",
    "a/b/c",
    "",
    ".",
    "..",
    "index",
    "search",
    "theme",
    "pages/x",
    "UPPER",
    "x" * 300,
    "%2e%2e",
    "Щёлково",
]
slugs = st.one_of(st.sampled_from(SLUGS), odd_text)
STATUSES = ["draft", "published", "hidden", "DRAFT", "", "garbage", "draft\x00"]
BOOLEANS = ["yes", "no", "true", "да", "1", "0", "", "maybe"]

# (key, values); keys written in the file with random capitals
KEYS: list[tuple[str, st.SearchStrategy[str]]] = [
    ("title", anything),
    ("date", dates),
    ("lang", langs),
    ("slug", slugs),
    ("category", anything),
    ("tags", anything),
    ("status", st.sampled_from(STATUSES)),
    ("translation", st.sampled_from(BOOLEANS)),
    ("future", st.sampled_from(BOOLEANS)),
    ("summary", anything),
    ("author", anything),
    ("authors", anything),
    ("modified", dates),
    ("save_as", slugs),
    ("url", slugs),
    ("template", slugs),
    ("css", anything),
    ("odd key", anything),
]

# -- Markdown bodies ------------------------------------------------------------------

BODY_PIECES = [
    "Текст статьи.",
    "Plain text.",
    "# Заголовок",
    "## Раздел {: #id .class }",
    "[TOC]",
    "![Картинка]({static}/images/p.png)",
    "[ссылка]({filename}other.md)",
    "[нет файла]({filename}missing.md)",
    "![нет]({static}/images/none.png)",
    "[внешняя](https://example.org)",
    '<img src="http://example.org/x.png">',
    "<script>alert(1)</script>",
    '<iframe src="https://evil"></iframe>',
    "[root](/etc/passwd)",
    "[up](../../../x)",
    "[data](data:text/html,x)",
    "```\nкод без конца",
    "```python\nprint(1)\n```",
    "    отступ",
    "> цитата",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "Сноска[^1]\n\n[^1]: Текст.",
    ":smile: :flag_ru:",
    "!!! note\n    Замечание",
    "??? details\n    Скрыто",
    "- [ ] задача\n- [x] сделано",
    "==mark== ~~strike~~",
    "*Abbr*\n\n*[Abbr]: Abbreviation",
    "Термин\n:   определение",
    '<div markdown="1">*x*</div>',
    "&nbsp;&#x0;&#xD800;&#1114112;",
    "---",
    "***",
    "Title: в тексте",
    "<!-- комментарий",
    "<",
    "]]>",
    "{% raw %}{{ 1 }}",
    "{{ config }}",
    "\\",
    "* * *",
    "1. один\n2. два",
]
bodies = st.lists(st.one_of(st.sampled_from(BODY_PIECES), odd_text, plain_title), max_size=6).map(
    lambda parts: "\n\n".join(parts)
)

# -- metadata blocks ------------------------------------------------------------------

YAML_VALUES = [
    "[a, b]",
    "[ярмарка, ремёсла]",
    "{a: 1}",
    "&anchor x",
    "*anchor",
    "!!binary aGk=",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "2024-05-01",
    "2024-05-01 10:00:00+03:00",
    "1e400",
    ".nan",
    "-.inf",
    "~",
    "null",
    "yes",
    "0x1F",
    "0o17",
    "!!python/object:os.system x",
    "!!python/name:os.system",
    "!custom x",
    "|\n  строка\n  ещё",
    ">\n  свёрнутая",
    "'одинарные ''кавычки'''",
    '"\\u0000\\x85"',
    '"unterminated',
    "[unclosed",
    "{unclosed",
    "\t",
    ": :",
    "- a\n- b",
    "- [a, [b, [c]]]",
    "? complex\n: key",
    '"\\uD800"',
    "!!int x",
    "!!timestamp nonsense",
]
#: nested aliases: a billion-laughs document stays small as YAML, huge as text
LAUGHS = (
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\ntitle: &f [*e, *e, *e, *e, *e, *e]\n"
    "tags: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nsummary: *f\n"
)


def one_in(draw: st.DrawFn, n: int) -> bool:
    """True about once in ``n`` draws. (Hypothesis draws the ends of an integer range far
    more often than the middle, so ``integers(0, n) == 0`` would be true far too often
    and drown the ordinary documents in rare ones.)"""
    return draw(st.sampled_from(range(n))) == n // 2


@st.composite
def metadata_items(draw: st.DrawFn) -> list[tuple[str, str]]:
    """Keys with values. Usually a title and a date that mean something come first, so
    that most examples get past the editors' checks and into Pelican; now and then
    anything goes, in any order."""
    items: list[tuple[str, str]] = []
    careful = not one_in(draw, 5)
    if careful or draw(st.booleans()):
        items.append(("title", draw(plain_title if careful else anything)))
    if careful or draw(st.booleans()):
        items.append(("date", draw(st.sampled_from(DATES[:4]) if careful else dates)))
    extra = [
        (key, draw(values)) for key, values in draw(st.lists(st.sampled_from(KEYS), max_size=4))
    ]
    if careful:
        items += extra
    else:
        items = draw(st.permutations(items + extra))
    return [(draw(st.sampled_from([k, k, k.upper(), k.capitalize()])), v) for k, v in items]


def _one_line(value: str) -> str:
    return re.sub(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", " ", value)


@st.composite
def header_lines(draw: st.DrawFn) -> list[str]:
    """Pelican's ``Key: value`` header (values may continue on indented lines)."""
    lines = []
    for key, value in draw(metadata_items()):
        lines.append(f"{key}: {_one_line(value)}")
        if one_in(draw, 20):
            lines.append(f"    {_one_line(draw(odd_text))}")
    return lines


@st.composite
def yaml_lines(draw: st.DrawFn) -> list[str]:
    """YAML front matter lines: properly quoted, raw, or one of YAML's odd forms."""
    lines = []
    for key, value in draw(metadata_items()):
        style = draw(st.sampled_from(["quoted", "quoted", "raw", "odd"]))
        if style == "quoted":
            escaped = value.replace("\\", "\\\\").replace('"', '\\"')
            escaped = "".join(
                c if c.isprintable() or c == " " else f"\\U{ord(c):08x}" for c in escaped
            )
            lines.append(f'{key}: "{escaped}"')
        elif style == "raw":
            lines.append(f"{key}: {_one_line(value)}")
        else:
            lines.append(f"{key}: {draw(st.sampled_from(YAML_VALUES))}")
            if "\n" in lines[-1]:  # a block value: its lines indented below the key
                lines[-1] = lines[-1].replace("\n", "\n  ")
    if one_in(draw, 30):
        lines = LAUGHS.splitlines()
    if one_in(draw, 10):  # a line that is no key at all
        lines.insert(draw(st.integers(0, len(lines))), _one_line(draw(odd_text)))
    return lines


@st.composite
def documents(draw: st.DrawFn) -> str:
    """The text of one Markdown file, before line endings and encoding."""
    # mostly a header or front matter, so that most examples reach Pelican
    form = draw(st.sampled_from(["header"] * 7 + ["yaml"] * 7 + ["yaml-unclosed", "none", "empty"]))
    body = draw(bodies)
    if form == "empty":
        return ""
    if form == "none":
        return body
    if form == "header":
        lines = draw(header_lines())
        return "\n".join([*lines, "", body])
    lines = draw(yaml_lines())
    closing = [] if form == "yaml-unclosed" else [draw(st.sampled_from(["---", "...", "--- "]))]
    return "\n".join(["---", *lines, *closing, body])


@st.composite
def line_endings(draw: st.DrawFn, text: str) -> str:
    """LF, CRLF or CR throughout, or a mixture line by line."""
    style = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    lines = text.split("\n")
    if style != "mixed":
        return style.join(lines)
    ends = draw(
        st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(lines), max_size=len(lines))
    )
    return "".join(line + end for line, end in zip(lines, ends, strict=True))


@st.composite
def file_bytes(draw: st.DrawFn) -> bytes:
    text = draw(line_endings(draw(documents())))
    if one_in(draw, 25):  # a large file: the body repeated up to the cap
        times = draw(st.integers(2, 2000))
        text = (text + "\n\nАбзац текста, повторённый много раз.\n") * times
        text = text[: MAX_BYTES // 2]
    encoding = draw(
        st.sampled_from(
            ["utf-8"] * 16 + ["utf-8-bom", "bom-twice", "cp1251", "utf-16", "koi8-r", "bytes"]
        )
    )
    if encoding == "utf-8-bom":
        return codecs.BOM_UTF8 + text.encode("utf-8", "surrogatepass")
    if encoding == "bom-twice":
        return (codecs.BOM_UTF8 * 2) + text.encode("utf-8", "surrogatepass")
    if encoding in ("cp1251", "koi8-r", "utf-16"):
        return text.encode(encoding, "replace")
    data = text.encode("utf-8", "surrogatepass")
    if encoding == "bytes":  # stray bytes that are not UTF-8, somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data[:MAX_BYTES]


NAMES = [
    "news",
    "Новость",
    "two words",
    "news.en",
    "news.de",
    "news.xx",
    "UPPER",
    "con",
    "a.b.c",
    "-dash",
    "émoji🙂",
    "x" * 120,
    "other",
    "index",
    "шаблон.ru",
]
names = st.one_of(
    st.sampled_from(NAMES),
    st.text(
        st.characters(exclude_categories=("Cs",), exclude_characters="/\x00"),
        min_size=1,
        max_size=20,
    ).filter(lambda n: n not in (".", "..") and len(n.encode()) < 200),
)


@st.composite
def content_files(draw: st.DrawFn) -> dict[str, bytes]:
    """One file, sometimes two or three, relative to the town's content folder."""
    files: dict[str, bytes] = {}
    for _ in range(draw(st.sampled_from([1, 1, 1, 1, 2, 3]))):
        folder = draw(
            st.sampled_from(["", "articles/", "articles/", "pages/", "articles/deep/er/"])
        )
        suffix = draw(st.sampled_from([".md", ".md", ".md", ".markdown", ".MD", ".mkd"]))
        files[f"{folder}{draw(names)}{suffix}"] = draw(file_bytes())
    return files


# -- the test -------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, str]:
    """Every file and link below ``root`` (not following links) with a digest."""
    found: dict[str, str] = {}
    for current, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(current) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = "link:" + os.readlink(path)
            elif path.is_file():
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[rel] = "dir"
    return found


def may_change(rel: str) -> bool:
    """What a build of the town may change: its own output, the caches, and the portal's
    pages, made again from the town's news."""
    return (
        rel == "output"
        or rel.startswith((f"output/{TOWN}/", ".cache/"))
        or rel in (f"output/{TOWN}", ".cache")
        or (rel.startswith("output/index") and rel.endswith(".html") and rel.count("/") == 1)
    )


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-language town built once from harmless content, so that the portal exists."""
    from projects import REPO

    root = tmp_path_factory.mktemp("fuzz") / "net"
    (root / "sites").mkdir(parents=True)
    (root / "themes").symlink_to(REPO / "themes")
    (root / "plugins").symlink_to(REPO / "plugins")
    write(root / "sites" / f"{TOWN}.yaml", "name:\n  ru: Тест\nlanguages: [ru]\n")
    write(root / "sites" / "network.yaml", "name:\n  ru: Сеть\n  en: Network\n")
    write(
        root / "content" / TOWN / "articles" / "first.md",
        "Title: Первая\nDate: 2024-01-01\n\nТекст.\n",
    )
    lines: list[str] = []
    assert Builder(root, jobs=1, echo=lines.append).build().ok, "\n".join(lines)
    return root


TRACEBACK = re.compile(
    r"Traceback \(most recent call last\)|^\s+File \"[^\"]+\", line \d+", re.MULTILINE
)


def build_once(root: Path, files: dict[str, bytes], capfd: pytest.CaptureFixture[str]) -> None:
    content = root / "content" / TOWN
    dump = os.environ.get("GARDARIKA_FUZZ_DUMP")
    if dump:  # the example being built, for a look when one hangs
        Path(dump).write_text(repr(files), encoding="utf-8")
    shutil.rmtree(content, ignore_errors=True)
    (content / "images").mkdir(parents=True)
    (content / "images" / "p.png").write_bytes(PNG)
    for rel, data in files.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_bytes(data)
    # a stale content cache could answer for a file rewritten within the same tick
    shutil.rmtree(root / ".cache" / "pelican", ignore_errors=True)
    capfd.readouterr()
    before = snapshot(root)

    lines: list[str] = []
    report = Builder(root, jobs=1, echo=lines.append, skip_unchanged=False).build()
    log = "\n".join(lines)
    out, err = capfd.readouterr()

    after = snapshot(root)
    changed = sorted(
        rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)
    )
    assert [rel for rel in changed if not may_change(rel)] == [], log
    for text in (log, out, err):
        assert not TRACEBACK.search(text), text
    shown = {f"content/{TOWN}/{rel}" for rel in files}
    town = next(t for t in report.towns if t.town == TOWN)
    errors = [p for p in town.problems if p.severity == "error"]
    event(
        "built"
        if town.ok
        else "failed in Pelican"
        if "pages," in log
        else "refused: " + errors[0].en[:25].encode("ascii", "backslashreplace").decode()
    )
    if town.ok:
        assert not errors, log
        assert (root / "output" / TOWN / "index.html").is_file()
    else:
        assert errors, log
    for problem in town.problems:  # warnings too: an editor must know where to look
        assert problem.file in shown, f"{problem.format()}\n---\n{log}"
        assert problem.format() in log
    # a finding of the offline check names the page it is in, below the town's folder
    assert all(f.file.startswith(f"{TOWN}/") for f in report.findings), log
    assert not report.config_problems, log


@pytest.mark.long
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=PHASES,
    print_blob=False,
    # capfd is read and emptied at the start and end of every example
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        # a file is a few kilobytes of generated bytes by design
        HealthCheck.data_too_large,
        HealthCheck.too_slow,
    ],
)
@given(files=content_files())
def test_any_content_builds_or_names_its_file(
    fuzz_project: Path, files: dict[str, bytes], capfd: pytest.CaptureFixture[str]
) -> None:
    build_once(fuzz_project, files, capfd)
