"""``invoke verify`` reads copies that may be hostile: members are streamed into hashes,
sizes and compression ratios are capped, names never lead outside the package, and every
refusal comes back in the result (or as "cannot be checked"), never as a traceback."""

from __future__ import annotations

import hashlib
import os
import random
import struct
import subprocess
import sys
import time
import tracemalloc
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from gardarika.publish import manifest as manifest_module
from gardarika.publish.isoimage import write_iso
from gardarika.publish.manifest import (
    MANIFEST,
    UnreadablePackage,
    describe,
    verify,
    write_manifest,
)

MB = 1024 * 1024


def zeros(megabytes: int) -> Iterator[bytes]:
    block = bytes(MB)
    for _ in range(megabytes):
        yield block


def sparse(megabytes: int) -> Iterator[bytes]:
    """Zeros with 20 KB of noise in every megabyte: it deflates about 50:1, as much as
    a real package could, so verify has to inflate it all."""
    noise = random.Random(7)
    for _ in range(megabytes):
        head = noise.randbytes(20_000)
        yield head + bytes(MB - len(head))


def build_zip(
    path: Path,
    files: dict[str, Iterable[bytes]],
    prefix: str = "pkg/",
    extra: Iterable[tuple[str, bytes]] = (),
    lines: Iterable[str] = (),
) -> Path:
    """A package zip written member by member in chunks (so a 300 MB member costs the
    test no memory), with a manifest of the members' true checksums."""
    entries = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, chunks in files.items():
            digest = hashlib.sha256()
            with out.open(prefix + name, "w") as member:
                for chunk in chunks:
                    digest.update(chunk)
                    member.write(chunk)
            entries.append(f"{digest.hexdigest()}  {name}\n")
        entries.extend(lines)
        out.writestr(prefix + MANIFEST, "".join(entries))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # duplicate names are what we test
            for name, data in extra:
                out.writestr(zipfile.ZipInfo(name), data)
    return path


def peak_memory(call):
    """Run ``call`` and return its result and the peak of memory it allocated."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = call()
        return result, tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def run_cli(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gardarika", "verify", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_zip_bomb_member_is_refused_without_inflating(tmp_path: Path) -> None:
    bomb = build_zip(
        tmp_path / "bomb.zip", {"index.html": [b"<p>hello</p>"], "bomb.bin": zeros(300)}
    )
    assert bomb.stat().st_size < 2 * MB
    started = time.monotonic()
    result, peak = peak_memory(lambda: verify(bomb))
    assert time.monotonic() - started < 2
    assert peak < 8 * MB, peak
    assert not result.ok and result.checked == 2
    assert [name for name, _ in result.refused] == ["bomb.bin"]
    assert "zip bomb" in result.refused[0][1] and "zip-бомба" in result.refused[0][1]
    assert not (result.missing or result.changed or result.unexpected)
    done = run_cli(bomb)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "not checked: bomb.bin: suspicious (a zip bomb?)" in done.stdout
    assert "возьмите пакет заново" in done.stdout


def test_big_member_is_streamed_not_held(tmp_path: Path) -> None:
    package = build_zip(tmp_path / "big.zip", {"big.bin": sparse(160), "a.txt": [b"a"]})
    info = zipfile.ZipFile(package).getinfo("pkg/big.bin")
    assert 20 < info.file_size / info.compress_size < manifest_module.MAX_TOTAL_RATIO
    result, peak = peak_memory(lambda: verify(package))
    assert result.ok and result.checked == 2, result
    assert peak < 16 * MB, peak  # reading it whole took 160 MB and more


def test_hostile_zip_names_duplicates_and_outside_members(tmp_path: Path) -> None:
    extra = [("pkg/dup.txt", b"x")] * 3000 + [
        ("../evil.txt", b"evil"),
        ("/abs.txt", b"abs"),
        ("top.txt", b"top"),
        ("pkg/\x1b[2Jscreen.txt", b"esc"),
    ]
    package = build_zip(
        tmp_path / "names.zip",
        {"index.html": [b"<p>hi</p>"]},
        extra=extra,
        lines=[
            f"{'0' * 64}  dup.txt\n",
            f"{'0' * 64}  ../../etc/passwd\n",
            f"{'0' * 64}  /etc/passwd\n",
        ],
    )
    before = sorted(p.name for p in tmp_path.iterdir())
    result = verify(package)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing extracted
    refused = dict(result.refused)
    assert "listed 3000 times" in refused["dup.txt"]
    assert "outside the package" in refused["../../etc/passwd"]
    assert "outside the package" in refused["/etc/passwd"]
    assert result.unexpected == sorted(
        ["../../evil.txt", "..//abs.txt", "../top.txt", "\x1b[2Jscreen.txt"]
    )
    assert not result.ok and not result.changed and not result.missing
    shown = "\n".join(describe(result))
    assert "\x1b" not in shown and "'\\x1b[2Jscreen.txt'" in shown


def test_overlapping_zip_entries_are_refused(tmp_path: Path) -> None:
    """Zip bombs let many entries share one compressed block; Python 3.11's zipfile does
    not notice, so verify must."""
    package = build_zip(tmp_path / "overlap.zip", {"a.bin": [b"a" * 5000], "b.bin": [b"b" * 5000]})
    data = bytearray(package.read_bytes())
    offsets = {}
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        name = bytes(data[at + 46 : at + 46 + name_length]).decode()
        offsets[name] = (at, struct.unpack_from("<I", data, at + 42)[0])
        at = data.find(b"PK\x01\x02", at + 46)
    struct.pack_into("<I", data, offsets["pkg/b.bin"][0] + 42, offsets["pkg/a.bin"][1])
    package.write_bytes(bytes(data))
    result = verify(package)
    assert sorted(name for name, _ in result.refused) == ["a.bin", "b.bin"]
    assert all("overlaps another file" in why for _, why in result.refused)


def test_too_many_zip_entries_cannot_be_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = build_zip(tmp_path / "many.zip", {f"{n}.txt": [b"x"] for n in range(50)})
    assert verify(package).ok
    monkeypatch.setattr(manifest_module, "MAX_ZIP_ENTRIES", 40)
    with pytest.raises(UnreadablePackage, match="51 entries"):
        verify(package)


def test_many_small_members_cannot_add_up_to_a_bomb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each 1 MB of zeros stays under the per-member limit, but together they claim
    far more than 100 times the zip: the members past that are refused."""
    package = build_zip(tmp_path / "small.zip", {f"{n:02}.bin": zeros(1) for n in range(40)})
    monkeypatch.setattr(manifest_module, "TOTAL_SLACK", 0)
    result = verify(package)
    budget = manifest_module.MAX_TOTAL_RATIO * package.stat().st_size
    assert len(result.refused) == 40 - budget // MB
    assert all("100 times its size" in why for _, why in result.refused)


