"""Putting a freshly built folder in place of the published one without a broken moment.

A town is built into a staging folder and only swapped in when the whole build
succeeded, so a failed build leaves the previous output exactly as it was. On Linux the
swap is a single ``renameat2(RENAME_EXCHANGE)``: readers (a web server, ``invoke serve``)
see either the old or the new site, never a missing one. Elsewhere two renames are used,
and a build killed between them leaves the old folder as ``.<name>.old-<id>`` beside the
missing one: :func:`recover_leftovers` puts it back at the start of the next build.

Every swap and every file write here is a rename of something complete, so a build
killed at any moment (power cut aside) leaves each folder and file either old or new.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import sys
import uuid
from pathlib import Path
from string import hexdigits

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing paths; ``False`` when the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EXDEV, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a))


#: names of the temporary things this module leaves beside a target while it works
_OLD = ".old-"
_NEW = ".new-"
_TMP = ".tmp-"


def _beside(target: Path, kind: str) -> Path:
    return target.with_name(f".{target.name}{kind}{uuid.uuid4().hex[:8]}")


def temporary_beside(path: Path) -> Path:
    """A fresh name beside ``path`` to write it under before renaming it into place;
    :func:`recover_leftovers` recognises and removes such names."""
    return _beside(Path(path), _TMP)


def replace_dir(new: Path, target: Path) -> None:
    """Put folder ``new`` at ``target``, removing what ``target`` held before."""
    new, target = Path(new), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    new = _same_filesystem(new, target)
    if not target.exists():
        os.rename(new, target)
        return
    if _renameat2_exchange(new, target):
        shutil.rmtree(new)  # ``new`` now holds the old output
        return
    old = _beside(target, _OLD)
    os.rename(target, old)
    # a kill here leaves no ``target``: recover_leftovers() renames ``old`` back
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def _device(path: Path) -> int:
    return os.stat(path).st_dev


def _same_filesystem(new: Path, target: Path) -> Path:
    """``new`` itself, or a complete copy of it beside ``target`` when the two are on
    different file systems (a rename cannot cross them, and a copy made in place would
    be seen half-done)."""
    try:
        if _device(new) == _device(target.parent):
            return new
    except OSError:
        return new
    copy = _beside(target, _NEW)
    shutil.copytree(new, copy, symlinks=True)
    shutil.rmtree(new, ignore_errors=True)
    return copy


def write_file_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` through a temporary file, so it is never half-written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _beside(path, _TMP)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def recover_leftovers(folder: Path) -> list[str]:
    """Tidy ``folder`` after a run that was killed: put back a folder whose swap was cut
    between its two renames (no ``<name>``, only ``.<name>.old-<id>``), and remove the
    other temporary folders and files of :func:`replace_dir` and
    :func:`write_file_atomic`. Returns the names put back.

    Only safe while no other build is running (see :mod:`gardarika.fs.lock`).
    """
    folder = Path(folder)
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    restored = []
    for entry in entries:
        name = entry.name
        if not name.startswith("."):
            continue
        for kind in (_OLD, _NEW, _TMP):
            base, found, rest = name[1:].rpartition(kind)
            if found and base and len(rest) == 8 and all(c in hexdigits for c in rest):
                break
        else:
            continue
        target = folder / base
        if kind == _OLD and entry.is_dir() and not target.exists():
            os.rename(entry, target)
            restored.append(base)
        elif entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    return restored


def keep_unchanged_files(new: Path, old: Path) -> int:
    """In the freshly built folder ``new``, put back each file of ``old`` whose bytes did
    not change (as a hard link, or by restoring its time), so that file times stay and
    deploys and USB syncs send only real changes. Returns how many files did change."""
    new, old = Path(new), Path(old)
    changed = 0
    for folder, _, files in os.walk(new):
        for name in files:
            fresh = Path(folder) / name
            previous = old / fresh.relative_to(new)
            try:
                same = (
                    previous.is_file()
                    and previous.stat().st_size == fresh.stat().st_size
                    and previous.read_bytes() == fresh.read_bytes()
                )
            except OSError:
                same = False
            if not same:
                changed += 1
                continue
            try:
                tmp = fresh.with_name(f".{name}.keep")
                os.link(previous, tmp)
                os.replace(tmp, fresh)
            except OSError:
                stat = previous.stat()
                os.utime(fresh, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return changed
