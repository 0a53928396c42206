"""The editors' check of pictures: none too big to build, none that cannot be read.

A picture's file says little about its cost: a 684 KB PNG of 13 000 × 13 000 pixels
takes 2.7 GB of memory once decoded, in every language's build of the town at once. So
every picture of a town's content is opened here with Pillow, which reads only its header
(the size is written there), never its pixels, and

* a picture of more than :data:`gardarika.render.images.MAX_PIXELS` pixels is an error, with its
  size, the limit and what to do (the build refuses it too, as a second line, without
  decoding it: :mod:`gardarika.render.images`);
* a file named as a picture that is not one, or whose header is damaged, is an error, as
  in the build, which does not publish it (copied as it is, a damaged photo would keep
  its GPS position); so is a JPEG or PNG cut short (its last bytes are looked at).
  Other damage further on is only found by decoding the picture, which the build does
  and refuses it then: decoding every picture here would cost as much as processing it,
  before every build, even when the build takes all its pictures from the cache.

GIF pictures are checked too: the build copies them as they are, but a browser decodes
them the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from gardarika.config.network import Town
from gardarika.content.documents import Document, visible_files
from gardarika.errors import Problem, display_path
from gardarika.render.images import PROCESSED_SUFFIXES, ImageError, PictureTooLarge, open_picture

#: the files looked at: the pictures the build processes, and GIF, which it copies
PICTURE_SUFFIXES = (*PROCESSED_SUFFIXES, ".gif")


#: how a whole picture ends (JPEG: the end-of-image marker; PNG: the IEND chunk), looked
#: for in its last bytes: cameras and editors may add a little after it
_ENDINGS = {"JPEG": b"\xff\xd9", "PNG": b"IEND"}
_TAIL = 64 * 1024


def _whole(fp: BinaryIO, picture_format: str | None) -> bool:
    """A JPEG or PNG that ends as it should (a copy cut short half-way does not): a
    look at its last bytes, without decoding it."""
    ending = _ENDINGS.get(picture_format or "")
    if ending is None:
        return True
    fp.seek(0, 2)
    size = fp.tell()
    fp.seek(max(0, size - _TAIL))
    return ending in fp.read()


def picture_problem(path: Path, root: Path) -> Problem | None:
    """The problem of one picture, if it has one, found from its header alone."""
    try:
        with path.open("rb") as fp, open_picture(fp) as picture:
            if not _whole(fp, picture.format):
                raise ImageError(
                    "it is cut short: its end is missing", "она обрезана: её конца нет"
                )
            return None
    except PictureTooLarge as exc:
        (en, ru), severity = exc.messages(), "error"
    except ImageError as exc:
        (en, ru), severity = exc.messages(), "error"
    except OSError as exc:  # cannot be opened at all (permissions, vanished meanwhile)
        (en, ru), severity = ImageError(exc.strerror or str(exc)).messages(), "error"
    # the path is shown only now: resolving it for each of thousands of pictures took
    # as long as reading their headers
    return Problem(file=display_path(path, root), en=en, ru=ru, severity=severity)


def picture_problems(content: Path, root: Path) -> Iterator[Problem]:
    """The problems of every picture below ``content``, in name order."""
    for path in visible_files(content):
        if path.is_symlink() or not path.name.lower().endswith(PICTURE_SUFFIXES):
            continue  # a symbolic link is reported by the confinement check, not followed
        problem = picture_problem(path, root)
        if problem is not None:
            yield problem


def check_images(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    """Registered in :data:`gardarika.checks.lint.CHECKS`."""
    del docs  # the pictures beside the texts, not the texts
    if town.content.is_dir():
        yield from picture_problems(town.content, root)
