import os
import sys

if not hasattr(os, "fork"):  # Windows: the builds' isolation needs fork and POSIX limits
    print(
        "Gardarika runs on Linux or macOS. On Windows, run it inside WSL (Windows "
        "Subsystem for Linux): there ./gardarika.sh works as described in README.md.\n"
        "Gardarika работает в Linux и macOS. В Windows запускайте её в WSL (подсистеме "
        "Windows для Linux): там ./gardarika.sh работает, как описано в README.md.",
        file=sys.stderr,
    )
    sys.exit(2)

from gardarika.cli import main

sys.exit(main())
