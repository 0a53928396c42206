"""``invoke package``: the network (or some towns) ready for a USB stick or a CD.

``dist/<network>-<date>/`` holds the portal ``index.html`` at its root, every selected
town, a ``README.txt`` and ``ПРОЧТИ.txt`` saying how to open it, and ``MANIFEST.sha256``
for checking copies. ``--zip`` and ``--iso`` add a zip file and an ISO 9660 image (Joliet
and Rock Ridge names); ``--zim`` a ZIM file for Kiwix of the whole package, and
``--zim-per-town`` one of each town (:mod:`gardarika.publish.zimfiles`). A package
larger than the chosen medium is refused before anything is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pycdlib

from gardarika.build.portal import render_portal
from gardarika.config.network import Network, load_network
from gardarika.content.slugs import slugify
from gardarika.errors import GardarikaError, Problem
from gardarika.fs.files import replace_dir
from gardarika.publish.isoimage import write_iso
from gardarika.publish.manifest import write_manifest

CAPACITIES = {"cd": 700 * 1024 * 1024, "dvd": 4_700_000_000}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.I)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}

README_EN = """How to open this copy of {name}
====================================

Open the file index.html in this folder with any web browser (double-click it).
Nothing has to be installed and no internet connection is needed: every town's site
is here, in Russian and in English.

Checking the copy
-----------------
MANIFEST.sha256 lists a checksum of every file. On Linux or macOS, in this folder:
    sha256sum -c MANIFEST.sha256
With Gardarika installed:
    invoke verify <this folder>
Both name every missing or damaged file.

Made on {date}. Towns: {towns}.
"""

README_RU = """Как открыть эту копию сети «{name}»
====================================

Откройте файл index.html из этой папки в любом браузере (двойным щелчком).
Ничего устанавливать не нужно, интернет тоже не нужен: здесь сайты всех городов
на русском и английском языках.

Проверка копии
--------------
В файле MANIFEST.sha256 записаны контрольные суммы всех файлов. В Linux или macOS
выполните в этой папке:
    sha256sum -c MANIFEST.sha256
Если установлена Гардарика:
    invoke verify <эта папка>
Обе команды назовут каждый пропавший или повреждённый файл.

