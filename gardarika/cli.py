"""Command line: ``gardarika build|clean|serve`` (``invoke`` tasks call the same code)."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from .build import Builder, BuildError


def build(root: Path, sites: str | None = None, jobs: int | None = None) -> int:
    """Build the network (or the comma-separated ``sites``); return the exit code."""
    names = [s for s in sites.split(",") if s.strip()] if sites else None
    try:
        report = Builder(root, jobs=jobs).build(names)
    except BuildError as err:
        print(err, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nInterrupted: towns that had not finished keep their previous output.\n"
              "Прервано: у недостроенных городов остался прежний результат.", file=sys.stderr)
        return 130
    return 0 if report.ok else 1


def clean(root: Path) -> int:
    """Remove the build products ``output/`` and ``.cache/``."""
    for name in ("output", ".cache"):
        shutil.rmtree(Path(root) / name, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gardarika", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path.cwd(),
                        help="the project folder (with sites/, content/, themes/)")
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="build the network or some towns")
    build_cmd.add_argument("--site", help="town id, or several separated by commas")
    build_cmd.add_argument("--jobs", type=int, help="parallel builds (default: CPU cores)")
    commands.add_parser("clean", help="remove output/ and .cache/")
    serve_cmd = commands.add_parser("serve", help="preview output/ on http://127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    if args.command == "build":
        return build(args.root, args.site, args.jobs)
    if args.command == "clean":
        return clean(args.root)
    from .serve import serve

    serve(args.root / "output", args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
