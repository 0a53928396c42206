"""The network's portal in the benchmark: how long making it again takes once a town
changed, how much its search over every town loads, and how soon the first results
show in Chromium (from disk, the index loaded only once the box is used)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

#: what the portal's first query asks, by language
QUERIES = {"ru": "праздники", "en": "festivals"}

#: in the page: focus the box and type the query at once, then wait for the first result
_FIRST_RESULTS = """
async query => {
    const input = document.getElementById('network-search-query');
    const start = performance.now();
    input.focus();
    input.value = query;
    input.dispatchEvent(new Event('input'));
    const list = document.getElementById('network-search-results');
    while (!list.querySelector('li')) {
        if (performance.now() - start > 20000) { return [-1, 0]; }
        await new Promise(resolve => setTimeout(resolve, 5));
    }
    return [performance.now() - start, list.querySelectorAll('li').length];
}
"""


def _index_bytes(page: Path) -> int:
    """The size of every town's index the portal page's box loads."""
    import json
    import re

    html = page.read_text(encoding="utf-8")
    found = re.search(r'data-towns="([^"]*)"', html)
    if not found:
        return 0
    towns = json.loads(found.group(1).replace("&#34;", '"'))
    return sum((page.parent / town[1]).stat().st_size for town in towns)


def _first_results(page: Path, query: str) -> dict[str, float] | None:
    from .browser import chromium

    with chromium() as browser:
        if browser is None:
            return None
        tab = browser.new_page()
        tab.goto(page.as_uri())
        tab.wait_for_load_state("load")
        loaded = tab.evaluate("() => document.querySelectorAll('script[src]').length")
        elapsed, shown = tab.evaluate(_FIRST_RESULTS, query)
        scripts = tab.evaluate("() => document.querySelectorAll('script[src]').length")
    return {
        "first_results_ms": round(elapsed, 1),
        "results_shown": shown,
        "scripts_before_use": loaded,
        "scripts_after_use": scripts,
    }


def measure_portal(project: Path) -> dict[str, Any]:
    """On a built network: the portal made again (as a build does after one town
    changed: its news and pages, the feeds), the index its search loads per language,
    and the first results in Chromium."""
    from gardarika.build.portal import portal_fingerprint, portal_page, render_portal
    from gardarika.config.network import load_network

    output = project / "output"
    network = load_network(project)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        portal_fingerprint(network, output)
        render_portal(network, output)
        times.append(time.perf_counter() - start)
    result: dict[str, Any] = {"remake_seconds": round(statistics.median(times), 3)}
    for lang in network.config.languages:
        page = output / portal_page(network, lang)
        result[lang] = {
            "index_bytes": _index_bytes(page),
            "browser": _first_results(page, QUERIES.get(lang, "news")),
        }
    return result


def portal_lines(portal: dict[str, Any]) -> list[str]:
    lines = [f"Portal: made again in {portal['remake_seconds']:.2f} s (news, pages, search box)"]
    for lang, entry in portal.items():
        if not isinstance(entry, dict):
            continue
        browser = entry.get("browser")
        timing = (
            f"first results {browser['first_results_ms']:.0f} ms after typing "
            f"({browser['results_shown']} shown; scripts {browser['scripts_before_use']} "
            f"before use, {browser['scripts_after_use']} after)"
            if browser
            else "Chromium not installed"
        )
        lines.append(
            f"  {lang}: search over every town loads {entry['index_bytes'] / 1e6:.2f} MB; {timing}"
        )
    return lines
