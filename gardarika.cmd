@echo off
rem Gardarika's commands from any terminal of Windows, without activating anything:
rem   gardarika new --site vyborg --title "Subbotnik"
rem (the same commands as "invoke ..."; gardarika --help lists them)
rem SPDX-License-Identifier: AGPL-3.0-or-later
chcp 65001 >nul
if not exist "%~dp0.venv\Scripts\python.exe" goto missing
"%~dp0.venv\Scripts\python.exe" -m gardarika --root "%~dp0." %*
exit /b %ERRORLEVEL%
:missing
echo Gardarika is not installed in %~dp0.venv yet: run the set-up command of README.md first. 1>&2
echo Gardarika ещё не установлена в %~dp0.venv: сначала выполните команду установки из README.md. 1>&2
exit /b 1