Сделано {date}. Города: {towns}.
"""


@dataclass
class PackageResult:
    folder: Path
    size: int
    files: int
    towns: list[str]
    zip: Path | None = None
    iso: Path | None = None
    zims: list[Path] = dataclasses.field(default_factory=list)


def _refuse(en: str, ru: str) -> GardarikaError:
    return GardarikaError([Problem(file="invoke package", en=en, ru=ru)])


def parse_capacity(text: str) -> int:
    """``cd``, ``dvd`` or a size such as ``64M``, ``2G``, ``650MB``."""
    key = text.strip().lower()
    if key in CAPACITIES:
        return CAPACITIES[key]
    match = _SIZE.match(key)
    if not match:
        raise _refuse(
            f"“{text}” is not a capacity: write cd, dvd or a size like 4G or 700M.",
            f"«{text}» — не объём: укажите cd, dvd или размер, например 4G или 700M.",
        )
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def _size(paths: list[Path]) -> tuple[int, int]:
    total = count = 0
    for base in paths:
        files = [base] if base.is_file() else [p for p in base.rglob("*") if p.is_file()]
        for path in files:
            total += path.stat().st_size
            count += 1
    return total, count


def _human(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def select_towns(network: Network, output: Path, towns: list[str] | None) -> list[str]:
    towns = network.choose(towns) if towns else None  # every asked town exists
    built = [t for t in network.ordered_ids() if (output / t / "index.html").is_file()]
    if not towns:
        if not built:
            raise _refuse(
                "nothing is built yet; run “invoke build” first.",
                "ещё ничего не собрано; сначала выполните «invoke build».",
            )
        return built
    missing = [s for s in towns if s not in built]
    if missing:
        raise _refuse(
            f"not built yet: {', '.join(missing)}; run “invoke build” first.",
            f"ещё не собраны: {', '.join(missing)}; сначала выполните «invoke build».",
        )
    return [t for t in built if t in towns]


def package(
    root: Path,
    towns: list[str] | None = None,
    make_zip: bool = False,
    make_iso: bool = False,
    capacity: str | None = None,
    today: dt.date | None = None,
    dist: Path | None = None,
    output: Path | None = None,
    make_zim: bool = False,
    zim_per_town: bool = False,
) -> PackageResult:
    root = Path(root).resolve()
    network = load_network(root)
    output = Path(output or root / "output")
    dist = Path(dist or root / "dist")
    town_ids = select_towns(network, output, towns)
    today = today or dt.date.today()
    short = network.config.name.get("en") or next(iter(network.config.name.values()))
    name = f"{slugify(short.split('—')[0]) or 'gardarika'}-{today:%Y-%m-%d}"

    size, _ = _size([output / t for t in town_ids])
    limit = parse_capacity(capacity) if capacity else None
    if limit is not None and size > limit:
        raise _refuse(
            f"the package would be {_human(size)}, more than the {capacity} holds "
            f"({_human(limit)}). Choose fewer towns with --site, or a larger medium.",
            f"пакет занял бы {_human(size)}, а на {capacity} помещается {_human(limit)}. "
            "Выберите меньше городов (--site) или носитель побольше.",
        )

    folder = _make_folder(network, town_ids, output, dist / name, today, short)
    size, files = _size([folder])
    if limit is not None and size > limit:  # the portal and texts tipped it over
        raise _refuse(
            f"the package is {_human(size)}, more than {capacity} holds.",
            f"пакет занимает {_human(size)} — больше, чем помещается на {capacity}.",
        )
    result = PackageResult(folder=folder, size=size, files=files, towns=town_ids)
    if make_zip:
        result.zip = _write_zip(folder, dist / f"{name}.zip")
    if make_iso:
        result.iso = _make_iso(folder, dist / f"{name}.iso", f"GARDARIKA_{today:%y%m%d}")
        if limit is not None and result.iso.stat().st_size > limit:
            raise _refuse(
                "the ISO image is larger than the medium.",
                "образ ISO больше, чем помещается на носитель.",
            )
    if make_zim:
        from gardarika.publish.zimfiles import network_zim

        result.zims.append(network_zim(network, town_ids, folder, dist / f"{name}.zim", today))
    if zim_per_town:
        from gardarika.publish.zimfiles import town_zim

        for town in town_ids:
            single = dist / f".{name}-{town}.tmp"
            try:
                _make_folder(network, [town], output, single, today, short)
                result.zims.append(
                    town_zim(network, town, single, dist / f"{name}-{town}.zim", today)
                )
            finally:
                shutil.rmtree(single, ignore_errors=True)
    return result


def _make_folder(
    network: Network, towns: list[str], output: Path, folder: Path, today: dt.date, short: str
) -> Path:
    """The package's folder, made beside it and put in place whole: the towns' sites,
    a portal of just these towns, the README in both languages and the manifest."""
    staging = folder.parent / f".{folder.name}.tmp"
    folder.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for town in towns:
        shutil.copytree(output / town, staging / town)
    subset = dataclasses.replace(network, towns={t: network.towns[t] for t in towns})
    render_portal(subset, staging)
    names = ", ".join(network.towns[t].name.get("en") or t for t in towns)
    names_ru = ", ".join(network.towns[t].name.get("ru") or t for t in towns)
    for file, template, shown in (
        ("README.txt", README_EN, names),
        ("ПРОЧТИ.txt", README_RU, names_ru),
    ):
        text = template.format(
            name=network.config.name.get("ru" if file.startswith("П") else "en", short),
            date=f"{today:%Y-%m-%d}",
            towns=shown,
        )
        # a byte order mark and CRLF so that Windows Notepad shows it right
        (staging / file).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    write_manifest(staging)
    replace_dir(staging, folder)
    return folder


def _make_iso(folder: Path, target: Path, label: str) -> Path:
    """The ISO image of ``folder``, written beside ``target`` and then renamed."""
    tmp = target.parent / f".{target.name}.tmp"
    try:
        write_iso(folder, tmp, label=label)
    except (ValueError, pycdlib.pycdlibexception.PyCdlibException) as exc:
        tmp.unlink(missing_ok=True)
        raise _refuse(
            f"the ISO image cannot be written: {exc}", f"образ ISO записать не удалось: {exc}"
        ) from None
    os.replace(tmp, target)
    return target


def _write_zip(folder: Path, target: Path) -> Path:
    tmp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    os.replace(tmp, target)
    return target
