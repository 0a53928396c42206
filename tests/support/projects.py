"""What the tests share besides fixtures: a tiny network of towns written into a project
folder (``add_alpha``, ``add_beta``), files written from indented text, a PNG, the links
of a built site that break offline, git run as the maintainer and a project made a
repository (``git``, ``commit_all``). Imported by ``conftest.py`` and by tests by name
(``from projects import write``); this folder is on pytest's import path."""

from __future__ import annotations

import html
import os
import re
import subprocess
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def remove_deep(top: Path) -> None:
    """Remove a folder nested deeper than Python's recursion allows (``shutil.rmtree``
    and pytest's clean-up of old temporary folders call themselves for each level),
    one level at a time; links are removed, never followed."""
    pending = [str(top)]
    while pending:
        folder = pending[-1]
        inner = []
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    inner.append(entry.path)
                else:
                    os.unlink(entry.path)
        if inner:
            pending.extend(inner)
        else:
            os.rmdir(folder)
            pending.pop()


# A 1x1 PNG, so the fixture needs no image library.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082"
)


def write_files(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative name -> text, written as it is, or bytes) below
    ``folder``; gives ``folder``."""
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return folder


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


EXTERNAL = ("http://", "https://", "mailto:", "tel:", "data:", "#")


def broken_links(out: Path) -> list[str]:
    """Every href/src in ``out`` that is root-absolute, names a folder or leads nowhere."""
    found = []
    for page in sorted(out.rglob("*.html")):
        for raw in re.findall(r'(?:href|src)="([^"]*)"', page.read_text(encoding="utf-8")):
            url = html.unescape(raw)
            if url.startswith(EXTERNAL):
                continue
            path = url.split("#")[0].split("?")[0]
            if (
                url.startswith("/")
                or not path
                or path.endswith("/")
                or not (page.parent / path).resolve().is_file()
            ):
                found.append(f"{page.relative_to(out)}: {url}")
    return found


ALPHA_SITE = """
    name:
      ru: Альфа
      en: Alpha
    languages: [ru, en]
    description:
      ru: Городок для тестов.
      en: A town for tests.
    neighbours: [beta]
"""

BETA_SITE = """
    name:
      ru: Бета
    languages: [ru]
"""


def add_alpha(root: Path) -> None:
    """Town ``alpha``: ru + en, a translated article, one article per language only,
    a translated page and a picture."""
    write(root / "sites" / "alpha.yaml", ALPHA_SITE)
    c = root / "content" / "alpha"
    write(
        c / "articles" / "fair.md",
        """
        Title: Ярмарка ремёсел
        Date: 2024-05-05 10:00
        Category: Новости
        Tags: ярмарка, ремёсла

        На ярмарке ![Гончар]({static}/images/potter.png) и [объявление]({filename}notice.md).
    """,
    )
    write(
        c / "articles" / "fair.en.md",
        """
        Title: Craft fair
        Date: 2024-05-05 10:00
        Category: News
        Tags: fair

        At the fair ![Potter]({static}/images/potter.png) and [notice]({filename}notice.md).
    """,
    )
    write(
        c / "articles" / "notice.md",
        """
        Title: Объявление только по-русски
        Date: 2024-05-06 09:00
        Category: Объявления

        Только на русском.
    """,
    )
    write(
        c / "articles" / "visitors.en.md",
        """
        Title: Note for visitors
        Date: 2024-05-07 12:00
        Category: News

        Only in English.
    """,
    )
    write(
        c / "pages" / "about.md",
        """
        Title: О городе

        Про город.
    """,
    )
    write(
        c / "pages" / "about.en.md",
        """
        Title: About the town

        About the town.
    """,
    )
    (c / "images").mkdir(parents=True, exist_ok=True)
    (c / "images" / "potter.png").write_bytes(PNG)


def add_beta(root: Path) -> None:
    """Town ``beta``: Russian only, two articles."""
    write(root / "sites" / "beta.yaml", BETA_SITE)
    for i in range(2):
        write(
            root / "content" / "beta" / f"news-{i}.md",
            f"""
            Title: Новость {i}
            Date: 2024-0{i + 1}-10

            Текст новости {i}.
        """,
        )


def git(*args: str, cwd: Path, input: str = "", env: dict[str, str] | None = None) -> str:
    """Run git in a test's repository as the maintainer; what it printed (the test fails
    when git does)."""
    return subprocess.run(
        ["git", "-c", "user.name=Maintainer", "-c", "user.email=m@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        input=input,
        env={**os.environ, **(env or {})},
    ).stdout


def commit_all(folder: Path, message: str = "network") -> Path:
    """``folder`` made a git repository with one commit of everything in it, whose own
    settings name the maintainer (merge commits carry the name); gives ``folder``."""
    git("init", "-q", "-b", "main", cwd=folder)
    git("config", "user.name", "Maintainer", cwd=folder)
    git("config", "user.email", "m@example.org", cwd=folder)
    git("add", "-A", cwd=folder)
    git("commit", "-q", "-m", message, cwd=folder)
    return folder


def new_repo(folder: Path) -> Path:
    """An empty git repository (branch ``main``) in ``folder``, made if need be."""
    folder.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=folder)
    return folder


def commit_at(repo: Path, when: int, *extra: str, message: str = "change") -> None:
    """Commit everything in ``repo`` with ``when`` (seconds since 1970, UTC) as its
    author and committer date; ``extra``: more options of ``git commit``."""
    stamp = f"@{when} +0000"
    git("add", "-A", cwd=repo)
    git(
        "commit",
        "-q",
        "--allow-empty",
        *extra,
        "-m",
        message,
        cwd=repo,
        env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp},
    )


def town_repository(remotes: Path, town: str, title: str = "") -> tuple[Path, Path]:
    """A town's content kept in a repository of its own: (its editors' working clone,
    whose ``origin`` is the bare repository, the bare repository
    ``remotes/<town>.git``), with one article on ``main``."""
    work = remotes / f"{town}-work"
    write(
        work / "news.md",
        f"Title: {title or f'Новость {town}'}\nDate: 2024-01-01\n\nТекст о городе {town}.\n",
    )
    git("init", "-q", "-b", "main", cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "first", cwd=work)
    bare = remotes / f"{town}.git"
    git("clone", "-q", "--bare", str(work), str(bare), cwd=remotes)
    git("remote", "add", "origin", str(bare), cwd=work)
    return work, bare
