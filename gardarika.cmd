@echo off
rem Gardarika on Windows: its builds need Linux or macOS (they isolate each town in a
rem process of its own with fork and POSIX limits), so on Windows it runs inside WSL
rem (Windows Subsystem for Linux), where ./gardarika.sh works as in README.md.
rem SPDX-License-Identifier: AGPL-3.0-or-later
chcp 65001 >nul
echo Gardarika runs on Linux or macOS. On Windows, install WSL ("wsl --install" in an administrator's terminal), open the Ubuntu terminal in this folder and run ./gardarika.sh there, as README.md describes. 1>&2
echo Gardarika работает в Linux и macOS. В Windows установите WSL (команда "wsl --install" в терминале администратора), откройте терминал Ubuntu в этой папке и запускайте ./gardarika.sh там, как описано в README.md. 1>&2
exit /b 2