@pytest.mark.skipif(
    not hasattr(os, "symlink") or sys.platform == "win32", reason="needs symbolic links"
)
def test_folder_links_and_dotdot_are_reported_not_read(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "index.html").write_text("<p>hi</p>", encoding="utf-8")
    write_manifest(package)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text("secret", encoding="utf-8")
    digest = hashlib.sha256(secret.read_bytes()).hexdigest()
    (package / "link.txt").symlink_to(secret)
    (package / "linkdir").symlink_to(outside, target_is_directory=True)
    os.mkfifo(package / "pipe")  # opening it for reading would hang the check
    with (package / MANIFEST).open("a", encoding="utf-8") as lines:
        for name in (
            "link.txt",
            "linkdir/secret.txt",
            "../outside/secret.txt",
            str(secret),
            "pipe",
        ):
            lines.write(f"{digest}  {name}\n")
    result = verify(package)
    refused = dict(result.refused)
    assert sorted(refused) == sorted(
        ["link.txt", "linkdir/secret.txt", "../outside/secret.txt", str(secret), "pipe"]
    )
    assert "symlink" in refused["link.txt"] and "symlink" in refused["linkdir/secret.txt"]
    assert "outside the package" in refused["../outside/secret.txt"]
    assert "outside the package" in refused[str(secret)]
    assert "not an ordinary file" in refused["pipe"]
    assert result.unexpected == ["linkdir"]
    assert not result.changed and not result.missing and not result.ok


def test_size_caps_and_normal_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "Пакет"
    (folder / "alpha").mkdir(parents=True)
    (folder / "alpha" / "index.html").write_text("<p>альфа</p>", encoding="utf-8")
    (folder / "big.bin").write_bytes(os.urandom(5000))
    write_manifest(folder)
    zipped = tmp_path / "pkg.zip"
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.rglob("*")):
            out.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    image = write_iso(folder, tmp_path / "pkg.iso", "pkg")
    for copy in (folder, zipped, image):
        result = verify(copy)
        assert result.ok and result.checked == 2, (copy, result)
    monkeypatch.setattr(manifest_module, "MAX_MEMBER", 1000)
    for copy in (folder, zipped, image):
        result = verify(copy)
        assert [name for name, _ in result.refused] == ["big.bin"], copy
        assert "larger than 1.0 KB" in result.refused[0][1] and not result.changed
    monkeypatch.setattr(manifest_module, "MAX_MANIFEST", 100)
    for copy in (folder, zipped, image):
        with pytest.raises(UnreadablePackage, match=MANIFEST):
            verify(copy)


def test_packages_that_cannot_be_checked_say_so(tmp_path: Path) -> None:
    folder = tmp_path / "huge"
    folder.mkdir()
    with (folder / MANIFEST).open("wb") as out:  # over 16 MB, never read whole
        out.truncate(manifest_module.MAX_MANIFEST + 1)
    bad_text = tmp_path / "latin1"
    bad_text.mkdir()
    (bad_text / MANIFEST).write_bytes(b"\xff\xfe not utf-8")
    junk = tmp_path / "junk.iso"
    junk.write_bytes(os.urandom(70_000))
    bad_names = build_zip(tmp_path / "names.zip", {"a.txt": [b"a"]})
    data = bytearray(bad_names.read_bytes())
    at = data.find(b"PK\x01\x02")  # the first entry of the directory: pkg/a.txt
    struct.pack_into("<H", data, at + 8, struct.unpack_from("<H", data, at + 8)[0] | 0x800)
    data[at + 46 + 4] = 0xFF  # "a" becomes a byte UTF-8 does not allow
    bad_names.write_bytes(bytes(data))
    for path, words in (
        (folder, "larger than"),
        (bad_text, "not UTF-8"),
        (junk, "neither a zip"),
        (tmp_path / "nowhere", "no such"),
        (bad_names, "damaged zip"),
    ):
        with pytest.raises(OSError, match=words):
            verify(path)
    done = run_cli(folder)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "cannot be checked" in done.stderr and "проверить нельзя" in done.stderr


def test_a_member_that_gives_more_than_it_declared_stops_the_reading() -> None:
    sink = manifest_module._Sink(manifest_module.MAX_MEMBER)
    sink.expect(10)
    sink.write(b"x" * 10)
    with pytest.raises(manifest_module._Refused, match="more data than the 10 bytes"):
        sink.write(b"x")
