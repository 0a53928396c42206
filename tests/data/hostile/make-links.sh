#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Adds to a copy of the hostile town's content folder what is fragile to keep in git:
# symbolic links, and file names that Windows, macOS or a case-insensitive disk cannot
# check out. Run it on a COPY placed as the town's folder of a scratch project:
#     sh tests/data/hostile/make-links.sh /tmp/project/content/hostile
# Relative link targets assume that layout (content/<town>/ inside the project).
set -eu
cd "$1"
test -d images && test -d files && test -d articles || { echo "not a town folder: $1" >&2; exit 2; }
date='Date: 2024-03-01 10:00'

# --- symbolic links leading out of the town ---------------------------------------
ln -sfn /etc/passwd                 files/passwd.txt         # the machine's files
ln -sfn /proc/self/environ          files/environ.txt        # the build's environment (keys!)
ln -sfn /dev/zero                   files/zero.bin           # endless read
ln -sfn ../../../sites/vyborg.yaml  files/vyborg-settings.txt  # another town's settings
ln -sfn ../../../sites              files/sites              # a folder out of the town
ln -sfn ../../vyborg/articles       articles/vyborg-articles # another town's texts
ln -sfn ../../../.git/config        files/project-git-config.txt

# --- links inside the town that still must not publish -----------------------------
ln -sfn ../.secret                  files/secret.txt         # a hidden file
mkdir -p .git && printf '[remote "origin"]\n\turl = https://editor:GARDARIKA-HOSTILE-TOKEN@git.example.org/hostile.git\n' > .git/config
ln -sfn ../.git/config              files/git-config.txt     # the town is its own clone
ln -sfn ../.stash                   files/pub                # a folder link to a hidden folder
ln -sfn svg-in-txt.txt              files/drawing.svg        # active name -> inert name
ln -sfn page-in-txt.txt             files/page.html          # active name -> inert name
ln -sfn ../files/svg-in-txt.txt     images/linked.svg
mkdir -p files/t/templates                                   # a theme for settings/s38
for n in index article page category tag author archives tags categories authors period_archives; do
  ln -sfn ../../theme-template.txt  "files/t/templates/$n.html"
done

# --- links that lead nowhere or round in circles ------------------------------------
ln -sfn .                           loop
ln -sfn ../images                   images/up
ln -sfn self.png                    images/self.png
ln -sfn missing.png                 images/dangling.png

# --- names that break checkouts on other systems -------------------------------------
article() { printf 'Title: %s\n%s\n\nOdd file name.\n' "$2" "$date" > "articles/$1"; }
article 'q"uote<b>.md'        'Quote and angle bracket in the file name'
article "$(printf 'new\nline.md')" 'Newline in the file name'
article "$(printf 'tab\tname.md')" 'Tab in the file name'
article 'con.md'              'con'
article 'aux.en.md'           'aux'
article 'Case.md'             'Case one'
article 'case.md'             'Case two'
article "$(printf 'caf\303\251.md')"   'Café'      # NFC
article "$(printf 'cafe\314\201.md')"  'Café'      # NFD: the same name on macOS
article 'twice.en.en.md'      'Two language suffixes'
article "$(printf '%0250d.md' 0)" 'A 253-byte file name'
article '-rf --no-preserve-root.md' 'Leading dash'
article ' leading-space.md'   'Leading space'
article 'trailing-dot.md.'    'Trailing dot (not Markdown on Linux, Markdown on Windows)'
for n in 'back\slash.txt' 'colon:stream.txt' 'star*.txt' 'question?.txt' 'pipe|.txt' \
         'trailing-space.txt ' '%2e%2e%2fx.txt' "$(printf 'ＣＯＮ.txt')" 'Ok.PNG'; do
  printf 'odd name\n' > "files/$n"
done
cp images/ok.png images/OK.png
d=files; i=0; while [ $i -lt 40 ]; do d="$d/deep-folder-$i"; i=$((i+1)); done
mkdir -p "$d" && cp images/ok.png "$d/x.png"
echo "make-links.sh: done in $(pwd)"
