"""SVG drawings judged by an XML parser: every known way past the old pattern is refused
with its line, and real drawings (Inkscape's, with their metadata) are published."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from pathlib import Path

import pytest

from gardarika.checks.svg import (
    DOCTYPE,
    ENCODING,
    INSTRUCTION,
    LOADS,
    MAX_BYTES,
    RUNS,
    TOO_BIG,
    UNREADABLE,
    SvgDanger,
    css_harm,
    file_dangers,
    svg_dangers,
    svgz_dangers,
)

HEAD = (
    '<svg xmlns="http://www.w3.org/2000/svg" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">\n'
    '<circle r="4"/>\n'
)


def drawing(body: str, head: str = "") -> bytes:
    """A drawing with ``body`` on line 3 (after ``head`` lines before the <svg>)."""
    return (head + HEAD + body + "\n</svg>\n").encode("utf-8")


def first(data: bytes) -> SvgDanger:
    dangers = svg_dangers(data)
    assert dangers, "the drawing was accepted"
    return dangers[0]


# (id, drawing, kind, words of what was found, line)
REFUSED = [
    (
        "prefixed-script",
        drawing('<s:script xmlns:s="http://www.w3.org/2000/svg">alert(1)</s:script>'),
        RUNS,
        "<script>",
        3,
    ),
    ("no-namespace-script", b"<svg>\n<script>alert(1)</script></svg>", RUNS, "<script>", 2),
    (
        "xhtml-script",
        drawing('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'),
        RUNS,
        'xmlns="http://www.w3.org/1999/xhtml"',
        3,
    ),
    (
        "xhtml-any-element",
        drawing('<div xmlns="http://www.w3.org/1999/xhtml">Hi</div>'),
        RUNS,
        "<div xmlns=",
        3,
    ),
    (
        "mathml",
        drawing('<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>'),
        RUNS,
        "<math xmlns=",
        3,
    ),
    (
        "foreign-object",
        drawing("<foreignObject><p>x</p></foreignObject>"),
        RUNS,
        "<foreignObject>",
        3,
    ),
    ("iframe", drawing('<iframe src="a.html"/>'), RUNS, "<iframe>", 3),
    (
        "handler",
        drawing('<handler type="application/ecmascript">x</handler>'),
        RUNS,
        "<handler>",
        3,
    ),
    ("onload", drawing('<g onload="alert(1)"/>'), RUNS, "onload=", 3),
    (
        "onclick-other-namespace",
        drawing('<g xmlns:x="urn:x" x:onclick="alert(1)"/>'),
        RUNS,
        "onclick=",
        3,
    ),
    (
        "set-by-character-reference",
        drawing('<set attributeName="&#x6F;n&#x6c;oad" to="x"/>'),
        RUNS,
        'attributeName="onload"',
        3,
    ),
    (
        "dtd-entity",
        b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x "<script>alert(1)'
        b'</script>">]>\n<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
        DOCTYPE,
        "<!DOCTYPE svg",
        2,
    ),
    (
        "public-doctype",
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg/>',
        DOCTYPE,
        "DOCTYPE",
        1,
    ),
    (
        "billion-laughs",
        b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><svg>&b;</svg>',
        DOCTYPE,
        "DOCTYPE",
        1,
    ),
    (
        "xml-stylesheet",
        b'<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="evil.xsl"?>\n<svg/>',
        INSTRUCTION,
        "<?xml-stylesheet",
        2,
    ),
    (
        "set-onload",
        drawing('<set attributeName="onload" to="alert(1)"/>'),
        RUNS,
        'attributeName="onload"',
        3,
    ),
    (
        "animate-href",
        drawing('<a><animate attributeName="href" to="javascript:alert(1)"/><text>x</text></a>'),
        RUNS,
        'attributeName="href"',
        3,
    ),
    (
        "animate-xlink-href",
        drawing('<a><set attributeName="xlink:href" to="#x"/></a>'),
        RUNS,
        'attributeName="xlink:href"',
        3,
    ),
    (
        "animate-values",
        drawing('<animate attributeName="fill" values="red;javascript:x()"/>'),
        RUNS,
        'values="javascript:x()"',
        3,
    ),
    (
        "tab-in-scheme",
        drawing('<a xlink:href="java&#x09;script:alert(1)"><text>x</text></a>'),
        RUNS,
        'xlink:href="javascript:alert(1)"',
        3,
    ),
    (
        "newline-and-spaces",
        drawing('<a href=" &#x0A; JavaScript:alert(1)">x</a>'),
        RUNS,
        'href="JavaScript:alert(1)"',
        3,
    ),
    (
        "data-link",
        drawing('<a href="data:text/html,&lt;script>x()&lt;/script>">x</a>'),
        RUNS,
        'href="data:text/html',
        3,
    ),
    (
        "data-svg-image",
        drawing('<image href="data:image/svg+xml,&lt;svg/>"/>'),
        RUNS,
        'href="data:image/svg+xml',
        3,
    ),
    (
        "external-image",
        drawing('<image href="https://example.org/track.png"/>'),
        LOADS,
        'href="https://example.org/track.png"',
        3,
    ),
    (
        "external-use",
        drawing('<use href="http://example.org/other.svg#x"/>'),
        LOADS,
        'href="http://example.org/other.svg#x"',
        3,
    ),
    (
        "network-path-use",
        drawing('<use xlink:href="//example.org/other.svg#x"/>'),
        LOADS,
        'xlink:href="//example.org/other.svg#x"',
        3,
    ),
    (
        "backslash-network-path",
        drawing('<image href="\\\\example.org\\x.png"/>'),
        LOADS,
        "example.org",
        3,
    ),
    (
        "xml-base",
        drawing('<g xml:base="https://example.org/"><image href="x.png"/></g>'),
        LOADS,
        'xml:base="https://example.org/"',
        3,
    ),
    (
        "external-audio",
        drawing('<audio src="https://example.org/a.mp3"/>'),
        LOADS,
        'src="https://example.org/a.mp3"',
        3,
    ),
    ("style-import", drawing("<style>@import url(theme.css);</style>"), LOADS, "@import", 3),
    (
        "style-escaped-url",
        drawing("<style>\nrect { fill: u\\72l(https://example.org/p) }</style>"),
        LOADS,
        "url(https://example.org/p)",
        3,
    ),
    (
        "style-attribute",
        drawing('<rect style="background:url(//example.org/p.png)"/>'),
        LOADS,
        "url(//example.org/p.png)",
        3,
    ),
    (
        "presentation-attribute",
        drawing('<rect fill="url(https://example.org/g.svg#g)"/>'),
        LOADS,
        "url(https://example.org/g.svg#g)",
        3,
    ),
    (
        "style-image-set",
        drawing(
            "<style>g { background: image-set(url(a.png) 1x, "
            '"https://example.org/b.png" 2x) }</style>'
        ),
        LOADS,
        "image-set(",
        3,
    ),
    (
        "style-namespace-hides-import",
        drawing("<style>@namespace @import url(a.css)</style>"),
        LOADS,
        "@import",
        3,
    ),
    ("malformed", drawing("<g>"), UNREADABLE, "mismatched tag", 4),
    ("empty", b"", UNREADABLE, "no element found", 1),
    ("unbound-prefix", drawing("<s:script>x()</s:script>"), UNREADABLE, "unbound prefix", 3),
    ("undeclared-entity", drawing("<text>&x;</text>"), UNREADABLE, "undefined entity", 3),
    ("gzip-in-svg", gzip.compress(drawing("<script/>")), RUNS, "<script>", 3),
    ("gzip-in-gzip", gzip.compress(gzip.compress(drawing(""))), UNREADABLE, "not well-formed", 1),
    (
        "ebcdic",
        b'<?xml version="1.0" encoding="cp037"?>' + "<svg/>".encode("cp037"),
        ENCODING,
        "cp037",
        1,
    ),
    (
        "multi-byte",
        '<?xml version="1.0" encoding="Shift_JIS"?><svg/>'.encode("shift_jis"),
        ENCODING,
        "Shift_JIS",
        1,
    ),
    (
        "bom-and-declaration-differ",
        b"\xef\xbb\xbf" + drawing("", '<?xml version="1.0" encoding="windows-1251"?>\n'),
        ENCODING,
        "windows-1251",
        1,
    ),
]


@pytest.mark.parametrize(
    ("data", "kind", "found", "line"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_refused(data: bytes, kind: str, found: str, line: int) -> None:
    danger = first(data)
    assert (danger.kind, danger.line) == (kind, line), danger
    assert found in danger.found, danger


UTF16_SCRIPT = (
    '<?xml version="1.0" encoding="UTF-16"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg">\n'
    '<s:script xmlns:s="http://www.w3.org/2000/svg">alert(1)</s:script>\n</svg>\n'
)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_or_without_bom(codec: str) -> None:
    danger = first(UTF16_SCRIPT.encode(codec))
    assert (danger.kind, danger.line, danger.found) == (RUNS, 3, "<script>")


def test_a_one_byte_russian_encoding_is_read_as_declared() -> None:
    text = (
        '<?xml version="1.0" encoding="windows-1251"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>Карта</text>\n'
        '<g onclick="x()"/></svg>'
    )
    assert first(text.encode("cp1251")).line == 3
    assert svg_dangers(text.replace(' onclick="x()"', "").encode("cp1251")) == []


def test_everything_is_reported_in_order() -> None:
    dangers = svg_dangers(
        drawing(
            '<script>x()</script>\n<g onload="y()"/>\n<image href="https://example.org/a.png"/>'
        )
    )
    assert [(d.line, d.kind) for d in dangers] == [(3, RUNS), (4, RUNS), (5, LOADS)]


INKSCAPE = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<svg
   width="210mm" height="297mm" viewBox="0 0 210 297" version="1.1" id="svg1"
   inkscape:version="1.3.2 (091e20ef0f, 2023-11-25)"
   sodipodi:docname="карта.svg"
   inkscape:export-filename="/home/editor/карта.png"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:xlink="http://www.w3.org/1999/xlink"
   xmlns="http://www.w3.org/2000/svg"
   xmlns:svg="http://www.w3.org/2000/svg"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
   xmlns:cc="http://creativecommons.org/ns#"
   xmlns:dc="http://purl.org/dc/elements/1.1/">
  <sodipodi:namedview id="namedview1" pagecolor="#ffffff" bordercolor="#000000"
     inkscape:showpageshadow="2" inkscape:zoom="0.7" inkscape:current-layer="layer1" />
  <defs id="defs1">
    <linearGradient id="linearGradient1" inkscape:collect="always">
      <stop style="stop-color:#0000ff;stop-opacity:1" offset="0" id="stop1" />
      <stop style="stop-color:#0000ff;stop-opacity:0" offset="1" id="stop2" />
    </linearGradient>
    <linearGradient xlink:href="#linearGradient1" id="linearGradient2" x1="10" y1="10"
       x2="90" y2="90" gradientUnits="userSpaceOnUse" />
    <style id="style1">.river { stroke: url(#linearGradient2); font-family: 'PT Sans'; }
    </style>
  </defs>
  <metadata id="metadata1">
    <rdf:RDF>
      <cc:Work rdf:about="">
        <dc:title>Карта Каргополя</dc:title>
        <dc:format>image/svg+xml</dc:format>
        <dc:type rdf:resource="http://purl.org/dc/dcmitype/StillImage" />
        <cc:license rdf:resource="http://creativecommons.org/licenses/by-sa/4.0/" />
      </cc:Work>
    </rdf:RDF>
  </metadata>
  <g inkscape:label="Слой 1: река" inkscape:groupmode="layer" id="layer1">
    <path style="fill:url(#linearGradient2);stroke:#000000;stroke-width:0.26"
       d="M 10,10 C 40,20 60,80 90,90" id="path1" class="river"
       sodipodi:nodetypes="cc" inkscape:original-d="M 10,10 90,90" />
    <use xlink:href="#path1" href="#path1" transform="translate(5,5)" id="use1" />
    <use href="symbols.svg#church" x="20" y="20" />
    <image href="photo.jpg" x="0" y="0" width="10" height="10" />
    <image xlink:href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1" />
    <a xlink:href="https://example.org/kargopol" target="_blank">
      <text x="10" y="100">Сайт &amp; &lt;script&gt; как текст &#x41;</text>
    </a>
    <a href="mailto:editor@example.org"><text y="120">Почта</text></a>
    <circle r="2"><animate attributeName="r" values="2;4;2" dur="2s"
       repeatCount="indefinite" begin="0s;use1.click" /></circle>
  </g>
</svg>
"""


