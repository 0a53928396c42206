"""Debian's Chromium, driven by Playwright, for the real-browser tests (no browser is
ever downloaded): where it is, how it starts, and a fixture-ready launcher."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
]


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium; the test is skipped when Debian's package is missing, or
    fails when ``GARDARIKA_REQUIRE_BROWSER`` says it must be there (CI)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("GARDARIKA_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip("Debian's chromium package is not installed")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def axe_script() -> str | None:
    """The path of axe-core's ``axe.min.js`` (npm's ``axe-core``, MPL-2.0) named by
    ``GARDARIKA_AXE``; the test is skipped without it, or fails when
    ``GARDARIKA_REQUIRE_AXE`` says it must be there (CI installs it with npm)."""
    path = os.environ.get("GARDARIKA_AXE", "")
    if path and os.path.isfile(path):
        return path
    if os.environ.get("GARDARIKA_REQUIRE_AXE"):
        pytest.fail(f"axe-core is missing (GARDARIKA_AXE={path!r}): npm install axe-core")
    pytest.skip("axe-core is not installed (set GARDARIKA_AXE to its axe.min.js)")
    return None


def serious_violations(page: object, script: str) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now (WCAG 2.1 A
    and AA rules), one line each: rule, impact, the first elements."""
    page.add_script_tag(path=script)
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return result.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [
        f"{v['id']} ({v['impact']}): {', '.join(v['nodes'])}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]
