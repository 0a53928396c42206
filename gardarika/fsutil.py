"""Putting a freshly built folder in place of the published one without a broken moment.

A town is built into a staging folder and only swapped in when the whole build
succeeded, so a failed build leaves the previous output exactly as it was. On Linux the
swap is a single ``renameat2(RENAME_EXCHANGE)``: readers (a web server, ``invoke serve``)
see either the old or the new site, never a missing one. Elsewhere two renames are used.
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
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EXDEV, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def replace_dir(new: Path, target: Path) -> None:
    """Put folder ``new`` at ``target``, removing what ``target`` held before."""
    new, target = Path(new), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        _move(new, target)
        return
    if _renameat2_exchange(new, target):
        shutil.rmtree(new)  # ``new`` now holds the old output
        return
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    os.rename(target, old)
    _move(new, target)
    shutil.rmtree(old, ignore_errors=True)


def _move(src: Path, dst: Path) -> None:
    try:
        os.rename(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.move(str(src), str(dst))


def write_file_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` through a temporary file, so it is never half-written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


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
                same = (previous.is_file() and previous.stat().st_size == fresh.stat().st_size
                        and previous.read_bytes() == fresh.read_bytes())
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
