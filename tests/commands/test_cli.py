"""The command line and the invoke tasks, run as a maintainer runs them."""

from __future__ import annotations

import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

from projects import REPO, write

from gardarika.preview.serve import make_server


def gardarika(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gardarika", *args], capture_output=True, text=True, timeout=300
    )


def test_build_command_exit_codes_and_summary(network: Path) -> None:
    done = gardarika("--root", str(network), "build", "--jobs", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "alpha/en: ok" in done.stdout
    assert "Towns built: 2, unchanged: 0, failed: 0" in done.stdout
    assert "Собрано городов: 2" in done.stdout

    write(network / "sites/beta.yaml", "name: {ru: Бета}\nlanguages: [ru, xx]\n")
    failed = gardarika("--root", str(network), "build")
    assert failed.returncode == 1
    assert "sites/beta.yaml:2" in failed.stdout and "Traceback" not in failed.stdout + failed.stderr
    assert "Towns built: 1, unchanged: 0, failed: 1 (beta)" in failed.stdout


def test_unknown_site_is_a_plain_message(network: Path) -> None:
    done = gardarika("--root", str(network), "build", "--site", "gamma")
    assert done.returncode == 2
    assert "no sites/gamma.yaml" in done.stderr and "Traceback" not in done.stderr


def test_clean_removes_build_products(network: Path) -> None:
    assert gardarika("--root", str(network), "build", "--site", "beta").returncode == 0
    assert (network / "output").exists()
    assert gardarika("--root", str(network), "clean").returncode == 0
    assert not (network / "output").exists() and not (network / ".cache").exists()
    assert (network / "content/beta").exists()


def test_invoke_lists_the_tasks() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "invoke", "--list"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for name in ("build", "clean", "serve", "test"):
        assert f"\n  {name}" in done.stdout


def test_serve_only_serves_output_on_loopback(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write(out / "index.html", "<p>portal</p>")
    write(tmp_path / "secret.txt", "private")
    server = make_server(out, port=0)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10) as r:
            assert r.status == 200 and b"portal" in r.read()
        for path in ("/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt"):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
                    assert b"private" not in r.read()
            except urllib.error.HTTPError as err:
                assert err.code == 404
    finally:
        server.shutdown()
        server.server_close()
