"""USB/CD packages: folder, zip and ISO with a manifest that copies are checked against."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gardarika.errors import GardarikaError
from gardarika.publish.isoimage import iso_files, open_iso, read_iso_file
from gardarika.publish.manifest import MANIFEST, verify
from gardarika.publish.package import package, parse_capacity

DAY = dt.date(2026, 11, 28)


@pytest.fixture
def packaged(network: Path, build_network):
    assert build_network(network).ok
    return package(network, make_zip=True, make_iso=True, capacity="cd", today=DAY)


def test_package_folder_zip_and_iso(network: Path, packaged) -> None:
    folder = packaged.folder
    assert folder == network / "dist" / "test-network-2026-11-28"
    assert packaged.towns == ["beta", "alpha"]
    for name in (
        "index.html",
        "README.txt",
        "ПРОЧТИ.txt",
        MANIFEST,
        "alpha/index.html",
        "alpha/en/index.html",
        "beta/index.html",
        "theme/css/main.css",
    ):
        assert (folder / name).is_file(), name
    readme = (folder / "ПРОЧТИ.txt").read_bytes()
    assert readme.startswith(b"\xef\xbb\xbf") and b"\r\n" in readme
    assert "index.html" in readme.decode("utf-8-sig")
    manifest = (folder / MANIFEST).read_text(encoding="utf-8").splitlines()
    assert len(manifest) == packaged.files - 1
    assert all(re.fullmatch(r"[0-9a-f]{64}  \S.*", line) for line in manifest)
    for copy in (folder, packaged.zip, packaged.iso):
        result = verify(copy)
        assert result.ok and result.checked == len(manifest), copy
    if shutil.which("sha256sum"):
        done = subprocess.run(
            ["sha256sum", "-c", "--quiet", MANIFEST], cwd=folder, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_iso_reads_back_with_every_file(packaged) -> None:
    iso = open_iso(packaged.iso)
    try:
        names = sorted(iso_files(iso))
        expected = sorted(
            p.relative_to(packaged.folder).as_posix()
            for p in packaged.folder.rglob("*")
            if p.is_file()
        )
        assert names == expected
        for name in names:
            assert read_iso_file(iso, name) == (packaged.folder / name).read_bytes(), name
        # plain ISO 9660 names: upper case d-characters, short enough for level 3
        for root, _, files in iso.walk(iso_path="/"):
            for name in files:
                stem = name.split(";")[0]
                assert re.fullmatch(r"[A-Z0-9_.]{1,30}", stem), (root, name)
        assert iso.pvd.volume_identifier.strip() == b"GARDARIKA_261128"
    finally:
        iso.close()


def test_verify_reports_each_kind_of_damage(packaged) -> None:
    folder = packaged.folder
    page = folder / "alpha" / "index.html"
    data = bytearray(page.read_bytes())
    data[100] ^= 0x20
    page.write_bytes(bytes(data))
    (folder / "beta" / "index.html").unlink()
    (folder / "alpha" / "extra.txt").write_text("not in the manifest", encoding="utf-8")
    result = verify(folder)
    assert result.changed == ["alpha/index.html"]
    assert result.missing == ["beta/index.html"]
    assert result.unexpected == ["alpha/extra.txt"]
    done = subprocess.run(
        [sys.executable, "-m", "gardarika", "verify", str(folder)], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "changed: alpha/index.html" in done.stdout and "missing: beta/index.html" in done.stdout
    assert "unexpected: alpha/extra.txt" in done.stdout


def test_capacity_is_refused_before_writing(network: Path, build_network) -> None:
    assert build_network(network).ok
    with pytest.raises(GardarikaError, match="more than the 10K holds"):
        package(network, capacity="10K", today=DAY)
    assert not (network / "dist" / "test-network-2026-11-28").exists()
    assert parse_capacity("cd") == 700 * 1024 * 1024
    assert parse_capacity("dvd") == 4_700_000_000
    assert parse_capacity("2G") == 2 * 1024**3 and parse_capacity("650MB") == 650 * 1024**2
    with pytest.raises(GardarikaError, match="not a capacity"):
        parse_capacity("lots")


def test_some_towns_only(network: Path, build_network) -> None:
    assert build_network(network).ok
    result = package(network, towns=["alpha"], today=DAY)
    assert result.towns == ["alpha"] and not (result.folder / "beta").exists()
    portal = (result.folder / "index.html").read_text(encoding="utf-8")
    assert 'href="alpha/index.html"' in portal and "beta/index.html" not in portal
    assert verify(result.folder).ok
    with pytest.raises(GardarikaError, match="there is no town gamma"):
        package(network, towns=["gamma"], today=DAY)