def test_a_real_inkscape_drawing_is_accepted() -> None:
    """Namespaces of editors, RDF metadata with http addresses (which load nothing),
    gradients by url(#id), <use> of its own parts and of a file beside it, embedded
    bitmaps, and links to other sites (a link loads nothing until followed, like a link
    in a page) are all fine."""
    assert svg_dangers(INKSCAPE.encode("utf-8")) == []
    assert svg_dangers(b"\xef\xbb\xbf" + INKSCAPE.encode("utf-8")) == []
    utf16 = INKSCAPE.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert svg_dangers(utf16) == []


# (style sheet, what loads something in it, or None)
CSS = [
    ('g{background:image-set("a)" 1x, "https://example.org/b.png" 2x)}', "image-set("),
    ('g{background:-webkit-image-set(url(a.png) 1x, "//example.org/b.png" 2x)}', "image-set("),
    ('g{background:image-set("a\\") 1x, " 2x, "https://example.org/" 3x)}', "image-set("),
    ('g{background:url(  "https://example.org/y")}', "url("),
    ("g{background:url(/*x*/https://example.org)}", "url("),
    ("g{background:\\75 rl(https://example.org)}", "url(https://example.org)"),
    ("g{background:U\\52 L(https://example.org)}", "url(https://example.org)"),
    ("@font-face{font-family:x;src:url(https://example.org/x.woff)}", "url("),
    ('g{mask:url("data:image/svg+xml,x")}', "url("),
    ('g{cursor:url("ja\\\nvascript:x")}', 'url("javascript:x")'),
    ('@import "x.css";', "@import"),
    ('@\\69mport "x.css";', "@import"),
    ("@namespace svg url(http://www.w3.org/2000/svg); @import url(a.css);", "@import"),
    ("g{width:expression(alert(1))}", "expression("),
    ("/* url(https://example.org) */ g{fill:url(#a)}", None),
    ('g::after{content:"url(https://example.org)"}', None),
    ('g{fill:url(#a);stroke:url( #b );font-family:"PT Sans"}', None),
    ("@namespace svg url(http://www.w3.org/2000/svg); g{fill:red}", None),
    ('g{background:url(pattern.png)} h{background:image-set("a.png" 1x, "b/c.png" 2x)}', None),
    ("g{width:calc(100% - (2px * 3)); transform:rotate(45deg)}", None),
]


