from pathlib import Path

from pelican_site import build_pelican_site

SECRET = "a secret of the machine"


def test_nothing_outside_the_content_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    (tmp_path / "content" / "images").mkdir(parents=True)
    (tmp_path / "content" / "images" / "leak.txt").symlink_to(tmp_path / "secret.txt")
    out, log = build_pelican_site(
        tmp_path,
        {
            "a.md": "Title: A\nDate: 2024-01-01\nSlug: a\n\n"
            "[up]({static}/../secret.txt) and [link]({static}/images/leak.txt)\n",
        },
        ["own_folder"],
        extra='STATIC_PATHS = ["images"]\n',
        must_succeed=False,
    )
    # plain Pelican stops at the refused read; under Gardarika it is the town's error
    written = [p.read_bytes() for p in out.rglob("*") if p.is_file()]
    assert not any(SECRET.encode() in data for data in written)
    assert "leads out of the site's content folder" in log
    assert "is outside the site's content folder" in log


def test_an_ordinary_site_is_left_alone(tmp_path: Path) -> None:
    out, log = build_pelican_site(
        tmp_path,
        {
            "a.md": "Title: A\nDate: 2024-01-01\nSlug: a\n\n![p]({static}/images/p.txt)\n",
            "images/p.txt": "picture",
        },
        ["own_folder"],
        extra='STATIC_PATHS = ["images"]\n',
    )
    assert (out / "images" / "p.txt").read_text(encoding="utf-8") == "picture"
    assert "content folder" not in log
