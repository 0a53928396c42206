"""Command line: ``gardarika build|check|clean|serve`` (the ``invoke`` tasks call the same
code)."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from .build import Builder, BuildError
from .check import check_output
from .check import summary as check_summary


def _names(sites: str | None) -> list[str] | None:
    return [s.strip() for s in sites.split(",") if s.strip()] if sites else None


def build(root: Path, sites: str | None = None, jobs: int | None = None,
          check: bool = True) -> int:
    """Build the network (or the comma-separated ``sites``); return the exit code."""
    try:
        report = Builder(root, jobs=jobs, check=check).build(_names(sites))
    except BuildError as err:
        print(err, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nInterrupted: towns that had not finished keep their previous output.\n"
              "Прервано: у недостроенных городов остался прежний результат.", file=sys.stderr)
        return 130
    return 0 if report.ok else 1


def check(root: Path, sites: str | None = None) -> int:
    """Check ``output/`` (or some towns of it); return the exit code."""
    output = Path(root) / "output"
    names = _names(sites)
    missing = [n for n in names or [] if not (output / n).is_dir()]
    if not output.is_dir() or missing:
        what = ", ".join(f"output/{n}/" for n in missing) or "output/"
        print(f"There is no {what} to check; run “invoke build” first.\n"
              f"Нечего проверять: нет {what}; сначала выполните «invoke build».",
              file=sys.stderr)
        return 2
    start = time.perf_counter()
    findings = check_output(output, names)
    for finding in findings:
        print(finding.format())
    print(check_summary(findings, time.perf_counter() - start))
    return 1 if findings else 0


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
    build_cmd.add_argument("--no-check", dest="check", action="store_false",
                           help="do not check the output afterwards")
    check_cmd = commands.add_parser("check", help="check output/ for offline problems")
    check_cmd.add_argument("--site", help="town id, or several separated by commas")
    commands.add_parser("clean", help="remove output/ and .cache/")
    serve_cmd = commands.add_parser("serve", help="preview output/ on http://127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    if args.command == "build":
        return build(args.root, args.site, args.jobs, args.check)
    if args.command == "check":
        return check(args.root, args.site)
    if args.command == "clean":
        return clean(args.root)
    from .serve import serve

    serve(args.root / "output", args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