@pytest.mark.parametrize(("css", "found"), CSS)
def test_css_is_split_as_browsers_split_it(css: str, found: str | None) -> None:
    harm = css_harm(css, sheet=True)
    assert (harm is None) == (found is None), harm
    assert found is None or found in harm


def test_hostile_css_is_read_in_one_pass() -> None:
    for piece in ("(", "url(", "image-set(", 'image-set("a/b" ', "\\75 ", "a(", "/*"):
        sheet = piece * (2 * 1024 * 1024 // len(piece))
        assert svg_dangers(drawing(f"<style>{sheet}</style>")) == []


def test_markup_in_text_and_comments_is_only_text() -> None:
    assert (
        svg_dangers(
            drawing(
                "<!-- <script>alert(1)</script> -->\n"
                "<text><![CDATA[<script>alert(1)</script>]]></text>"
            )
        )
        == []
    )


def test_messages_say_what_to_do_in_both_languages() -> None:
    doctype = first(b"<!DOCTYPE svg>\n<svg/>")
    assert "save it again without a doctype" in doctype.en.lower()
    assert "без DOCTYPE" in doctype.ru
    script = first(drawing("<script>x()</script>"))
    assert "“<script>”" in script.en and "“Plain SVG”" in script.en
    assert "«<script>»" in script.ru and "«Обычный SVG»" in script.ru
    loads = first(drawing('<image href="https://example.org/a.png"/>'))
    assert "offline" in loads.en and "без сети" in loads.ru
    broken = first(b"<svg>")
    assert "cannot be read" in broken.en and "PNG" in broken.en and "PNG" in broken.ru


def test_svgz_is_unpacked_and_checked() -> None:
    assert svgz_dangers(gzip.compress(INKSCAPE.encode("utf-8"))) == []
    assert svg_dangers(gzip.compress(INKSCAPE.encode("utf-8"))) == []  # found by its bytes
    danger = svgz_dangers(gzip.compress(drawing("<script>x()</script>")))[0]
    assert (danger.kind, danger.line, danger.found) == (RUNS, 3, "<script>")
    two_members = gzip.compress(HEAD.encode()) + gzip.compress(b"<script/></svg>")
    assert svgz_dangers(two_members)[0].found == "<script>"
    assert svgz_dangers(b"not gzip")[0].kind == UNREADABLE
    assert svgz_dangers(gzip.compress(drawing(""))[:-12])[0].kind == UNREADABLE


def test_a_gzip_bomb_costs_no_memory() -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    bomb = b"".join(
        [packer.compress(b"<svg>")]
        + [packer.compress(zeros) for _ in range(100)]
        + [packer.flush()]
    )
    assert len(bomb) < 1024 * 1024  # 100 MB unpacked
    tracemalloc.start()
    try:
        dangers = svgz_dangers(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [d.kind for d in dangers] == [TOO_BIG]
    assert peak < 3 * MAX_BYTES
    assert [d.kind for d in svg_dangers(bomb)] == [TOO_BIG]


def test_huge_drawings_are_refused_unread(tmp_path: Path) -> None:
    assert first(b" " * (MAX_BYTES + 1)).kind == TOO_BIG
    huge = tmp_path / "huge.svg"
    with huge.open("wb") as file:
        file.write(HEAD.encode())
        file.truncate(50 * 1024 * 1024)
    assert [d.kind for d in file_dangers(huge)] == [TOO_BIG]
    assert "10 MB" in file_dangers(huge)[0].en


def test_a_large_harmless_drawing_is_read_in_pieces() -> None:
    shapes = "".join(f'<circle cx="{i}" cy="{i}" r="1" fill="url(#g)"/>\n' for i in range(100_000))
    data = drawing(shapes + '<g onclick="x()"/>')
    assert len(data) > 4 * 1024 * 1024
    assert first(data).line == 100_003


def test_file_dangers_reads_by_suffix(tmp_path: Path) -> None:
    (tmp_path / "a.svg").write_bytes(drawing("<script/>"))
    (tmp_path / "b.SVGZ").write_bytes(gzip.compress(drawing("<script/>")))
    (tmp_path / "c.svg").write_bytes(INKSCAPE.encode("utf-8"))
    assert file_dangers(tmp_path / "a.svg")[0].found == "<script>"
    assert file_dangers(tmp_path / "b.SVGZ")[0].found == "<script>"
    assert file_dangers(tmp_path / "c.svg") == []
    with pytest.raises(OSError):
        file_dangers(tmp_path / "missing.svg")
