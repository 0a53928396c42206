"""Each written page is read for its links once (``gardarika.render.pagefacts``): the pass that
makes its links portable notes them, and the page weight and the offline check take
them from there while the page is unchanged."""

from __future__ import annotations

from pathlib import Path

from gardarika.checks.output import check_output
from gardarika.checks.weight import heaviest_pages
from gardarika.config.network import load_network
from gardarika.render import pagefacts
from gardarika.render.links import html_references


def _facts(root: Path) -> pagefacts.Facts:
    network = load_network(root)
    facts: pagefacts.Facts = {}
    for town_id, town in network.towns.items():
        for lang in town.languages:
            folder = town_id if lang == town.default_language else f"{town_id}/{lang}"
            for cache in (root / ".cache/pelican" / town_id / lang).glob("*"):
                facts.update(pagefacts.load(cache, folder))
    return facts


def test_the_noted_links_are_the_links_of_the_pages_as_written(
    network: Path, build_network
) -> None:
    assert build_network(network).ok
    facts = _facts(network)
    pages = sorted(
        p for town in ("alpha", "beta") for p in (network / "output" / town).rglob("*.html")
    )
    assert len(pages) > 20
    for page in pages:
        rel = page.relative_to(network / "output").as_posix()
        data = page.read_bytes()
        noted = pagefacts.references(facts, rel, data)
        assert noted is not None, rel  # every page a run wrote was noted as it is
        found = [ref for ref, _, _ in html_references(data.decode("utf-8"))]
        assert [(r.url, r.line, r.element, r.attribute, r.loads) for r in noted] == [
            (r.url, r.line, r.element, r.attribute, r.loads) for r in found
        ], rel


def test_the_check_and_the_weight_say_the_same_with_the_notes(network: Path, build_network) -> None:
    assert build_network(network).ok
    output = network / "output"
    facts = _facts(network)
    assert check_output(output, ["alpha", "beta"], facts=facts) == check_output(
        output, ["alpha", "beta"]
    )
    assert heaviest_pages(output, ["alpha", "beta"], facts=facts) == heaviest_pages(
        output, ["alpha", "beta"]
    )
    # a page changed after the build is read again, not taken from the notes
    page = next((output / "alpha").glob("*.html"))
    page.write_text(
        page.read_text(encoding="utf-8").replace("</body>", '<a href="nowhere.html">x</a></body>'),
        encoding="utf-8",
    )
    found = check_output(output, ["alpha"], facts=facts)
    assert any("nowhere.html" in f.en for f in found), found


def test_damaged_notes_are_ignored(tmp_path: Path) -> None:
    (tmp_path / pagefacts.FILE).write_bytes(b"not gzip")
    assert pagefacts.load(tmp_path, "alpha") == {}
    recorder = pagefacts.Recorder()
    recorder.pages["a.html"] = ["digest", [["x.html", "not a line", "a", "href", False]]]
    recorder.pages["b.html"] = ["digest", [["y.html", 3, "a", "href", False]]]
    recorder.save(str(tmp_path))
    loaded = pagefacts.load(tmp_path, "alpha")
    assert list(loaded) == ["alpha/b.html"]
