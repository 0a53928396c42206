"""The commands' work, and the command line ``python -m gardarika COMMAND``.

The commands, their options and their help are declared once, in
:mod:`gardarika.commands`; the command line here and the ``invoke`` tasks of
``tasks.py`` are both made from that table. The functions below do each command's work
and return its exit code.

Commands that write ``output/`` or ``.cache/`` (build, clean, portal) take the project's
lock alone; check, package and deploy share it, so that they read one version of
``output/`` (:mod:`gardarika.fs.lock`). ``--no-wait`` makes them fail at once, with exit
code 1, instead of waiting for the command that holds it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gardarika.build.builder import Builder, BuildError
from gardarika.checks.lastcheck import LastChecks
from gardarika.checks.output import check_output
from gardarika.checks.output import summary as check_summary
from gardarika.commands import BY_NAME, COMMANDS, Option
from gardarika.config.network import Network, UnknownTown
from gardarika.errors import counted
from gardarika.fs.lock import LockBusy, project_lock


def _names(sites: str | None) -> list[str] | None:
    return [s.strip() for s in sites.split(",") if s.strip()] if sites else None


def _locked(root: Path, command: str, shared: bool, wait: bool, run: Callable[[], int]) -> int:
    """``run()`` under the project's lock; 1 when another command holds it and this one
    does not (or no longer) wait."""
    try:
        with project_lock(Path(root) / ".cache", command, shared=shared, wait=wait):
            return run()
    except LockBusy as busy:
        print(busy, file=sys.stderr)
        return 1


def build(
    root: Path,
    site: str | None = None,
    jobs: int | None = None,
    check: bool = True,
    shard: str | None = None,
    force: bool = False,
    wait: bool = True,
    time_limit: float | None = None,
    memory_limit: float | None = None,
    verbose: bool = False,
) -> int:
    """Build the network (or the comma-separated towns ``site``, or the share ``K/N`` of
    the towns); return the exit code. With ``wait=False`` fail at once (1) when another
    build is running."""
    names = _names(site)
    if shard:
        from gardarika.config.network import load_network
        from gardarika.publish.shards import shard as share

        try:
            names = share(names or load_network(root).ordered_ids(), shard) or ["-"]
        except ValueError as exc:
            print(f"--shard: {exc}", file=sys.stderr)
            return 2
        if names == ["-"]:
            print(f"Share {shard} has no towns. / В доле {shard} нет городов.")
            return 0
    try:
        limits: dict[str, float | int] = {}
        if time_limit:
            limits["time_limit"] = time_limit * 60
        if memory_limit:
            limits["memory_limit"] = int(memory_limit * 1024 * 1024)
        report = Builder(
            root,
            jobs=jobs,
            check=check,
            skip_unchanged=not force,
            wait=wait,
            verbose=verbose,
            **limits,
        ).build(names)  # type: ignore[arg-type]
    except BuildError as err:
        print(err, file=sys.stderr)
        return 2
    except LockBusy as busy:
        print(busy, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "\nInterrupted: towns that had not finished keep their previous output.\n"
            "Прервано: у недостроенных городов остался прежний результат.",
            file=sys.stderr,
        )
        return 130
    return 0 if report.ok else 1


def check(root: Path, site: str | None = None, wait: bool = True) -> int:
    """Check ``output/`` (or some towns of it); return the exit code."""
    return _locked(root, "check", True, wait, lambda: _check(root, site))


def _check(root: Path, sites: str | None = None) -> int:
    from gardarika.config.network import load_network

    output = Path(root) / "output"
    network = load_network(root)
    names = _names(sites)
    if names:
        try:  # towns, each once: never a path below output/
            names = network.choose(names, broken=True)
        except UnknownTown as unknown:
            print(unknown, file=sys.stderr)
            return 2
    missing = [n for n in names or [] if not (output / n).is_dir()]
    if not output.is_dir() or missing:
        what = ", ".join(f"output/{n}/" for n in missing) or "output/"
        print(
            f"There is no {what} to check; run “invoke build” first.\n"
            f"Нечего проверять: нет {what}; сначала выполните «invoke build».",
            file=sys.stderr,
        )
        return 2
    start = time.perf_counter()
    trusted = {town.id for town in network.towns.values() if town.trust_html}
    findings = check_output(output, names, trusted)
    checked = names or [t for t in network.towns if (output / t).is_dir()]
    LastChecks(Path(root) / ".cache" / "checks.json").record(checked, findings)
    for finding in findings:
        print(finding.format())
    print(check_summary(findings, time.perf_counter() - start))
    return 1 if findings else 0


def lint(root: Path, site: str | None = None) -> int:
    """Check the towns' content; 1 when there are errors (warnings alone give 0). Each
    town is checked in a process of its own, as before a build: a file that hangs or
    crashes the checks is reported for its town, and the other towns are checked."""
    from gardarika.build.builder import Builder
    from gardarika.config.network import load_network

    network = load_network(root)
    for problem in network.problems:
        print(problem.format())
    try:
        names = network.choose(_names(site))
    except UnknownTown as unknown:
        print(unknown, file=sys.stderr)
        return 2
    errors = warnings = 0
    checked = Builder(root).lint_towns([network.towns[town] for town in names])
    for town in names:
        for problem in checked[town]:
            print(problem.format())
            errors += problem.severity == "error"
            warnings += problem.severity == "warning"
    said_errors = counted(errors, ("error", "errors"), ("ошибка", "ошибки", "ошибок"))
    said_warnings = counted(
        warnings,
        ("warning", "warnings"),
        ("предупреждение", "предупреждения", "предупреждений"),
    )
    print(
        f"Content check: {said_errors.en}, {said_warnings.en}.\n"
        f"Проверка материалов: {said_errors.ru}, {said_warnings.ru}."
    )
    return 1 if errors or any(p.severity == "error" for p in network.problems) else 0


def new(
    root: Path,
    site: str,
    title: str,
    lang: str | None = None,
    page: bool = False,
    translation_of: str | None = None,
) -> int:
    """Create a new article or page; print its path."""
    from gardarika.config.network import load_network
    from gardarika.content.new import new_document
    from gardarika.errors import GardarikaError

    try:
        path = new_document(load_network(root), site, title, lang, page, translation_of, say=print)
    except GardarikaError as err:
        print(err, file=sys.stderr)
        return 1
    print(
        path.relative_to(Path(root).resolve())
        if path.is_relative_to(Path(root).resolve())
        else path
    )
    return 0


def import_site(
    root: Path, source: str, site: str, uploads: str | None = None, lang: str | None = None
) -> int:
    """Bring the site exported in ``source`` (a WordPress export, a feed, or a folder of
    Pelican, Hugo or Jekyll content) into the town ``site``'s folder; ``uploads``: a
    WordPress site's uploads folder, whose pictures are copied in; ``lang``: the texts'
    language, when the source does not say or says wrong."""
    from gardarika.config.network import load_network
    from gardarika.content.importing.addresses import Addresses, host_of
    from gardarika.content.importing.feeds import read_feed
    from gardarika.content.importing.folders import read_folder
    from gardarika.content.importing.items import ExportError
    from gardarika.content.importing.writer import write_items
    from gardarika.content.importing.wxr import is_wordpress_export, read_export
    from gardarika.errors import display_path

    network = load_network(root)
    try:
        [town_id] = network.choose([site])
    except UnknownTown as unknown:
        print(unknown, file=sys.stderr)
        return 2
    town = network.towns.get(town_id)
    if town is None:
        print(
            f"The settings of {town_id} have errors; fix them first (invoke lint). / В "
            f"настройках {town_id} ошибки; сначала исправьте их (invoke lint).",
            file=sys.stderr,
        )
        return 2
    path = Path(source) if Path(source).is_absolute() else Path.cwd() / source
    if not path.is_file() and not path.is_dir():
        print(
            f"There is no file or folder {source}. / Нет файла или папки {source}.",
            file=sys.stderr,
        )
        return 2
    content_root = (Path(root) / "content").resolve()
    real = path.resolve()
    if (
        real == content_root
        or real.is_relative_to(content_root)
        or (content_root.is_relative_to(real))
    ):
        print(
            f"{source} is this network's own content, or holds it: import from a copy of "
            "the old site, outside the network's folder. / "
            f"{source} — материалы самой сети или папка, где они лежат: импортируйте из "
            "копии старого сайта вне папки сети.",
            file=sys.stderr,
        )
        return 2
    uploads_dir = None
    if uploads:
        uploads_dir = Path(uploads) if Path(uploads).is_absolute() else Path.cwd() / uploads
        if not uploads_dir.is_dir():
            print(f"There is no folder {uploads}. / Папки {uploads} нет.", file=sys.stderr)
            return 2
        real_uploads = uploads_dir.resolve()
        if real_uploads.is_relative_to(content_root) or content_root.is_relative_to(real_uploads):
            print(
                f"--uploads {uploads} is this network's own content, or holds it. / "
                f"--uploads {uploads} — материалы самой сети или папка, где они лежат.",
                file=sys.stderr,
            )
            return 2
    try:
        if path.is_dir():
            export = read_folder(path)
        else:
            export = read_export(path) if is_wordpress_export(path) else read_feed(path)
    except ExportError as err:
        print(f"{err.en}\n{err.ru}", file=sys.stderr)
        return 2
    if lang:
        if lang not in town.languages:
            print(
                f"--lang {lang}: the town has {', '.join(town.languages)}. / --lang {lang}: "
                f"у города языки {', '.join(town.languages)}.",
                file=sys.stderr,
            )
            return 2
        export.language = lang
    elif not export.language:
        print(
            f"The source does not say its language: the texts are imported in "
            f"“{town.default_language}”, the town's default. If they are in another (Pelican "
            f"and Hugo take English when their settings say nothing), remove the files "
            f"imported now and import again with --lang. / Язык источника не указан: тексты "
            f"импортируются как «{town.default_language}», язык города по умолчанию. Если "
            f"они на другом, удалите импортированные сейчас файлы и импортируйте снова с "
            f"--lang."
        )
    lang = ""
    strangers: set[str] = set()
    if export.language and export.language != town.default_language:
        if export.language in town.languages:
            lang = export.language
        else:
            strangers.add(export.language)
    for item in export.items:
        if item.lang and item.lang not in town.languages:
            strangers.add(item.lang)
            item.lang = ""
    # what a text of a language the town does not have is imported in: the export's
    instead = lang or town.default_language
    for language in sorted(strangers):
        print(
            f"Texts in “{language}”, which the town does not have "
            f"({', '.join(town.languages)}), are imported in “{instead}”; "
            f"add the language to sites/{town.id}.yaml and import again to have them in "
            f"theirs. / Тексты на языке «{language}», которого у города нет "
            f"({', '.join(town.languages)}), импортированы как «{instead}»; "
            f"добавьте язык в sites/{town.id}.yaml и импортируйте снова, чтобы они были "
            f"на своём."
        )
    addresses = Addresses(
        roots=list(export.roots),
        uploads=uploads_dir,
        host=host_of(export.address),
        base=export.address,
    )
    report = write_items(
        export.items,
        town.content,
        display_path(town.content, Path(root)),
        lang,
        addresses,
        default=town.default_language,
    )
    report.skipped.update(export.skipped)
    report.comments = export.comments
    for line in report.lines():
        print(line)
    return 1 if report.refused else 0


def fix_encoding(root: Path, file: str) -> int:
    """Convert a content file to UTF-8, keeping the original as a backup."""
    from gardarika.content.encoding import convert_to_utf8, describe, guess_encoding

    path = Path(file) if Path(file).is_absolute() else Path(root) / file
    if not path.is_file():
        print(f"There is no file {file}. / Файла {file} нет.", file=sys.stderr)
        return 2
    encoding = describe(guess_encoding(path.read_bytes()))
    try:
        backup = convert_to_utf8(path)
    except ValueError as exc:
        if str(exc) == "already UTF-8":
            print(f"{file} is already UTF-8; nothing to do. / {file} уже в UTF-8.")
            return 0
        print(
            f"{file}: the encoding cannot be recognised; open it in a text editor and "
            f"save it as UTF-8. / {file}: кодировку не удалось определить; откройте файл в "
            "текстовом редакторе и сохраните в UTF-8.",
            file=sys.stderr,
        )
        return 1
    print(
        f"{file}: converted from {encoding} to UTF-8; the original is kept as "
        f"{backup.name}.\n{file}: преобразован из {encoding} в UTF-8; исходный файл "
        f"сохранён как {backup.name}."
    )
    return 0


def package(
    root: Path,
    site: str | None = None,
    zip: bool = False,
    iso: bool = False,
    capacity: str | None = None,
    wait: bool = True,
    zim: bool = False,
    zim_per_town: bool = False,
) -> int:
    """Make the USB/CD package in dist/ (of the comma-separated towns ``site``, or of
    every built town), with a zip file, an ISO image and ZIM files when asked; print
    where and how big."""
    return _locked(
        root,
        "package",
        True,
        wait,
        lambda: _package(root, site, zip, iso, capacity, zim, zim_per_town),
    )


def _package(
    root: Path,
    sites: str | None,
    make_zip: bool,
    make_iso: bool,
    capacity: str | None,
    make_zim: bool = False,
    zim_per_town: bool = False,
) -> int:
    from gardarika.errors import GardarikaError
    from gardarika.publish.package import package as make_package

    try:
        result = make_package(
            root,
            _names(sites),
            make_zip,
            make_iso,
            capacity,
            make_zim=make_zim,
            zim_per_town=zim_per_town,
        )
    except UnknownTown as unknown:  # as every command says it: exit code 2
        print(unknown, file=sys.stderr)
        return 2
    except GardarikaError as err:
        print(err, file=sys.stderr)
        return 1
    size = f"{result.size / 1024 / 1024:.1f} MB"
    print(
        f"Package: {result.folder} ({result.files} files, {size}; towns: "
        f"{', '.join(result.towns)})\nПакет: {result.folder} (файлов: {result.files}, "
        f"{size})"
    )
    for extra in (result.zip, result.iso, *result.zims):
        if extra is not None:
            print(f"  {extra} ({extra.stat().st_size / 1024 / 1024:.1f} MB)")
    return 0


def verify(path: str) -> int:
    """Check a copied package (folder, zip or ISO) against its MANIFEST.sha256, or a ZIM
    file with zimcheck (or libzim's own checks)."""
    from gardarika.publish.manifest import describe
    from gardarika.publish.manifest import verify as check_copy

    if path.lower().endswith(".zim"):
        return _verify_zim(Path(path))

    try:
        result = check_copy(Path(path))
    except (FileNotFoundError, OSError) as exc:
        print(f"{path}: cannot be checked ({exc}). / проверить нельзя.", file=sys.stderr)
        return 2
    for line in describe(result):
        print(line)
    if result.ok:
        print(f"All {result.checked} files are intact. / Все файлы ({result.checked}) целы.")
        return 0
    print(
        f"Problems: {len(result.missing)} missing, {len(result.changed)} changed, "
        f"{len(result.unexpected)} unexpected, {len(result.refused)} not checked. / "
        f"Пропало: {len(result.missing)}, изменено: {len(result.changed)}, лишних: "
        f"{len(result.unexpected)}, не проверено: {len(result.refused)}."
    )
    return 1


def _verify_zim(path: Path) -> int:
    from gardarika.publish.zimverify import verify_zim

    try:
        result = verify_zim(path)
    except (FileNotFoundError, OSError, subprocess.TimeoutExpired) as exc:
        from gardarika.errors import visible

        print(
            f"{path}: cannot be checked ({visible(str(exc), 300)}). / проверить нельзя.",
            file=sys.stderr,
        )
        return 2
    for problem in result.problems:
        print(f"{path}: {problem.en}\n{path}: {problem.ru}")
    if result.ok:
        print(f"{path}: whole and readable ({result.tool}). / файл цел и читается ({result.tool}).")
        return 0
    return 1


def deploy(
    root: Path, site: str | None = None, target: str | None = None, wait: bool = True
) -> int:
    """Publish built towns to the deploy targets of their settings."""
    return _locked(root, "deploy", True, wait, lambda: _deploy(root, site, target))


def _deploy(root: Path, sites: str | None, target: str | None) -> int:
    from gardarika.config.network import load_network
    from gardarika.errors import GardarikaError
    from gardarika.publish.deploy import deploy_folder, make_target

    network = load_network(root)
    try:  # every asked town checked before any is published
        names = network.choose(
            _names(sites), default=[t for t in network.ordered_ids() if network.towns[t].deploy]
        )
    except UnknownTown as unknown:
        print(unknown, file=sys.stderr)
        return 2
    failures = 0
    for town_id in names:
        town = network.towns[town_id]
        targets = {n: o for n, o in town.deploy.items() if target in (None, n)}
        if not targets:
            print(
                f"{town_id}: no deploy target{' ' + target if target else ''} in "
                f"sites/{town_id}.yaml / нет цели публикации",
                file=sys.stderr,
            )
            failures += 1
            continue
        folder = network.root / "output" / town_id
        if not (folder / "index.html").is_file():
            print(
                f"{town_id}: not built; run “invoke build --site {town_id}” first. / не собран.",
                file=sys.stderr,
            )
            failures += 1
            continue
        for name, options in targets.items():
            try:
                result = deploy_folder(
                    folder, make_target(town_id, name, options, network.root), name, progress=print
                )
            except GardarikaError as err:
                print(err, file=sys.stderr)
                failures += 1
                continue
            except Exception as exc:  # a network, storage or permission failure
                print(
                    f"{town_id} → {name}: the deploy stopped: {exc}. The site there keeps "
                    "working; run the deploy again to complete it.\n"
                    f"{town_id} → {name}: публикация прервалась: {exc}. Сайт там работает; "
                    "запустите публикацию ещё раз, чтобы её завершить.",
                    file=sys.stderr,
                )
                failures += 1
                continue
            print(
                f"{town_id} → {name}: {len(result.sent)} files sent, {len(result.deleted)} "
                f"deleted, {result.unchanged} unchanged / отправлено {len(result.sent)}, "
                f"удалено {len(result.deleted)}, без изменений {result.unchanged}"
            )
    return 1 if failures else 0


def portal(root: Path, wait: bool = True) -> int:
    """Write the portal over the output as it is (e.g. merged from parallel CI jobs) and
    check the whole output."""
    return _locked(root, "portal", False, wait, lambda: _portal(root))


def _portal(root: Path) -> int:
    from gardarika.build.portal import render_portal
    from gardarika.config.network import load_network

    output = Path(root) / "output"
    if not output.is_dir():
        print("There is no output/ yet. / Папки output/ ещё нет.", file=sys.stderr)
        return 2
    render_portal(load_network(root), output)
    return _check(root)


def owners(root: Path) -> int:
    """Write CODEOWNERS from the editors in sites/*.yaml."""
    from gardarika.config.network import load_network
    from gardarika.publish.owners import codeowners

    network = load_network(root)
    path = Path(root) / "CODEOWNERS"
    left_out: list[str] = []

    def warn(line: str) -> None:
        left_out.append(line)
        print(line, file=sys.stderr)

    path.write_text(codeowners(network, warn), encoding="utf-8")
    with_editors = sum(1 for s in network.towns.values() if s.editors)
    print(
        f"Written: {path.name} ({with_editors - len(left_out)} towns with editors"
        f"{f', {len(left_out)} left out (see above)' if left_out else ''}) / записан "
        f"{path.name} (городов с редакторами: {with_editors - len(left_out)}"
        f"{f', не включено: {len(left_out)} (см. выше)' if left_out else ''})"
    )
    return 0


def matrix(root: Path, shards: int | None = None) -> int:
    """Print the towns (or the shares ``K/N``) as JSON, for a CI system's job matrix."""
    import json

    from gardarika.config.network import load_network

    towns = load_network(root).ordered_ids()
    if shards:
        print(json.dumps([f"{k}/{shards}" for k in range(1, shards + 1)]))
    else:
        print(json.dumps(towns))
    return 0


def pull(
    root: Path,
    site: str | None = None,
    bundle: str | None = None,
    shard: str | None = None,
    jobs: int = 4,
    timeout: float | None = None,
) -> int:
    """Clone or update the content of towns that have their own repository, or apply
    the bundles of saves an editor's desk wrote on a USB stick; 1 when any town failed."""
    from gardarika.config.network import declared, load_network
    from gardarika.content.pull import GIT_TIMEOUT, pull_towns
    from gardarika.content.pullreport import report_line, summary

    network = load_network(root)
    if bundle is not None:
        return _pull_bundles(network, Path(bundle), site)
    asked = _names(site)
    try:  # every asked town checked before any is pulled
        names = network.choose(
            asked, default=[t for t in network.ordered_ids() if network.towns[t].repository]
        )
    except UnknownTown as unknown:
        print(unknown, file=sys.stderr)
        return 2
    # a town with a repository whose settings have errors is not pulled: it is said, and
    # it counts as a failure (the exit code), as when its server does not answer
    broken = [
        town
        for town in network.broken
        if (not asked or town in asked) and "repository" in declared(root, town)
    ]
    if shard:
        from gardarika.publish.shards import shard as share

        try:  # the same share as ``build --shard``, of every town; those with a repository
            mine = set(share(network.ordered_ids(), shard))
        except ValueError as exc:
            print(f"--shard: {exc}", file=sys.stderr)
            return 2
        names = [town for town in names if town in mine]
        if not shard.startswith("1/"):  # in no share of the build: the first one says so
            broken = []
    for town in broken:
        print(
            f"[FAILED] {town}: sites/{town}.yaml has errors (invoke check shows them); "
            f"it was not pulled.\n[ОШИБКА] {town}: в sites/{town}.yaml ошибки (их "
            "показывает invoke check); материалы не получены.",
            flush=True,
        )
    if not names:
        if not broken:
            print(
                "No town"
                + (f" of share {shard}" if shard else "")
                + " has a repository of its own (“repository:” in sites/<town>.yaml); "
                "nothing to pull. / Ни у одного города"
                + (f" доли {shard}" if shard else "")
                + " нет своего репозитория («repository:» в sites/<город>.yaml); получать "
                "нечего."
            )
        return 1 if broken else 0
    results = pull_towns(
        network,
        names,
        jobs=jobs,
        timeout=timeout or GIT_TIMEOUT,
        each=lambda done: print(report_line(done), flush=True),
    )
    print(summary(results))
    return 1 if broken or any(not done.ok for done in results) else 0


def towns(root: Path, site: str | None = None, json: bool = False) -> int:
    """The state of every town (or of ``site``), as a table or as JSON."""
    from gardarika.build.status import as_json, table, town_statuses
    from gardarika.config.network import load_network

    network = load_network(root)
    try:
        names = network.choose(_names(site))
    except UnknownTown as unknown:
        print(unknown, file=sys.stderr)
        return 2
    statuses = town_statuses(network, names)
    if json:
        data = {
            "towns": [status.as_json() for status in statuses],
            "broken": [town for town in network.broken if not site or town in names],
        }
        print(as_json(data))
    else:
        print(table(statuses))
        for town in network.broken:
            print(
                f"✗ {town}: its settings file has errors (invoke check) / в файле "
                "настроек ошибки (invoke check)"
            )
    return 0


def _pull_bundles(network: Network, source: Path, site: str | None) -> int:
    """``invoke pull --bundle``: each bundle applied in turn; 1 when any was refused."""
    from gardarika.config.network import visible
    from gardarika.content.bundles import bundle_files, pull_bundle

    if site is not None:
        try:
            [site] = network.choose(_names(site))
        except UnknownTown as unknown:
            print(unknown, file=sys.stderr)
            return 2
        except ValueError:
            print(
                "--bundle takes one town with --site, or none. / С --bundle укажите в "
                "--site один город или ни одного.",
                file=sys.stderr,
            )
            return 2
    try:
        files = bundle_files(source) if source.exists() else None
    except OSError as err:
        print(
            f"{visible(str(source))}: {visible(err.strerror or str(err))}. / не читается.",
            file=sys.stderr,
        )
        return 2
    if files is None:
        print(
            f"{visible(str(source))}: there is no such file or folder. / такого файла или "
            "папки нет.",
            file=sys.stderr,
        )
        return 2
    if not files:
        print(
            f"{source}: no .bundle file in this folder. / в этой папке нет файлов .bundle.",
            file=sys.stderr,
        )
        return 1
    failed = 0
    for file in files:
        applied = pull_bundle(network, file, site)
        failed += not applied.ok
        print(
            applied.message if applied.ok else f"error: {applied.message}",
            file=sys.stdout if applied.ok else sys.stderr,
        )
    return 1 if failed else 0


def clean(root: Path, wait: bool = True) -> int:
    """Remove the build products ``output/`` and ``.cache/`` (not while a build runs)."""

    def remove() -> int:
        for name in ("output", ".cache"):
            shutil.rmtree(Path(root) / name, ignore_errors=True)
        return 0

    return _locked(root, "clean", False, wait, remove)


def main(argv: list[str] | None = None) -> int:
    """Run a command; output cut short by a closed pipe (``| head``) is not an error, and
    Ctrl-C ends it with a word, not a traceback (exit code 130, as shells give)."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("\nInterrupted. / Прервано.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # stop writing to the closed pipe, also when Python flushes at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def live(root: Path, site: str, port: int = 8000, host: str = "127.0.0.1") -> int:
    """Preview the town ``site``, rebuilt on every change."""
    from gardarika.preview.live import run_live

    return run_live(root, site, host, port)


def desk(root: Path, site: str, port: int | None = None, no_browser: bool = False) -> int:
    """The editor's desk for the town ``site``, until Ctrl+C."""
    from gardarika.desk.run import run_desk

    return run_desk(Path(root), site, port, open_browser=not no_browser)


def serve(root: Path, port: int = 8000, host: str = "127.0.0.1") -> int:
    """Serve ``output/`` for a preview."""
    from gardarika.preview.serve import serve as serve_folder

    serve_folder(Path(root) / "output", host, port)
    return 0


def i18n_extract(root: Path, theme: str = "gardarika") -> int:
    """Collect the interface strings of ``themes/<theme>`` into its messages.pot."""
    from gardarika.render.i18n import extract_messages

    print(extract_messages(Path(root) / "themes" / theme))
    return 0


def i18n_update(root: Path, theme: str = "gardarika") -> int:
    """Merge the theme's strings into every catalogue; say what is left to translate."""
    from gardarika.render.i18n import untranslated, update_catalogs

    theme_dir = Path(root) / "themes" / theme
    for po in update_catalogs(theme_dir):
        lang = po.parents[1].name
        missing = untranslated(theme_dir, lang, theme_dir / "translations" / "messages.pot")
        print(
            f"{po.relative_to(root)}: {len(missing)} to translate"
            + "".join(f"\n  {m}" for m in missing)
        )
    return 0


def run_tests(root: Path, args: str = "") -> int:
    """pytest over every core (pytest-xdist), with ``args`` added."""
    import shlex
    import subprocess

    command = [sys.executable, "-m", "pytest", "-n", "auto", "--dist", "worksteal"]
    return subprocess.call([*command, *shlex.split(args)], cwd=root)


def _checked(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """``convert`` for argparse: what it says is wrong is the error argparse prints."""

    def checked(text: str) -> Any:
        try:
            return convert(text)
        except ValueError as wrong:
            raise argparse.ArgumentTypeError(str(wrong)) from None

    checked.__name__ = getattr(convert, "__name__", "value")
    return checked


def _add(parser: argparse.ArgumentParser, option: Option) -> None:
    """``option`` on ``parser``: a switch as ``--name`` (or ``--no-name`` when it is on
    by default), a value as ``--name VALUE``, or a positional argument."""
    if option.positional:
        parser.add_argument(option.name, help=option.help, metavar=option.metavar)
    elif option.flag and option.default:
        parser.add_argument(
            f"--no-{option.dashed}", dest=option.name, action="store_false", help=option.help
        )
    elif option.flag:
        parser.add_argument(
            f"--{option.dashed}", dest=option.name, action="store_true", help=option.help
        )
    else:
        parser.add_argument(
            f"--{option.dashed}",
            dest=option.name,
            type=_checked(option.type),
            default=option.default,
            # a missing required option is told by Command.run, in both languages
            metavar=option.metavar,
            help=option.help,
        )


def parser() -> argparse.ArgumentParser:
    """The command line, made from :data:`gardarika.commands.COMMANDS`."""
    made = argparse.ArgumentParser(
        prog="gardarika",
        description="Build, check, preview, package and publish a network of town websites.",
    )
    made.add_argument(
        "--root",
        type=Path,
        default=Path.cwd(),
        help="the project folder (with sites/, content/, themes/; default: this folder)",
    )
    commands = made.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        if command.cli:
            sub = commands.add_parser(
                command.name, help=command.summary, description=command.description
            )
            for option in command.options:
                _add(sub, option)
    return made


def _main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command = BY_NAME[args.command]
    given = {option.name: getattr(args, option.name) for option in command.options}
    return command.run(args.root if command.project else None, given)


if __name__ == "__main__":
    sys.exit(main())
