"""The guard's quick comparison of normalised paths agrees with is_inside."""

from __future__ import annotations

import os

import pytest

from gardarika.build.guard import _within
from gardarika.fs.confine import is_inside

CASES = [
    ("/out/alpha", "/out/alpha"),
    ("/out/alpha/index.html", "/out/alpha"),
    ("/out/alpha-2/index.html", "/out/alpha"),
    ("/out/alphabet", "/out/alpha"),
    ("/out", "/out/alpha"),
    ("/etc/passwd", "/"),
    ("/", "/"),
    ("/dev/null", "/dev"),
    ("/devices/x", "/dev"),
    ("/out/alpha/.git/config", "/out/alpha/.git"),
]


@pytest.mark.parametrize(("path", "folder"), CASES)
def test_within_agrees_with_is_inside(path: str, folder: str) -> None:
    assert os.path.normpath(path) == path and os.path.normpath(folder) == folder
    assert _within(path, folder) == is_inside(path, folder)
