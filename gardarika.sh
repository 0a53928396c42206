#!/bin/sh
# Gardarika's commands from any terminal, without activating anything:
#   ./gardarika.sh new --site vyborg --title "Субботник в парке"
#   ./gardarika.sh lint --site vyborg
#   ./gardarika.sh live --site vyborg
# (the same commands as "invoke …"; ./gardarika.sh --help lists them).
# SPDX-License-Identifier: AGPL-3.0-or-later
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
for python in "$here/.venv/bin/python" "$here/.venv/Scripts/python.exe"; do
    if [ -x "$python" ]; then
        exec "$python" -m gardarika --root "$here" "$@"
    fi
done
echo "Gardarika is not installed in $here/.venv yet: run the set-up command of README.md first." >&2
echo "Gardarika ещё не установлена в $here/.venv: сначала выполните команду установки из README.md." >&2
exit 1
