"""Town and network settings: ``sites/<town>.yaml`` and ``sites/network.yaml``.

The keys are those of the README (Settings in ``sites/<town>.yaml``). Each key is
checked on its own and every problem in a file is collected, so an editor fixes a file
in one go instead of one error per run. A town whose file has problems is left out of
the build (and reported); the other towns still build.

A town's file may be edited by the town's editors. Whatever it says, it must not make
the build read or write outside the town's folders, run code, publish secrets or stop
the other towns, nor turn ``invoke deploy``/``invoke pull`` into a command: so every
value is checked for what it may be, not only for its type, and the settings only the
maintainer should choose (``deploy``, ``repository``, ``theme``, ``trust_html``) are
checked as strictly as the others.

Keys of ``sites/<town>.yaml`` (``name`` and ``languages`` are required):

============  ==========================================================================
name          the town's name, one entry per language: ``{ru: Выборг, en: Vyborg}``;
              at most 100 characters (it is in every page's title)
languages     list of language codes; the first is the site's default language
description   short description, a text or one entry per language (default: none)
theme         the name of a folder directly in ``themes/`` (``[a-z0-9_-]``, no path);
              no file of it may lead by a symbolic link into ``content/``, ``sites/``,
              ``output/``, ``.cache/`` or ``dist/`` (default ``gardarika``)
timezone      IANA time zone for dates (default ``Europe/Moscow``)
content       folder with the town's Markdown: ``content/<something>``, without ``..``
              or hidden folders, really inside ``content/`` (symbolic links followed),
              and neither the folder of another town with a settings file nor inside or
              around it; two towns may not share or nest folders (default
              ``content/<town>``)
contacts      ``email``, ``phone``, ``address`` (text or one entry per language)
neighbours    ids of neighbouring towns of this network, shown on every page
base_url      where the site is published on the web, e.g. ``https://vyborg.example.org``
deploy        named deploy targets: ``{web: {type: rsync, ...}}``; type is one of
              ``dir`` (``path``: an absolute folder or one below ``~/``, outside the
              project, not the home folder, not hidden, not a system folder or one whose
              files are run, not in a folder all users share such as ``/tmp``),
              ``rsync`` (``host``: a host name or address; ``path``: a folder on the
              server without ``..`` or hidden folders; ``user``; ``port``; ``identity``:
              a key file outside the project; no ``ssh_options``), ``s3`` (``bucket``,
              ``prefix``, ``endpoint``, ``region``, ``profile``), ``git``
              (``repository``, ``branch``); no value may start with ``-``; no secrets
              here; two towns' targets may not write to the same place
repository    the town's own content repository: ``{url: ..., branch: main}``; the url
              is ``https://``, ``ssh://``, ``git://`` or ``user@host:path`` (never
              ``ext::`` or another transport helper); an absolute folder or a
              ``file://`` address only inside a folder the maintainer lists under
              ``local_repositories`` in ``network.yaml``, outside the project; a server
              that is this machine or one of a private network (``localhost``, a
              loopback or private address…) only for a town listed under
              ``pull_with_credentials`` there, whose pull alone uses the maintainer's
              credentials; the branch a name git accepts
editors       the town's editors (``@account``, ``@org/team`` or an e-mail address, of
              plain Latin characters: each is written into CODEOWNERS), for
              ``invoke owners``
metadata_keys metadata keys the town's texts use besides the standard ones (its theme
              shows them), e.g. ``[venue, price]``; other unknown keys are reported
image         the town's picture on the network's portal: a ``.jpg``, ``.png``,
              ``.webp`` or ``.gif`` file in its content folder, e.g. ``images/town.jpg``
trust_html    ``false`` only, unless ``trust_html`` of ``network.yaml`` lists the town:
              only the maintainer keeps a town's raw HTML as written (scripts, forms,
              frames); by default it is cleaned (``plugins/safe_html``)
pelican       extra Pelican settings passed through (upper-case keys): only those that
              cannot lead outside the town's folders (:mod:`.pelican_passthrough`)
============  ==========================================================================
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import ipaddress
import os
import posixpath
import re
import socket
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from gardarika.config.pelican_allowed import Context, is_allowed, setting_problems
from gardarika.config.yamlfile import YamlDocument, read_yaml
from gardarika.errors import GardarikaError, Message, Problem, display_path, visible
from gardarika.fs.confine import hidden_part, is_inside, path_problem
from gardarika.render.i18n import SOURCE_LANGUAGE, catalog_path

TOWN_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
LANG_CODE = re.compile(r"^[a-z]{2,3}$")
PELICAN_KEY = re.compile(r"^[A-Z][A-Z0-9_]*$")
DEPLOY_TYPES = ("dir", "rsync", "s3", "git")
DEPLOY_REQUIRED = {
    "dir": ("path",),
    "rsync": ("host", "path"),
    "s3": ("bucket",),
    "git": ("repository",),
}
SECRET_WORDS = ("password", "passwd", "secret", "token", "private_key", "access_key")
#: characters no page or feed can carry (XML 1.0 refuses them): only a line break and a
#: tab may be in a text of the settings
#: the most characters a town's or the network's name may have: it is in every page's
#: <title> and header (and a ZIM reader's title index breaks on very long titles)
NAME_LIMIT = 100
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
RESERVED_IDS = frozenset(
    {"network", "theme", "feeds", "con", "nul", "prn", "aux", "index"}
    | {f"com{i}" for i in range(10)}
    | {f"lpt{i}" for i in range(10)}
)

#: Pelican settings Gardarika derives itself; each maps to the YAML key to use instead.
#: Pelican settings a town's file may not have, each with why and what to do instead
#: (real sites' settings files have them; the rest get the general reason)
REFUSED_PELICAN_KEYS: dict[str, Message] = {
    "TEMPLATE_PAGES": Message(
        "TEMPLATE_PAGES cannot be set in a town's file: Pelican reads each such page from "
        "the content folder as a template, and a template runs as code in the build. A "
        "town's pages are Markdown texts (pages/…); a page that needs a template of its "
        "own is added to the theme by the network's maintainer "
        "(themes/<theme>/templates/ and the theme's direct templates).",
        "TEMPLATE_PAGES нельзя задавать в файле города: такую страницу Pelican читает из "
        "папки материалов как шаблон, а шаблон при сборке выполняется как программа. "
        "Страницы города — тексты Markdown (pages/…); страницу, которой нужен свой шаблон, "
        "добавляет в тему сопровождающий сети (themes/<тема>/templates/ и список "
        "страниц темы).",
    ),
}

MANAGED_PELICAN_KEYS: dict[str, str] = {
    "PATH": "content",
    "OUTPUT_PATH": "",
    "SITEURL": "base_url",
    "RELATIVE_URLS": "",
    "DEFAULT_LANG": "languages",
    "SITENAME": "name",
    "SITESUBTITLE": "description",
    "TIMEZONE": "timezone",
    "THEME": "theme",
    "DELETE_OUTPUT_DIRECTORY": "",
    "PLUGIN_PATHS": "",
    "THEME_STATIC_DIR": "",
    "THEME_STATIC_PATHS": "theme",
    "STATIC_URL": "",
    "CACHE_PATH": "",
    "FILENAME_METADATA": "",
    "GARDARIKA": "",
    "ARTICLE_LANG_URL": "",
    "ARTICLE_LANG_SAVE_AS": "",
    "PAGE_LANG_URL": "",
    "PAGE_LANG_SAVE_AS": "",
    "DRAFT_LANG_URL": "",
    "DRAFT_LANG_SAVE_AS": "",
    "DRAFT_PAGE_LANG_URL": "",
    "DRAFT_PAGE_LANG_SAVE_AS": "",
    "SAFE_HTML": "trust_html",
}

DEFAULT_THEME = "gardarika"
DEFAULT_TIMEZONE = "Europe/Moscow"

# -- what a deploy target, a repository and a theme may name -----------------------------
#
# A town's file may be edited by its editors, and ``invoke deploy``/``invoke pull`` run
# ssh, rsync and git with its values. A value starting with "-" would be read as an
# option (``-oProxyCommand=…`` runs a command), a git "URL" may name a transport that
# runs one (``ext::sh -c …``), and a folder target may be any folder the maintainer can
# write. So each value is checked for its kind here, with a message for the editor; the
# commands are built so that a value is never an option (``--``, quoting), as a second
# line of defence (:mod:`gardarika.publish.deploy`, :mod:`gardarika.content.pull`).

#: a host name or an IPv4 address (letters, digits, "." and "-", not starting with "-"
#: or "."), or an IPv6 address in brackets
HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?"
    r"|\[[0-9A-Fa-f:.]{2,45}\])$"
)
#: a login name on the server
USER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$")
#: the name of a deploy target (``deploy: {web: …}``): it names a folder of the cache
DEPLOY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
#: a folder on the rsync server: characters no shell treats specially
REMOTE_PATH = re.compile(r"^(?:~/|/)?[A-Za-z0-9_+][A-Za-z0-9._+/-]*$")
S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
S3_WORD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
S3_ENDPOINT = re.compile(
    r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?"
    r"(?::[0-9]{1,5})?/?$"
)
#: git transports a repository may use; anything else (``ext::``, ``fd::``, a remote
#: helper) is refused, here and by ``GIT_ALLOW_PROTOCOL`` when git runs
GIT_PROTOCOLS = ("https", "ssh", "git", "file")
GIT_ALLOW_PROTOCOL = ":".join(GIT_PROTOCOLS)
_SCP_LIKE = re.compile(
    r"^(?:[A-Za-z0-9_][A-Za-z0-9._-]*@)?"
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?"
    r"|\[[0-9A-Fa-f:.]+\])"
    r":(?!-)[^\s:][^\s]*$"
)
#: names that lead to this machine whatever DNS says (RFC 6761, Debian's /etc/hosts)
LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
#: what git refuses in a branch name (``git check-ref-format --branch``)
_REF_BAD = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|//|@\{")
#: folders of the project a deploy must never write into, and why a dir target must lie
#: outside the project altogether: its own files are code (``gardarika/``, ``tasks.py``),
#: settings, other towns' texts and sites
PROJECT_FOLDERS = ("output", "content", "sites", "themes", "plugins", ".cache", ".git")
#: folders of the system a deploy or a key never lies in
#: (not ``/run``: sticks are mounted in ``/run/media`` on some systems)
SYSTEM_FOLDERS = (
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/proc",
    "/sbin",
    "/snap",
    "/sys",
    "/usr",
    "/var/cache",
    "/var/lib",
    "/var/log",
    "/var/spool",
)
#: folder names whose files the system or Python runs: a deploy never writes there
RUN_FOLDERS = (
    "bin",
    "sbin",
    "site-packages",
    "dist-packages",
    "autostart",
    "cron.d",
    "init.d",
    "systemd",
)

Reason = Message


def option_like(value: str) -> bool:
    """A value a command would take as an option (``-o…``, ``--upload-pack=…``)."""
    return value.lstrip().startswith("-")


def host_problem(value: Any) -> Reason | None:
    if not isinstance(value, str) or option_like(value) or not HOST.match(value):
        return Message(
            f"“{value}” is not a host name; write a name like deploy.example.org or an "
            "address like 192.0.2.10 (letters, digits, “.” and “-”, not starting "
            "with “-”).",
            f"«{value}» — не имя сервера; укажите имя вроде deploy.example.org или "
            "адрес вроде 192.0.2.10 (латинские буквы, цифры, «.» и «-», не в начале).",
        )
    return None


def user_problem(value: Any) -> Reason | None:
    if not isinstance(value, str) or not USER.match(value):
        return Message(
            f"“{value}” is not a login name; write one like deploy (letters, digits, "
            "“.”, “_” and “-”, not starting with “-”).",
            f"«{value}» — не имя пользователя; укажите, например, deploy (латинские "
            "буквы, цифры, «.», «_» и «-», не в начале).",
        )
    return None


def branch_problem(value: Any) -> Reason | None:
    """A branch name git takes as one (``git check-ref-format --branch``), never an
    option and never ``.`` (the current folder, which ``git pull`` reads as a path)."""
    text = value if isinstance(value, str) else ""
    parts = text.split("/")
    bad = (
        not text
        or len(text) > 200
        or option_like(text)
        or text == "@"
        or text.startswith("/")
        or text.endswith(("/", ".", ".lock"))
        or _REF_BAD.search(text) is not None
        or any(not part or part.startswith(".") or part.endswith(".lock") for part in parts)
    )
    if bad:
        return Message(
            f"“{value}” is not a branch name; write one like main or gh-pages (no "
            "spaces, “..”, “~^:?*[\\”, not starting with “-”, “.” or “/”).",
            f"«{value}» — не имя ветки; укажите, например, main или gh-pages (без "
            "пробелов, «..», «~^:?*[\\», не начиная с «-», «.» или «/»).",
        )
    return None


def _real(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(os.path.expanduser(os.fspath(path)))


def _outside_project(path: str, root: Path) -> bool:
    """``path`` (absolute) neither lies in the project nor contains it, as written and
    with every symbolic link followed."""
    project = _real(root)
    for form in (os.path.normpath(path), _real(path)):
        if is_inside(form, project) or is_inside(project, form):
            return False
    return True


def _local_repository_problem(
    path: str, root: Path, local_repositories: tuple[str, ...] | None
) -> Reason | None:
    if ".." in PurePosixPath(path).parts or not _outside_project(path, root):
        return Message(
            f"“{path}” lies in the project (or climbs with “..”): a town's "
            "repository is its own, never the network's repository or another town's "
            "folder.",
            f"«{path}» находится внутри проекта (или поднимается через «..»): "
            "репозиторий города — отдельный, а не репозиторий сети или папка другого "
            "города.",
        )
    if local_repositories is None:
        return None
    normal, real = os.path.normpath(path), _real(path)
    if any(
        is_inside(normal, folder) and is_inside(real, _real(folder))
        for folder in local_repositories
    ):
        return None
    allowed = ", ".join(local_repositories)
    return Message(
        f"“{path}” is a folder of this machine, and a town's repository is kept on a "
        "server (https://, ssh://, git:// or user@host:path): otherwise a town could "
        "publish any repository the building machine can read, or deploy into one. A "
        "local repository is used only inside a folder the maintainer lists under "
        "local_repositories in "
        f"sites/network.yaml ({'now: ' + allowed if allowed else 'none listed now'}).",
        f"«{path}» — папка этой машины, а репозиторий города хранится на сервере "
        "(https://, ssh://, git:// или user@host:путь): иначе город мог бы опубликовать "
        "любой репозиторий, который может прочитать собирающая машина, или публиковаться "
        "в него. Локальный репозиторий используется только в папке, которую "
        "администратор сети указал в "
        "local_repositories в sites/network.yaml ("
        f"{'сейчас: ' + allowed if allowed else 'сейчас там ничего нет'}).",
    )


def internal_host(host: str) -> bool:
    """``host`` (a name, an address, an IPv6 address in brackets) is this machine or a
    network only it can see: ``localhost`` and ``*.localhost``, this machine's own name,
    or an address that is not a global one (loopback, private, link-local, unspecified,
    reserved, shared, multicast), written in any form the system's resolver reads as an
    address (``127.1``, ``0x7f000001``, ``[::ffff:127.0.0.1]``).

    Only what is written is judged: a name a DNS server answers with such an address is
    not caught (which is why a pull also runs without the maintainer's credentials)."""
    name = host.strip().removeprefix("[").removesuffix("]").rstrip(".").lower()
    if not name or name in LOCAL_NAMES or name.endswith(".localhost"):
        return True
    with contextlib.suppress(OSError):
        here = socket.gethostname().rstrip(".").lower()
        if here and name in (here, here.split(".")[0]):
            return True
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    try:
        address = ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        # inet_aton reads "127.1", "0177.0.0.1" and "2130706433" as 127.0.0.1, and so
        # does the resolver git asks
        if re.fullmatch(r"[0-9a-fx.]+", name):
            with contextlib.suppress(OSError):
                address = ipaddress.IPv4Address(socket.inet_aton(name))
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def repository_host(url: str) -> str | None:
    """The server a repository address names (``None`` for a folder of this machine or
    an address that names none)."""
    if repository_is_local(url):
        return None
    scheme = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url)
    if scheme:
        return _server(url[scheme.end() :])
    scp = _SCP_LIKE.match(url)
    return scp.group("host") if scp else None


def _internal_host_problem(host: str) -> Reason:
    shown = visible(host)
    return Message(
        f"“{shown}” is this machine or a server of a private network (localhost, this "
        "machine's name, a loopback, private, link-local or reserved address): "
        "“invoke pull” would read from it what only the building machine may read, "
        "and publish it. A town's repository is on a public server. A repository on "
        "this machine is used only inside a folder the maintainer lists under "
        "local_repositories in sites/network.yaml; a server of the local network only "
        "for a town the maintainer lists under pull_with_credentials there.",
        f"«{shown}» — эта машина или сервер частной сети (localhost, имя этой машины, "
        "адрес обратной петли, частный, локальный для канала или зарезервированный "
        "адрес): «invoke pull» прочитал бы с него то, что может читать только "
        "собирающая машина, и опубликовал бы это. Репозиторий города хранится на "
        "общедоступном сервере. Репозиторий на этой машине используется только в "
        "папке, которую администратор сети указал в local_repositories в "
        "sites/network.yaml, а сервер локальной сети — только для города, который "
        "администратор указал там в pull_with_credentials.",
    )


def repository_is_local(url: str) -> bool:
    """``url`` names a folder of this machine (git's ``file`` transport)."""
    return url.startswith("/") or url[:7].lower() == "file://"


#: the part of a server address between ``scheme://`` and the first ``/``, as git and
#: ssh read it: an optional user, a host name or ``[IPv6]`` address, an optional port
_AUTHORITY = re.compile(
    r"(?:(?P<user>[^@:/?#%\[\]]+)@)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[^@:/?#%\[\]]+)(?::(?P<port>\d{1,5}))?"
)


def _server(rest: str) -> str | None:
    """The host of a server address after its ``scheme://``, or ``None`` when it is not
    written plainly. Judged as git and ssh read it, not as a URL parser does: git ends
    the server part at the first ``/`` and ssh takes the host after the last ``@``, so
    ``evil.example#@127.0.0.1`` is 127.0.0.1 to ssh while ``urlsplit`` sees
    evil.example. So ``?``, ``#``, ``%`` (git decodes it), a password and a second
    ``@`` are refused outright."""
    if any(c in rest for c in "?#%"):
        return None
    authority = rest.split("/", 1)[0]
    found = _AUTHORITY.fullmatch(authority)
    if not found:
        return None
    host, user, port = found.group("host"), found.group("user"), found.group("port")
    if host_problem(host) and host_problem(host.strip("[]")):
        return None
    if (user is not None and user_problem(user)) or (port is not None and port_problem(int(port))):
        return None
    return host.strip("[]")


def repository_problem(
    value: Any,
    root: Path,
    local_repositories: tuple[str, ...] | None = None,
    internal_hosts: bool = True,
) -> Reason | None:
    """A git repository address: ``https://``, ``ssh://``, ``git://``, the short ssh
    form ``user@host:path``, or a folder of this machine (absolute, or ``file://``)
    outside the project. Never an option (``--upload-pack=…``) and never a transport
    helper (``ext::…``).

    ``local_repositories``: the folders a local repository may lie in (what a town's
    ``repository`` may pull from: ``local_repositories`` of ``network.yaml``); ``None``
    accepts any folder outside the project (a ``git`` deploy target, which is pushed
    to). ``internal_hosts``: a server may be this machine or one of a private network
    (:func:`internal_host`); a town's ``repository`` may name one only when the town
    is listed in ``pull_with_credentials`` of ``network.yaml``."""
    usage = Message(
        "write it like https://git.example.org/vyborg.git or git@git.example.org:vyborg.git",
        "пишите так: https://git.example.org/vyborg.git или git@git.example.org:vyborg.git",
    )
    text = value if isinstance(value, str) else ""
    if not text or option_like(text) or any(c.isspace() or not c.isprintable() for c in text):
        return Message(
            f"“{value}” is not a repository address (it is empty, starts with “-” or "
            f"holds a space or an invisible character); {usage[0]}.",
            f"«{value}» — не адрес репозитория (пустой, начинается с «-» или содержит "
            f"пробел или невидимый символ); {usage[1]}.",
        )
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", text)
    if scheme:
        name = scheme.group(1).lower()
        if name not in GIT_PROTOCOLS:
            return Message(
                f"“{name}://” is not a transport Gardarika uses; {usage[0]} "
                f"(https, ssh, git or file).",
                f"«{name}://» — не поддерживаемый способ доступа; {usage[1]} "
                "(https, ssh, git или file).",
            )
        if name == "file":
            # git reads the rest as a path, "?", "#" and "%" included: judge that path,
            # not what a URL parser makes of it (…/x#/../../private.git)
            rest = text[len("file://") :]
            host, slash, path = rest.partition("/")
            if host not in ("", "localhost") or not slash or any(c in path for c in "?#%"):
                return Message(
                    f"“{value}”: a file:// address names a folder of this machine, "
                    "like file:///srv/git/vyborg.git (written plainly, without "
                    "“?”, “#” or “%”).",
                    f"«{value}»: адрес file:// называет папку этой машины, например "
                    "file:///srv/git/vyborg.git (обычными символами, без «?», «#» и "
                    "«%»).",
                )
            return _local_repository_problem("/" + path, root, local_repositories)
        host = _server(text[len(scheme.group(0)) :])
        if not host:
            return Message(
                f"“{value}” does not name a server plainly (a host name or address, "
                "optionally a user before “@” and a port; no password, “?”, “#” or "
                f"“%”); {usage[0]}.",
                f"«{value}» не называет сервер простым образом (имя или адрес сервера, "
                "при необходимости пользователь перед «@» и порт; без пароля, «?», «#» "
                f"и «%»); {usage[1]}.",
            )
        if not internal_hosts and internal_host(host):
            return _internal_host_problem(host)
        return None
    if "::" in text.split("/", 1)[0]:
        return Message(
            f"“{value}” asks git for a transport helper (“…::”), which can run "
            f"commands; {usage[0]}.",
            f"«{value}» просит git о вспомогательной программе доступа («…::»), "
            f"которая может выполнять команды; {usage[1]}.",
        )
    if text.startswith("/"):
        return _local_repository_problem(text, root, local_repositories)
    scp = _SCP_LIKE.match(text)
    if scp:
        if not internal_hosts and internal_host(scp.group("host")):
            return _internal_host_problem(scp.group("host"))
        return None
    return Message(
        f"“{value}” is not a repository address; {usage[0]}.",
        f"«{value}» — не адрес репозитория; {usage[1]}.",
    )


def _nearest_existing(path: str) -> str:
    while not os.path.lexists(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    return path


def dir_target_problem(value: Any, root: Path) -> Reason | None:
    """A folder a ``dir`` target writes the town's files into.

    It lies outside the project (whose ``output/``, ``content/``, ``sites/``, themes,
    plugins and code a town's files must never replace), is not the home folder, not a
    hidden folder (``~/.config``, ``~/.ssh``: settings programs run), not a folder of the
    system or one whose files are run (``bin``, ``site-packages``, ``autostart``), and
    not in a folder all users of the machine share (``/tmp``), where another user could
    have put a symbolic link. Written as an absolute path or below ``~/``.
    """
    text = value.strip() if isinstance(value, str) else ""
    usage = Message(
        "write a folder outside the project, like /media/stick/vyborg or ~/www/vyborg",
        "укажите папку вне проекта, например /media/stick/vyborg или ~/www/vyborg",
    )
    if not text or option_like(text) or not text.isprintable() or "\\" in text:
        return Message(
            f"“{value}” is not a folder; {usage[0]}.", f"«{value}» — не папка; {usage[1]}."
        )
    if text.startswith("~") and not (text == "~" or text.startswith("~/")):
        return Message(
            f"“{value}” names another user's home folder; {usage[0]}.",
            f"«{value}» называет домашнюю папку другого пользователя; {usage[1]}.",
        )
    path = os.path.expanduser(text)
    if not os.path.isabs(path):
        return Message(
            f"“{value}” is a folder inside the project (a relative path); {usage[0]}.",
            f"«{value}» — папка внутри проекта (относительный путь); {usage[1]}.",
        )
    if ".." in PurePosixPath(text).parts:
        return Message(
            f"“{value}” climbs with “..”; {usage[0]}.",
            f"«{value}» поднимается через «..»; {usage[1]}.",
        )
    real = _real(path)
    if hidden_part(path) or hidden_part(real):
        return Message(
            f"“{value}” is a hidden folder (its name or a folder above it starts with "
            f"a dot, like ~/.config): programs keep their settings there; {usage[0]}.",
            f"«{value}» — скрытая папка (её имя или имя папки выше начинается с точки, "
            f"как ~/.config): там программы хранят настройки; {usage[1]}.",
        )
    if not _outside_project(path, root):
        return Message(
            f"“{value}” is in the project, or contains it: a deploy would write the "
            f"town's files over the project's own (other towns' sites, settings, "
            f"code); {usage[0]}.",
            f"«{value}» находится в проекте или содержит его: публикация записала бы "
            f"файлы города поверх файлов проекта (сайтов других городов, настроек, "
            f"кода); {usage[1]}.",
        )
    home = _real("~")
    for form in (os.path.normpath(path), real):
        if is_inside(home, form):
            return Message(
                f"“{value}” is the home folder (or contains it); {usage[0]}.",
                f"«{value}» — домашняя папка (или содержит её); {usage[1]}.",
            )
        if any(is_inside(form, system) for system in SYSTEM_FOLDERS) or any(
            part in RUN_FOLDERS for part in PurePosixPath(form).parts
        ):
            return Message(
                f"“{value}” is a folder of the system, or one whose files are run; {usage[0]}.",
                f"«{value}» — системная папка или папка, файлы которой запускаются; {usage[1]}.",
            )
    try:
        mode = os.stat(_nearest_existing(real)).st_mode
    except OSError:
        mode = 0
    # a shared temporary folder (world-writable and sticky, like /tmp); a stick mounted
    # for everyone (FAT, mode 777, not sticky) holds no symbolic links and stays usable
    if mode & stat.S_IWOTH and mode & stat.S_ISVTX:
        return Message(
            f"“{value}” is in a folder every user of this machine shares (like /tmp), "
            f"where another one could have put a link; {usage[0]}.",
            f"«{value}» — в папке, общей для всех пользователей машины (как /tmp), и "
            f"кто-то другой мог положить туда ссылку; {usage[1]}.",
        )
    return None


def identity_problem(value: Any, root: Path) -> Reason | None:
    """An ssh key file: an absolute path or below ``~/``, outside the project (keys are
    never committed) and outside the system's folders."""
    text = value.strip() if isinstance(value, str) else ""
    path = os.path.expanduser(text) if text.startswith("~/") else text
    if (
        not text
        or option_like(text)
        or not text.isprintable()
        or "\\" in text
        or not os.path.isabs(path)
        or ".." in PurePosixPath(text).parts
        or not _outside_project(path, root)
        or any(is_inside(_real(path), system) for system in SYSTEM_FOLDERS)
    ):
        return Message(
            f"“{value}” is not a key file outside the project; write the path of the "
            "ssh key kept on the deploying machine, like ~/.ssh/vyborg_deploy.",
            f"«{value}» — не файл ключа вне проекта; укажите путь к ключу ssh на "
            "машине, которая публикует, например ~/.ssh/vyborg_deploy.",
        )
    return None


def remote_path_problem(value: Any) -> Reason | None:
    """A folder on the rsync server: absolute or below the login's home (``~/www``),
    written with characters no shell treats specially, no ``..``, no hidden folder
    (``~/.ssh``), not a folder of the system."""
    text = value if isinstance(value, str) else ""
    rest = text[2:] if text.startswith("~/") else text
    if (
        not REMOTE_PATH.match(text)
        or ".." in rest.split("/")
        or hidden_part(rest)
        or not rest.strip("/")
        or any(
            is_inside(posixpath.normpath(text), system)
            for system in SYSTEM_FOLDERS
            if text.startswith("/")
        )
        or any(part in RUN_FOLDERS for part in rest.split("/"))
    ):
        return Message(
            f"“{value}” is not a web folder on the server; write one like "
            "/var/www/vyborg or ~/www/vyborg (letters, digits, “._+-/”, no “..”, no "
            "hidden or system folder).",
            f"«{value}» — не папка сайта на сервере; укажите, например, /var/www/vyborg "
            "или ~/www/vyborg (латинские буквы, цифры, «._+-/», без «..», без скрытых "
            "и системных папок).",
        )
    return None


def port_problem(value: Any) -> Reason | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        return Message(
            f"“{value}” is not a port; write a whole number from 1 to 65535, like 22.",
            f"«{value}» — не порт; укажите целое число от 1 до 65535, например 22.",
        )
    return None


def _matches(pattern: re.Pattern[str], what: Message) -> Callable[[Any], Reason | None]:
    def check(value: Any) -> Reason | None:
        if isinstance(value, str) and pattern.match(value) and not option_like(value):
            return None
        return Message(f"“{value}” is not {what[0]}.", f"«{value}» — не {what[1]}.")

    return check


def _s3_prefix(value: Any) -> Reason | None:
    text = value if isinstance(value, str) else None
    if text is None or (
        text
        and (path_problem(text) or hidden_part(text) or not re.fullmatch(r"[A-Za-z0-9._/-]*", text))
    ):
        return Message(
            f"“{value}” is not a folder in the bucket; write one like vyborg or sites/vyborg.",
            f"«{value}» — не папка в хранилище; укажите, например, vyborg или sites/vyborg.",
        )
    return None


#: each deploy type: its keys and how each value is judged (``root`` is the project)
DEPLOY_KEYS: dict[str, dict[str, Callable[[Any, Path], Reason | None]]] = {
    "dir": {"path": dir_target_problem},
    "rsync": {
        "host": lambda v, _: host_problem(v),
        "path": lambda v, _: remote_path_problem(v),
        "user": lambda v, _: user_problem(v),
        "port": lambda v, _: port_problem(v),
        "identity": identity_problem,
    },
    "s3": {
        "bucket": lambda v, _: _matches(
            S3_BUCKET, Message("a bucket name, like towns", "имя хранилища, например towns")
        )(v),
        "prefix": lambda v, _: _s3_prefix(v),
        "endpoint": lambda v, _: _matches(
            S3_ENDPOINT,
            Message(
                "a storage address, like https://storage.yandexcloud.net",
                "адрес хранилища, например https://storage.yandexcloud.net",
            ),
        )(v),
        "region": lambda v, _: _matches(
            S3_WORD, Message("a region, like ru-central1", "регион, например ru-central1")
        )(v),
        "profile": lambda v, _: _matches(
            S3_WORD, Message("a profile name, like vyborg", "имя профиля, например vyborg")
        )(v),
    },
    "git": {
        "repository": lambda v, root: repository_problem(v, root, network_local_repositories(root)),
        "branch": lambda v, _: branch_problem(v),
    },
}


# -- themes ------------------------------------------------------------------------------

#: a theme is named by its folder in ``themes/``: one plain name, never a path
THEME_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: folders of the project that editors or builds write: a theme (templates are code)
#: must never come from them, even through a symbolic link
WRITTEN_FOLDERS = ("content", "sites", "output", ".cache", "dist")
#: entries of a theme looked at for symbolic links (a theme has a few dozen files)
_THEME_WALK_LIMIT = 5000


def theme_leak(folder: Path, root: Path) -> str | None:
    """The first path of the theme ``folder`` (itself included) whose symbolic links lead
    into a folder editors or builds write (``content/``, ``sites/``, ``output/``…), or
    ``None``. The theme's own files are followed as Jinja would follow them."""
    areas = [_real(root / name) for name in WRITTEN_FOLDERS]

    def leaks(path: str) -> bool:
        real = os.path.realpath(path)
        return any(is_inside(real, area) or is_inside(area, real) for area in areas)

    if leaks(str(folder)):
        return str(folder)
    seen: set[str] = set()
    count = 0
    for current, dirs, files in os.walk(folder, followlinks=True):
        real_current = os.path.realpath(current)
        if real_current in seen:
            dirs[:] = []
            continue
        seen.add(real_current)
        for name in dirs + files:
            count += 1
            path = os.path.join(current, name)
            if os.path.islink(path) and leaks(path):
                return path
        if count > _THEME_WALK_LIMIT:
            break
    return None


@dataclass(frozen=True)
class Town:
    """One town's validated settings."""

    id: str
    file: Path
    name: dict[str, str]
    languages: tuple[str, ...]
    content: Path
    theme: str = DEFAULT_THEME
    timezone: str = DEFAULT_TIMEZONE
    description: dict[str, str] = field(default_factory=dict)
    contacts: dict[str, Any] = field(default_factory=dict)
    neighbours: tuple[str, ...] = ()
    base_url: str | None = None
    deploy: dict[str, dict[str, Any]] = field(default_factory=dict)
    repository: dict[str, str] | None = None
    pelican: dict[str, Any] = field(default_factory=dict)
    editors: tuple[str, ...] = ()
    #: metadata keys the town's texts may use besides the standard ones (its theme
    #: shows them); any other unknown key is reported as a likely misspelling
    metadata_keys: tuple[str, ...] = ()
    #: raw HTML in content is kept as written (not cleaned, not reported)
    trust_html: bool = False
    #: the town's picture on the network's portal: a path in its content folder
    image: str | None = None
    #: the line of each key in the file, for messages found after loading
    key_lines: dict[tuple[str | int, ...], int] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def default_language(self) -> str:
        return self.languages[0]


@dataclass(frozen=True)
class NetworkConfig:
    """Network-wide settings from ``sites/network.yaml`` (all optional)."""

    name: dict[str, str] = field(default_factory=lambda: {"ru": "Гардарика", "en": "Gardarika"})
    description: dict[str, str] = field(default_factory=dict)
    order: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("ru", "en")
    theme: str = DEFAULT_THEME
    #: folders of this machine a town's repository may be pulled from (absolute, outside
    #: the project); a town's repository is otherwise on a server
    local_repositories: tuple[str, ...] = ()
    #: towns whose pull runs git with the maintainer's credentials and may reach a server
    #: of this machine's network; any other town's pull uses none of them
    pull_with_credentials: tuple[str, ...] = ()
    #: towns whose raw HTML is published as written (scripts too): the maintainer's
    #: decision, never a town's own file's
    trust_html: tuple[str, ...] = ()
    #: where the portal is published on the web: the network's feeds need it
    base_url: str | None = None


@dataclass
class Network:
    """Everything under ``sites/``: the network, the valid towns, and what was wrong."""

    root: Path
    config: NetworkConfig
    towns: dict[str, Town]
    problems: list[Problem]
    #: town ids whose settings file has errors (they are not built)
    broken: list[str]

    def ordered_ids(self) -> list[str]:
        """Town ids in portal order: ``order`` from network.yaml first, then by id."""
        first = [t for t in self.config.order if t in self.towns]
        return first + sorted(t for t in self.towns if t not in first)

    def choose(
        self,
        asked: Iterable[str] | None,
        default: Iterable[str] | None = None,
        broken: bool = False,
    ) -> list[str]:
        """The towns a command was asked for, in portal order (each once), or
        ``default`` (every town) when none was asked. Every asked town is checked before
        the command does anything: :class:`UnknownTown` names each one that does not
        exist and the towns there are. With ``broken``, a town whose settings file has
        errors counts as one (the command reports it); else it is unknown here."""
        known = self.ordered_ids() + (self.broken if broken else [])
        wanted = [name.strip() for name in asked or () if name.strip()]
        if not wanted:
            return list(default) if default is not None else known
        unknown = list(dict.fromkeys(n for n in wanted if n not in known))
        if unknown:
            # a town whose settings file has errors is not missing: say what is wrong
            broken = [n for n in unknown if n in self.broken]
            found = [p for p in self.problems if any(p.file == f"sites/{n}.yaml" for n in broken)]
            raise UnknownTown([n for n in unknown if n not in broken], broken, known, found)
        return [town for town in known if town in wanted]


class UnknownTown(GardarikaError):
    """A command asked for towns that are not in ``sites/`` (``missing``) or whose
    settings file has errors (``broken``, with its ``problems``); nothing was done."""

    def __init__(
        self, missing: list[str], broken: list[str], known: list[str], problems: list[Problem]
    ) -> None:
        there = ", ".join(sorted(known)) or "none / нет"
        said = list(problems)
        if missing:
            names = ", ".join(missing)
            files = ", ".join(f"sites/{name}.yaml" for name in missing)
            said.append(
                Problem(
                    file="sites/",
                    en=f"there is no town {names} (no {files}); nothing was done. Towns: {there}.",
                    ru=f"города {names} нет (нет {files}); ничего не сделано. Есть: {there}.",
                )
            )
        for name in broken:
            said.append(
                Problem(
                    file=f"sites/{name}.yaml",
                    en=f"the settings of town {name} have errors (above); nothing was done. "
                    "Fix them first.",
                    ru=f"в настройках города {name} ошибки (выше); ничего не сделано. "
                    "Сначала исправьте их.",
                )
            )
        super().__init__(said)


class _Checker:
    """Collects the problems of one YAML file while its keys are read."""

    def __init__(self, doc: YamlDocument, shown_as: str):
        self.doc = doc
        self.file = shown_as
        self.problems: list[Problem] = []

    def add(self, path: tuple[str | int, ...], message: Message) -> None:
        self.problems.append(
            Problem(
                file=self.file,
                line=self.doc.line(*path),
                key=".".join(str(p) for p in path) or None,
                en=message.en,
                ru=message.ru,
            )
        )

    def text(self, path: tuple[str | int, ...], value: Any, limit: int = 0) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.add(path, Message("this must be a text.", "здесь должен быть текст."))
            return None
        text = str(value).strip()
        if not text:
            self.add(
                path,
                Message(
                    "this text is empty; write something or remove the key.",
                    "текст пустой; впишите его или удалите ключ.",
                ),
            )
            return None
        if _CONTROL.search(text):
            self.add(
                path,
                Message(
                    f"“{visible(text)}” has an invisible control character, which pages "
                    "and feeds cannot show; retype the text without it.",
                    f"в «{visible(text)}» есть невидимый управляющий символ, который "
                    "страницы и ленты новостей показать не могут; наберите текст заново "
                    "без него.",
                ),
            )
            return None
        if limit and len(text) > limit:
            self.add(
                path,
                Message(
                    f"this text has {len(text)} characters; it shows in the title of every "
                    f"page, so it may have at most {limit}. Write it shorter and put the "
                    "rest in the description.",
                    f"в этом тексте {len(text)} знаков; он виден в заголовке каждой "
                    f"страницы, поэтому в нём может быть не больше {limit}. Сократите его, "
                    "а остальное напишите в описании (description).",
                ),
            )
            return None
        return text

    def texts(
        self,
        path: tuple[str, ...],
        value: Any,
        languages: tuple[str, ...],
        required: bool,
        limit: int = 0,
    ) -> dict[str, str]:
        """A text per language: either ``{ru: ..., en: ...}`` or one text for all;
        ``limit``: the most characters one may have (0: no limit)."""
        if isinstance(value, dict):
            result: dict[str, str] = {}
            for lang, text in value.items():
                if lang not in languages:
                    self.add(
                        (*path, lang),
                        Message(
                            f"“{lang}” is not one of this file's languages "
                            f"({', '.join(languages)}); fix the code or add the language.",
                            f"«{lang}» нет в списке языков этого файла "
                            f"({', '.join(languages)}); исправьте код или добавьте язык.",
                        ),
                    )
                    continue
                checked = self.text((*path, lang), text, limit)
                if checked:
                    result[lang] = checked
            missing = [lang for lang in languages if lang not in value]
            if required and missing:
                self.add(
                    path,
                    Message(
                        f"no text for {', '.join(missing)}; add a line "
                        f"“  {missing[0]}: …” under “{path[-1]}”.",
                        f"нет текста для {', '.join(missing)}; добавьте строку "
                        f"«  {missing[0]}: …» под «{path[-1]}».",
                    ),
                )
            return result
        if required:
            self.add(
                path,
                Message(
                    "write one entry per language, for example:  ru: Выборг  /  en: Vyborg "
                    "(each on its own line, indented).",
                    "укажите по строке на каждый язык, например:  ru: Выборг  /  "
                    "en: Vyborg (каждая на своей строке, с отступом).",
                ),
            )
            return {}
        text = self.text(path, value, limit)
        return dict.fromkeys(languages, text) if text else {}

    def mapping(self, path: tuple[str, ...], value: Any) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(
                path,
                Message(
                    "this must be a group of “key: value” lines, indented below it.",
                    "здесь должна быть группа строк «ключ: значение» с отступом.",
                ),
            )
            return None
        return value

    def unknown_keys(
        self, path: tuple[str, ...], data: dict[str, Any], known: tuple[str, ...]
    ) -> None:
        for key in data:
            if key in known:
                continue
            guess = difflib.get_close_matches(str(key), known, n=1)
            hint_en = f" Did you mean “{guess[0]}”?" if guess else ""
            hint_ru = f" Может быть, имелось в виду «{guess[0]}»?" if guess else ""
            self.add(
                (*path, key),
                Message(
                    f"unknown key.{hint_en} Known keys: {', '.join(known)}.",
                    f"неизвестный ключ.{hint_ru} Допустимые ключи: {', '.join(known)}.",
                ),
            )


def _languages(check: _Checker, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        check.add(
            ("languages",),
            Message(
                "write a list of language codes, default first, e.g. “languages: [ru, en]”.",
                "укажите список кодов языков, основной первым, например «languages: [ru, en]».",
            ),
        )
        return ()
    result: list[str] = []
    for i, code in enumerate(value):
        if not isinstance(code, str) or not LANG_CODE.match(code):
            check.add(
                ("languages", i),
                Message(
                    f"“{code}” is not a language code; use two lower-case letters such as "
                    "ru, en or fi.",
                    f"«{code}» — не код языка; используйте две строчные латинские буквы, "
                    "например ru, en или fi.",
                ),
            )
            continue
        try:
            Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            check.add(
                ("languages", i),
                Message(f"unknown language code “{code}”.", f"неизвестный код языка «{code}»."),
            )
            continue
        if code in result:
            check.add(
                ("languages", i),
                Message(
                    f"“{code}” is listed twice; keep it once.",
                    f"«{code}» указан дважды; оставьте один раз.",
                ),
            )
            continue
        result.append(code)
    return tuple(result)


def _timezone(check: _Checker, value: Any) -> str:
    text = check.text(("timezone",), value)
    if text is None:
        return DEFAULT_TIMEZONE
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        check.add(
            ("timezone",),
            Message(
                f"unknown time zone “{text}”; use a name like Europe/Moscow or Asia/Yekaterinburg.",
                f"неизвестный часовой пояс «{text}»; укажите название вроде Europe/Moscow "
                "или Asia/Yekaterinburg.",
            ),
        )
        return DEFAULT_TIMEZONE
    return text


def _theme(check: _Checker, value: Any, root: Path, key: str = "theme") -> str:
    """A folder directly in ``themes/``, named plainly. Templates are code (Jinja can
    reach Python), so a theme must be the maintainer's: a name with a path in it
    (``../content/town/files/t``) is refused, and so is a theme any of whose files leads
    through a symbolic link into a folder editors or builds write (``content/``...).
    A link to a theme elsewhere on the machine (one installed with Pelican) is fine."""
    text = check.text((key,), value)
    if text is None:
        return DEFAULT_THEME
    themes = root / "themes"
    known = sorted(
        p.name for p in themes.glob("*") if THEME_NAME.match(p.name) and (p / "templates").is_dir()
    )
    if not THEME_NAME.match(text):
        check.add(
            (key,),
            Message(
                f"“{text}” is not the name of a theme: write the name of a folder in "
                "themes/ (lower-case Latin letters, digits, “-” and “_”, starting with a "
                f"letter or digit; no “/” or “.”), one of: {', '.join(known)}.",
                f"«{text}» — не название темы: укажите имя папки из themes/ (строчные "
                "латинские буквы, цифры, «-» и «_», в начале буква или цифра; без «/» и "
                f"«.»), одно из: {', '.join(known)}.",
            ),
        )
        return DEFAULT_THEME
    if not (themes / text / "templates").is_dir():
        check.add(
            (key,),
            Message(
                f"there is no theme “{text}” in themes/ (available: {', '.join(known)}).",
                f"в папке themes/ нет темы «{text}» (есть: {', '.join(known)}).",
            ),
        )
        return DEFAULT_THEME
    leak = theme_leak(themes / text, root)
    if leak is not None:
        link = Path(leak)
        shown = f"{os.path.relpath(link, root)} → {display_path(link, root)}"
        check.add(
            (key,),
            Message(
                f"the theme “{text}” leads through a symbolic link ({shown}) into a "
                "folder that editors or builds write (content/, sites/, output/…). A "
                "theme's templates are code: keep the whole theme in themes/.",
                f"тема «{text}» ведёт по символической ссылке ({shown}) в папку, куда "
                "пишут редакторы или сборка (content/, sites/, output/…). Шаблоны темы — "
                "это код: держите всю тему в themes/.",
            ),
        )
        return DEFAULT_THEME
    return text


@dataclass(frozen=True)
class _Clash(Problem):
    """A town's content folder that is another town's: ``others`` are the other towns'
    settings files, which get a warning naming this one."""

    others: tuple[str, ...] = ()


def _overlap(a: str, b: str) -> bool:
    """Two folders are the same or one holds the other, letters compared without regard
    to case: on a stick (FAT32, exFAT), on macOS and on Windows ``Vyborg`` is
    ``vyborg``."""
    a, b = a.casefold(), b.casefold()
    return is_inside(a, b) or is_inside(b, a)


def _owns(folder: Path, root: Path, town: str) -> bool:
    """``folder`` is the town's own default folder ``content/<town>``, really there."""
    return folder == root / "content" / town and _real(folder) == os.path.join(
        _real(root / "content"), town
    )


def _content(check: _Checker, value: Any, root: Path, town: str, pulled: bool = False) -> Path:
    """The town's content folder: ``content/<town>`` or another folder in ``content/``.
    ``pulled``: the town has a repository of its own, whose clone ``invoke pull`` makes,
    so the folder may be missing (a fresh clone of the network never has it: git keeps
    no empty folder); where it would be is checked all the same.

    The build reads and publishes everything in it, so it must be the town's own: a
    relative path in ``content/`` (``sites``, ``.git`` or another town's folder would
    publish settings, the project's history or that town's drafts), without ``..`` or a
    hidden folder, whose real path (symbolic links followed) stays in ``content/``, and
    which neither is, holds nor lies in the folder of a town that has a settings file.
    (Two towns that both name folders of their own choosing are compared in
    :func:`load_network`.)
    """
    base = root / "content"
    usage = Message(
        f"write a folder inside the project's content/ folder, like content/{town}",
        f"укажите папку внутри папки content/ проекта, например content/{town}",
    )
    if value is None:
        folder = base / town
        if not folder.is_dir() and not (pulled and not os.path.lexists(folder)):
            check.add(
                (),
                Message(
                    f"the content folder content/{town}/ does not exist; create it "
                    "(or set “content:” to the town's folder).",
                    f"папки с материалами content/{town}/ нет; создайте её (или укажите "
                    "папку в ключе «content:»).",
                ),
            )
            return folder
        shown = ()
    else:
        text = check.text(("content",), value)
        if text is None:
            return base / town
        if not text.isprintable():  # 8-bit controls, bidi overrides, zero-width marks
            check.add(
                ("content",),
                Message(
                    f"“{visible(text)}” has an invisible character, which would make the "
                    f"folder's name read otherwise than it is; {usage[0]}.",
                    f"в «{visible(text)}» есть невидимый символ, из-за которого имя "
                    f"папки читалось бы не так, как есть; {usage[1]}.",
                ),
            )
            return base / town
        parts = PurePosixPath(text).parts
        if path_problem(text) or ".." in parts or option_like(text):
            check.add(
                ("content",),
                Message(
                    f"“{text}” leads out of the project; {usage[0]}.",
                    f"«{text}» ведёт за пределы проекта; {usage[1]}.",
                ),
            )
            return base / town
        if hidden_part(text):
            check.add(
                ("content",),
                Message(
                    f"“{text}” is a hidden folder (like .git); {usage[0]}.",
                    f"«{text}» — скрытая папка (как .git); {usage[1]}.",
                ),
            )
            return base / town
        if len(parts) < 2 or parts[0] != "content":
            check.add(
                ("content",),
                Message(
                    f"“{text}” is not a folder inside content/ (it would "
                    f"publish what is in it, such as settings or other towns' texts); "
                    f"{usage[0]}.",
                    f"«{text}» — не папка внутри content/ (опубликовалось бы всё, что в "
                    f"ней, например настройки или тексты других городов); {usage[1]}.",
                ),
            )
            return base / town
        folder = root.joinpath(*parts)
        if not folder.is_dir() and not (pulled and not os.path.lexists(folder)):
            check.add(
                ("content",), Message(f"the folder {text} does not exist.", f"папки {text} нет.")
            )
            return folder
        shown = ("content",)
    real = _real(folder)
    real_base = _real(base)
    if not is_inside(real, real_base) or real == real_base:
        check.add(
            shown,
            Message(
                f"{display_path(folder, root)} is a symbolic link leading out of content/; "
                f"{usage[0]}.",
                f"{display_path(folder, root)} — символическая ссылка за пределы content/; "
                f"{usage[1]}.",
            ),
        )
        return folder
    if _owns(folder, root, town):
        return folder
    for other in sorted(root.glob("sites/*.y*ml")):
        if other.stem in (town, "network") or other.suffix not in (".yaml", ".yml"):
            continue
        if _overlap(real, _real(base / other.stem)):
            theirs = f"sites/{other.name}"
            check.problems.append(
                _Clash(
                    file=check.file,
                    line=check.doc.line(*shown),
                    key=".".join(shown) or None,
                    en=f"{display_path(folder, root)} is, holds or lies in content/"
                    f"{other.stem}, the folder of the town “{other.stem}” ({theirs}); "
                    f"{usage[0]}.",
                    ru=f"{display_path(folder, root)} совпадает с content/{other.stem} — папкой "
                    f"города «{other.stem}» ({theirs}), содержит её или лежит в ней; "
                    f"{usage[1]}.",
                    others=(theirs,),
                )
            )
            break
    return folder


def _contacts(check: _Checker, value: Any, languages: tuple[str, ...]) -> dict[str, Any]:
    data = check.mapping(("contacts",), value)
    if data is None:
        return {}
    check.unknown_keys(("contacts",), data, ("email", "phone", "address"))
    result: dict[str, Any] = {}
    for key in ("email", "phone"):
        if key in data:
            text = check.text(("contacts", key), data[key])
            if text:
                result[key] = text
    if "email" in result and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", result["email"]):
        check.add(
            ("contacts", "email"),
            Message(
                f"“{result['email']}” does not look like an e-mail address.",
                f"«{result['email']}» не похоже на адрес электронной почты.",
            ),
        )
    if "address" in data:
        result["address"] = check.texts(
            ("contacts", "address"), data["address"], languages, required=False
        )
    return result


def _neighbours(check: _Checker, value: Any, key: str = "neighbours") -> tuple[str, ...]:
    """A list of town ids (``neighbours``, and ``order`` or ``pull_with_credentials`` of
    ``network.yaml``)."""
    if not isinstance(value, list):
        check.add(
            (key,),
            Message(
                f"write a list of town ids, e.g. “{key}: [kargopol]”.",
                f"укажите список названий файлов городов, например «{key}: [kargopol]».",
            ),
        )
        return ()
    result = []
    for i, town in enumerate(value):
        if not isinstance(town, str) or not TOWN_ID.match(town):
            check.add(
                (key, i),
                Message(
                    f"“{town}” is not a town id (the name of a file in sites/ without .yaml).",
                    f"«{town}» — не название города (имя файла в sites/ без .yaml).",
                ),
            )
        else:
            result.append(town)
    return tuple(result)


#: a web address written plainly: http(s), a host name (letters, digits, "-", ".", or
#: an IDN in its xn-- form), an optional port and a path of safe characters. It is
#: printed into every feed and into the 404 page's <base href>, so nothing that could
#: close the attribute or name another scheme may be in it.
BASE_URL = re.compile(
    r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?"
    r"(?:/[A-Za-z0-9._~%/-]*)?$"
)


def _base_url(check: _Checker, value: Any) -> str | None:
    text = check.text(("base_url",), value)
    if text and not BASE_URL.match(text):
        check.add(
            ("base_url",),
            Message(
                f"“{text}” is not a web address; write it like https://vyborg.example.org",
                f"«{text}» — не веб-адрес; пишите так: https://vyborg.example.org",
            ),
        )
        return None
    return text.rstrip("/") if text else None


#: the pictures a town's ``image`` may be (those the build makes small copies of, and GIF)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")


def _image(check: _Checker, value: Any) -> str | None:
    """``image``: the town's picture for the portal, a path in its content folder
    (``images/town.jpg``): relative, no ``..`` or hidden folders, a picture."""
    text = check.text(("image",), value)
    if not text:
        return None
    parts = PurePosixPath(text).parts
    if (
        text.startswith("/")
        or "\\" in text
        or len(text) > 200
        or any(part in ("..", ".") or part.startswith(".") for part in parts)
        or any(not c.isprintable() for c in text)
        or not text.lower().endswith(IMAGE_SUFFIXES)
    ):
        check.add(
            ("image",),
            Message(
                f"“{visible(text)}” is not a picture in the town's folder; write its path "
                "there, like images/town.jpg (a .jpg, .png, .webp or .gif file).",
                f"«{visible(text)}» — не картинка из папки города; укажите путь к ней "
                "там, например images/town.jpg (файл .jpg, .png, .webp или .gif).",
            ),
        )
        return None
    return text


def _deploy(check: _Checker, value: Any, root: Path) -> dict[str, dict[str, Any]]:
    """Named deploy targets; every value is checked for its kind (see
    :data:`DEPLOY_KEYS`): ``invoke deploy`` runs ssh, rsync and git with them and writes
    where they say."""
    data = check.mapping(("deploy",), value)
    if data is None:
        return {}
    result: dict[str, dict[str, Any]] = {}
    for name, target in data.items():
        if not isinstance(name, str) or not DEPLOY_NAME.match(name):
            check.add(
                ("deploy", name),
                Message(
                    f"“{name}” cannot name a deploy target; use Latin letters, digits, "
                    "“-” and “_”, like web or usb.",
                    f"«{name}» не годится как имя цели публикации; используйте латинские "
                    "буквы, цифры, «-» и «_», например web или usb.",
                ),
            )
            continue
        target_map = check.mapping(("deploy", name), target)
        if target_map is None:
            continue
        kind = target_map.get("type")
        if kind not in DEPLOY_TYPES:
            check.add(
                ("deploy", name, "type"),
                Message(
                    f"“type” must be one of {', '.join(DEPLOY_TYPES)}.",
                    f"«type» должен быть одним из: {', '.join(DEPLOY_TYPES)}.",
                ),
            )
            continue
        before = len(check.problems)
        for key in DEPLOY_REQUIRED[kind]:
            if not str(target_map.get(key) or "").strip():
                check.add(
                    ("deploy", name),
                    Message(
                        f"a “{kind}” target needs “{key}”.",
                        f"для публикации типа «{kind}» нужен ключ «{key}».",
                    ),
                )
        secret = [
            key for key in target_map if any(word in str(key).lower() for word in SECRET_WORDS)
        ]
        for key in secret:
            check.add(
                ("deploy", name, key),
                Message(
                    "secrets must not be kept in sites/*.yaml (it is in git); put them "
                    "in the environment or in a file outside the repository.",
                    "секреты нельзя хранить в sites/*.yaml (он в git); задайте их в "
                    "переменных окружения или в файле вне репозитория.",
                ),
            )
        if "ssh_options" in target_map:
            check.add(
                ("deploy", name, "ssh_options"),
                Message(
                    "ssh options cannot be set here: some of them run commands on the "
                    "deploying machine (ProxyCommand, LocalCommand). Put them in "
                    "~/.ssh/config of that machine, in a “Host …” block for the server.",
                    "параметры ssh здесь задавать нельзя: некоторые из них выполняют "
                    "команды на машине, которая публикует (ProxyCommand, LocalCommand). "
                    "Укажите их в ~/.ssh/config этой машины, в блоке «Host …» сервера.",
                ),
            )
        rules = DEPLOY_KEYS[kind]
        check.unknown_keys(
            ("deploy", name),
            {k: v for k, v in target_map.items() if k not in secret and k != "ssh_options"},
            ("type", *rules),
        )
        for key, rule in rules.items():
            if key in target_map and str(target_map[key] or "").strip():
                reason = rule(target_map[key], root)
                if reason:
                    check.add(("deploy", name, key), reason)
        if len(check.problems) == before:
            result[name] = dict(target_map)
    return result


def _repository(
    check: _Checker,
    value: Any,
    root: Path,
    local_repositories: tuple[str, ...] | None,
    town: str,
    pull_with_credentials: tuple[str, ...] | None,
) -> dict[str, str] | None:
    """The town's own content repository, which ``invoke pull`` clones or updates with
    git: an address git takes as one (never an option or a transport helper), a folder
    of this machine only in one of ``local_repositories`` (``None``: those of
    ``sites/network.yaml``), a server that is neither this machine nor one of a private
    network unless the town is in ``pull_with_credentials`` (``None``: that of
    ``sites/network.yaml``), and a branch name."""
    data = check.mapping(("repository",), value)
    if data is None:
        return None
    check.unknown_keys(("repository",), data, ("url", "branch"))
    url = check.text(("repository", "url"), data.get("url")) if "url" in data else None
    if url is None:
        check.add(
            ("repository",),
            Message(
                "“url” of the content repository is missing.",
                "не указан «url» репозитория с материалами.",
            ),
        )
        return None
    branch = check.text(("repository", "branch"), data.get("branch", "main")) or "main"
    if local_repositories is None:
        local_repositories = network_local_repositories(root) if repository_is_local(url) else ()
    host = repository_host(url)
    trusted = False
    if host and internal_host(host):
        if pull_with_credentials is None:
            pull_with_credentials = network_pull_with_credentials(root)
        trusted = town in pull_with_credentials
    ok = True
    for key, reason in (
        ("url", repository_problem(url, root, local_repositories, trusted)),
        ("branch", branch_problem(branch)),
    ):
        if reason:
            check.add(("repository", key), reason)
            ok = False
    return {"url": url, "branch": branch} if ok else None


#: an editor, as ``invoke owners`` writes it into CODEOWNERS, where a space starts
#: another owner, a new line another rule and ``*?[!#\\`` are patterns or comments: an
#: account or team of GitHub or GitLab (``@maria``, ``@org/team``, ``@group/sub/team``)
#: or an e-mail address, of plain Latin characters only (matched whole)
EDITOR = re.compile(
    r"@[A-Za-z0-9][A-Za-z0-9_.-]{0,99}(?:/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}){0,3}"
    r"|[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?)+"
)


def editor_problem(value: Any) -> Reason | None:
    """An editor of :data:`EDITOR`, or why not."""
    if isinstance(value, str) and EDITOR.fullmatch(value):
        return None
    shown = visible(str(value))
    return Message(
        f"“{shown}” is neither an account like @maria or a team like @org/team nor an "
        "e-mail address like ivan@example.org (Latin letters, digits, “.”, “_”, “-”, "
        "and “+” in an address; no spaces or “*?[!#\\”).",
        f"«{shown}» — не учётная запись вида @maria, не команда вида @org/team и не "
        "адрес электронной почты вида ivan@example.org (латинские буквы, цифры, «.», "
        "«_», «-», в адресе ещё «+»; без пробелов и «*?[!#\\»).",
    )


METADATA_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def _metadata_keys(check: _Checker, value: Any) -> tuple[str, ...]:
    """Extra metadata keys: plain lower-case names, as Pelican reads them."""
    if not isinstance(value, list):
        check.add(
            ("metadata_keys",),
            Message(
                "write a list of key names, e.g. “metadata_keys: [venue, price]”.",
                "укажите список имён ключей, например «metadata_keys: [venue, price]».",
            ),
        )
        return ()
    result = []
    for i, key in enumerate(value):
        if isinstance(key, str) and METADATA_KEY.match(key.strip().lower()):
            result.append(key.strip().lower())
        else:
            check.add(
                ("metadata_keys", i),
                Message(
                    f"“{key}” is not a key name: use Latin letters, digits, “_” and “-”, "
                    "starting with a letter.",
                    f"«{key}» — не имя ключа: используйте латинские буквы, цифры, «_» и «-», "
                    "начиная с буквы.",
                ),
            )
    return tuple(result)


def _editors(check: _Checker, value: Any) -> tuple[str, ...]:
    """Code-hosting accounts (``@name``, ``@org/team``) or e-mail addresses
    (:data:`EDITOR`)."""
    if not isinstance(value, list):
        check.add(
            ("editors",),
            Message(
                "write a list, e.g. “editors: ['@maria', 'ivan@example.org']”.",
                "укажите список, например «editors: ['@maria', 'ivan@example.org']».",
            ),
        )
        return ()
    result = []
    for i, editor in enumerate(value):
        text = editor.strip() if isinstance(editor, str) else editor
        reason = editor_problem(text)
        if reason:
            check.add(("editors", i), reason)
        else:
            result.append(text)
    return tuple(result)


def _flag(check: _Checker, key: str, value: Any) -> bool:
    """A yes/no key: only YAML's ``true`` or ``false`` (a quoted "yes" is a text)."""
    if not isinstance(value, bool):
        check.add(
            (key,),
            Message(
                f"write “{key}: true” or “{key}: false”.",
                f"напишите «{key}: true» или «{key}: false».",
            ),
        )
        return False
    return value


def _plugins_exist(check: _Checker, names: Any, root: Path) -> bool:
    """Every name under ``PLUGINS`` is a plugin of the network: a folder or a module in
    ``plugins/``. Nothing else is ever imported, whatever Python's path holds."""
    ok = True
    for i, name in enumerate(names if isinstance(names, list) else []):
        folder = root / "plugins"
        if (folder / name / "__init__.py").is_file() or (folder / f"{name}.py").is_file():
            continue
        ok = False
        known = (
            sorted(p.name for p in folder.iterdir() if (p / "__init__.py").is_file())
            if folder.is_dir()
            else []
        )
        check.add(
            ("pelican", "PLUGINS", i),
            Message(
                f"there is no plugin “{name}” in plugins/ (there are: "
                f"{', '.join(known) or 'none'}). A town can use only the network's plugins.",
                f"в plugins/ нет модуля «{name}» (есть: {', '.join(known) or 'нет'}). Город "
                "может подключать только модули сети.",
            ),
        )
    return ok


def theme_templates(root: Path, theme: str) -> frozenset[str] | None:
    """The page templates of a theme: its ``templates/*.html`` that are not parts of
    pages (``_macros``, ``base``) or the portal; ``None`` if the theme has no folder."""
    folder = root / "themes" / theme / "templates"
    if not folder.is_dir():
        return None
    return frozenset(
        p.stem
        for p in folder.glob("*.html")
        if not p.stem.startswith("_") and p.stem not in ("base", "portal")
    )


def _pelican(
    check: _Checker, value: Any, root: Path, context: Context | None = None
) -> dict[str, Any]:
    """``pelican:``: only the settings :mod:`.pelican_passthrough` allows, each checked
    against the town's languages and theme (``context``)."""
    data = check.mapping(("pelican",), value)
    if data is None:
        return {}
    result = {}
    for key, setting in data.items():
        if not isinstance(key, str) or not PELICAN_KEY.match(key):
            check.add(
                ("pelican", key),
                Message(
                    "Pelican settings are written in capitals, like DEFAULT_PAGINATION.",
                    "настройки Pelican пишутся заглавными буквами, например DEFAULT_PAGINATION.",
                ),
            )
        elif key in MANAGED_PELICAN_KEYS:
            instead = MANAGED_PELICAN_KEYS[key]
            hint_en = f" Use the key “{instead}” of this file." if instead else ""
            hint_ru = f" Используйте ключ «{instead}» этого файла." if instead else ""
            check.add(
                ("pelican", key),
                Message(
                    f"Gardarika sets {key} itself.{hint_en}",
                    f"Gardarika задаёт {key} сама.{hint_ru}",
                ),
            )
        elif key in REFUSED_PELICAN_KEYS:
            check.add(("pelican", key), REFUSED_PELICAN_KEYS[key])
        elif not is_allowed(key):
            check.add(
                ("pelican", key),
                Message(
                    f"{key} cannot be set in a town's file: it could make the build read "
                    "or write files outside the town's folders, or it is not supported. "
                    "The settings allowed under “pelican:” are listed in the README.",
                    f"{key} нельзя задавать в файле города: эта настройка может заставить "
                    "сборку читать или писать файлы вне папок города или не "
                    "поддерживается. Допустимые в «pelican:» настройки перечислены в "
                    "README.",
                ),
            )
        else:
            found = setting_problems(key, setting, context)
            for where, message in found:
                check.add(("pelican", key, *where), message)
            if key == "PLUGINS" and not found and not _plugins_exist(check, setting, root):
                continue
            if not found:
                result[key] = setting
    return result


def _read_mapping(
    path: Path, shown: str, problems: list[Problem], if_empty: Problem | None
) -> tuple[_Checker, dict[str, Any]] | None:
    """Parse a settings file whose top level must be a mapping.

    Returns the checker (holding ``problems`` and those found so far) with the mapping,
    or ``None`` for an empty file when ``if_empty`` is ``None``; raises
    :class:`GardarikaError` when there is nothing to check further.
    """
    doc, found = read_yaml(path, shown)
    problems = [*problems, *found]
    if doc is None:
        raise GardarikaError(problems)
    if doc.data is None:
        if if_empty is None and not problems:
            return None
        raise GardarikaError([*problems, *([if_empty] if if_empty else [])])
    check = _Checker(doc, shown)
    check.problems.extend(problems)
    data = check.mapping((), doc.data)
    if data is None:
        raise GardarikaError(check.problems)
    return check, data


TOWN_KEYS = (
    "name",
    "languages",
    "description",
    "theme",
    "timezone",
    "content",
    "contacts",
    "neighbours",
    "base_url",
    "deploy",
    "repository",
    "pelican",
    "editors",
    "trust_html",
    "metadata_keys",
    "image",
)


def load_town(
    path: Path,
    root: Path,
    local_repositories: tuple[str, ...] | None = None,
    pull_with_credentials: tuple[str, ...] | None = None,
    trusted_html: tuple[str, ...] | None = None,
) -> Town:
    """Read and check one town's settings file; raise :class:`GardarikaError` listing
    every problem in it. ``local_repositories``: the folders a local repository may lie
    in; ``pull_with_credentials``: the towns whose repository may be on this machine's
    network; ``trusted_html``: the towns whose raw HTML is kept (all ``None``: read from
    ``sites/network.yaml`` when needed)."""
    path = Path(path)
    shown = display_path(path, root)
    town = path.stem
    name_problems = []
    if not TOWN_ID.match(town) or town in RESERVED_IDS:
        name_problems.append(
            Problem(
                file=shown,
                en=f"the file name “{path.name}” cannot be a town id: use lower-case Latin "
                "letters, digits and “-”, like staraya-ladoga.yaml.",
                ru=f"имя файла «{path.name}» не годится: используйте строчные латинские буквы, "
                "цифры и «-», например staraya-ladoga.yaml.",
            )
        )
    check, data = _read_mapping(
        path,
        shown,
        name_problems,
        if_empty=Problem(
            file=shown,
            en="the file is empty; it needs at least “name” and “languages”.",
            ru="файл пустой; в нём должны быть хотя бы «name» и «languages».",
        ),
    )
    check.unknown_keys((), data, TOWN_KEYS)
    for key in ("name", "languages"):
        if key not in data:
            check.add(
                (),
                Message(
                    f"the required key “{key}” is missing.", f"нет обязательного ключа «{key}»."
                ),
            )
    languages = _languages(check, data["languages"]) if "languages" in data else ()
    name = (
        check.texts(("name",), data["name"], languages, required=True, limit=NAME_LIMIT)
        if "name" in data and languages
        else {}
    )

    theme = _theme(check, data["theme"], root) if "theme" in data else DEFAULT_THEME
    context = Context(languages=languages, templates=theme_templates(root, theme))
    optional: dict[str, Callable[[Any], Any]] = {
        "description": lambda v: check.texts(("description",), v, languages, False),
        "timezone": lambda v: _timezone(check, v),
        "contacts": lambda v: _contacts(check, v, languages),
        "neighbours": lambda v: _neighbours(check, v),
        "base_url": lambda v: _base_url(check, v),
        "deploy": lambda v: _deploy(check, v, root),
        "repository": lambda v: _repository(
            check, v, root, local_repositories, town, pull_with_credentials
        ),
        "pelican": lambda v: _pelican(check, v, root, context),
        "editors": lambda v: _editors(check, v),
        "trust_html": lambda v: _flag(check, "trust_html", v),
        "metadata_keys": lambda v: _metadata_keys(check, v),
        "image": lambda v: _image(check, v),
    }
    values = {key: read(data[key]) for key, read in optional.items() if key in data}
    if trusted_html is None:
        trusted_html = network_trust_html(root)
    if values.get("trust_html") and town not in trusted_html:
        check.add(
            ("trust_html",),
            Message(
                "only the network's maintainer can let a town publish raw HTML with "
                "scripts: a town's own file may be changed by its editors. The "
                f"maintainer lists the town in sites/network.yaml (“trust_html: [{town}]”);"
                " remove this line here.",
                "разрешить городу публиковать HTML со скриптами может только "
                "администратор сети: файл города могут менять его редакторы. "
                f"Администратор указывает город в sites/network.yaml («trust_html: "
                f"[{town}]»); уберите эту строку отсюда.",
            ),
        )
    # the maintainer's list decides; the town's own "false" may only turn it off
    values["trust_html"] = town in trusted_html and values.get("trust_html", True)
    if "theme" in data:
        values["theme"] = theme
    content = _content(check, data.get("content"), root, town, bool(values.get("repository")))
    if values.get("image") and content.is_dir() and not (content / values["image"]).is_file():
        check.add(
            ("image",),
            Message(
                f"the picture “{values['image']}” is not in the town's folder "
                f"{display_path(content, root)}/; put it there (e.g. images/town.jpg) or "
                "correct the path.",
                f"картинки «{values['image']}» нет в папке города "
                f"{display_path(content, root)}/; положите её туда (например, "
                "images/town.jpg) или исправьте путь.",
            ),
        )
    if "neighbours" in values and town in values["neighbours"]:
        check.add(
            ("neighbours",),
            Message(
                "a town cannot be its own neighbour.", "город не может быть соседом самому себе."
            ),
        )
    if check.problems:
        raise GardarikaError(check.problems)
    return Town(
        id=town,
        file=path,
        name=name,
        languages=languages,
        content=content,
        key_lines=dict(check.doc.lines),
        **values,
    )


NETWORK_KEYS = (
    "name",
    "description",
    "order",
    "languages",
    "theme",
    "local_repositories",
    "pull_with_credentials",
    "trust_html",
    "base_url",
)


def _local_repositories(check: _Checker, value: Any, root: Path) -> tuple[str, ...]:
    """``local_repositories``: folders of this machine whose repositories towns may pull
    (``invoke pull`` reads them with the maintainer's rights): absolute, without ``..``,
    outside the project and not holding it."""
    if not isinstance(value, list):
        check.add(
            ("local_repositories",),
            Message(
                "write a list of folders, e.g. “local_repositories: [/srv/git]”.",
                "укажите список папок, например «local_repositories: [/srv/git]».",
            ),
        )
        return ()
    result: list[str] = []
    for i, folder in enumerate(value):
        text = folder if isinstance(folder, str) else ""
        if not text.startswith("/") or any(not c.isprintable() for c in text):
            check.add(
                ("local_repositories", i),
                Message(
                    f"“{visible(str(folder))}” is not an absolute folder; write one like /srv/git.",
                    f"«{visible(str(folder))}» — не абсолютный путь к папке; укажите, "
                    "например, /srv/git.",
                ),
            )
        elif ".." in PurePosixPath(text).parts:
            check.add(
                ("local_repositories", i),
                Message(
                    f"“{text}” climbs with “..”; write the folder itself, like /srv/git.",
                    f"«{text}» поднимается через «..»; укажите саму папку, например /srv/git.",
                ),
            )
        elif not _outside_project(text, root):
            check.add(
                ("local_repositories", i),
                Message(
                    f"“{text}” is in the project or contains it: towns would pull the "
                    "network's own repository or each other's folders. List a folder "
                    "outside the project, like /srv/git.",
                    f"«{text}» находится в проекте или содержит его: города получали бы "
                    "репозиторий самой сети или папки друг друга. Укажите папку вне "
                    "проекта, например /srv/git.",
                ),
            )
        else:
            result.append(os.path.normpath(text))
    return tuple(result)


def _pull_with_credentials(check: _Checker, value: Any) -> tuple[str, ...]:
    """``pull_with_credentials``: the towns whose ``invoke pull`` runs git with the
    maintainer's credentials (ssh keys and agent, ssh and git settings, credential
    helpers, ``~/.netrc``) and may reach this machine's network; every other town's
    pull uses none of them."""
    if not isinstance(value, list):
        check.add(
            ("pull_with_credentials",),
            Message(
                "write a list of town ids, e.g. “pull_with_credentials: [vyborg]”.",
                "укажите список городов, например «pull_with_credentials: [vyborg]».",
            ),
        )
        return ()
    return _neighbours(check, value, key="pull_with_credentials")


def _trust_html(check: _Checker, value: Any) -> tuple[str, ...]:
    """``trust_html`` of ``network.yaml``: the towns whose raw HTML is published as it is
    written (scripts, forms, frames), for towns whose every editor the maintainer trusts
    with scripts on that town's pages."""
    if not isinstance(value, list):
        check.add(
            ("trust_html",),
            Message(
                "write a list of town ids, e.g. “trust_html: [vyborg]”.",
                "укажите список городов, например «trust_html: [vyborg]».",
            ),
        )
        return ()
    return _neighbours(check, value, key="trust_html")


def _network_value(
    root: Path, key: str, read: Callable[[_Checker, Any], tuple[str, ...]]
) -> tuple[str, ...]:
    """One list of ``sites/network.yaml`` as far as it is valid (the rest of the file is
    not checked here); none if the file cannot be read."""
    path = Path(root) / "sites" / "network.yaml"
    if not path.is_file():
        return ()
    try:
        mapping = _read_mapping(path, display_path(path, root), [], if_empty=None)
    except GardarikaError:
        return ()
    if mapping is None or key not in mapping[1]:
        return ()
    check, data = mapping
    return read(check, data[key])


def network_local_repositories(root: Path) -> tuple[str, ...]:
    """``local_repositories`` of ``sites/network.yaml`` as far as they are valid (the
    rest of the file is not checked here); none if the file cannot be read."""
    return _network_value(
        root, "local_repositories", lambda check, value: _local_repositories(check, value, root)
    )


def network_pull_with_credentials(root: Path) -> tuple[str, ...]:
    """``pull_with_credentials`` of ``sites/network.yaml`` as far as it is valid; none
    if the file cannot be read."""
    return _network_value(root, "pull_with_credentials", _pull_with_credentials)


def network_trust_html(root: Path) -> tuple[str, ...]:
    """``trust_html`` of ``sites/network.yaml`` as far as it is valid; none if the file
    cannot be read."""
    return _network_value(root, "trust_html", _trust_html)


def load_network_config(path: Path, root: Path) -> NetworkConfig:
    """Read ``sites/network.yaml``; a missing file means all defaults."""
    if not path.exists():
        return NetworkConfig()
    read = _read_mapping(path, display_path(path, root), [], if_empty=None)
    if read is None:
        return NetworkConfig()
    check, data = read
    check.unknown_keys((), data, NETWORK_KEYS)
    languages: tuple[str, ...] = ("ru", "en")
    if "languages" in data:
        languages = _languages(check, data["languages"]) or languages
    values: dict[str, Any] = {"languages": languages}
    if "name" in data:
        values["name"] = check.texts(
            ("name",), data["name"], languages, required=True, limit=NAME_LIMIT
        )
    if "description" in data:
        values["description"] = check.texts(
            ("description",), data["description"], languages, required=False
        )
    if "order" in data:
        if isinstance(data["order"], list):
            values["order"] = _neighbours(check, data["order"], key="order")
        else:
            check.add(
                ("order",),
                Message(
                    "write a list of town ids, e.g. “order: [vyborg, kargopol]”.",
                    "укажите список городов, например «order: [vyborg, kargopol]».",
                ),
            )
    if "theme" in data:
        values["theme"] = _theme(check, data["theme"], root)
    if "local_repositories" in data:
        values["local_repositories"] = _local_repositories(check, data["local_repositories"], root)
    if "pull_with_credentials" in data:
        values["pull_with_credentials"] = _pull_with_credentials(
            check, data["pull_with_credentials"]
        )
    if "trust_html" in data:
        values["trust_html"] = _trust_html(check, data["trust_html"])
    if "base_url" in data:
        values["base_url"] = _base_url(check, data["base_url"])
    if check.problems:
        raise GardarikaError(check.problems)
    return NetworkConfig(**values)


def _shared_content(
    root: Path, towns: dict[str, Town], problems: list[Problem], broken: list[str]
) -> None:
    """Two towns that both chose their content folder (``content:``) may not share or
    nest them: each would build and publish the other's texts and drafts. Both are
    left out, each file naming the other. (A folder that is another town's own
    ``content/<town>`` is refused by :func:`_content` already, for the chooser alone.)"""
    chosen = {
        town_id: _real(town.content)
        for town_id, town in towns.items()
        if not _owns(town.content, root, town_id)
    }
    clashing: dict[str, list[str]] = {}
    for town_id, real in chosen.items():
        for other, other_real in chosen.items():
            if other != town_id and _overlap(real, other_real):
                clashing.setdefault(town_id, []).append(other)
    for town_id, others in sorted(clashing.items()):
        town = towns.pop(town_id)
        broken.append(town_id)
        files = ", ".join(f"sites/{o}.yaml" for o in others)
        problems.append(
            Problem(
                file=display_path(town.file, root),
                key="content",
                line=town.key_lines.get(("content",)),
                en=f"{display_path(town.content, root)} is, holds or lies in the content folder "
                f"of another town ({files}); two towns cannot share texts. Give each town a "
                f"folder of its own, like content/{town_id}.",
                ru=f"{display_path(town.content, root)} совпадает с папкой материалов другого "
                f"города ({files}), содержит её или лежит в ней; у двух городов не может "
                f"быть общих текстов. Дайте каждому городу свою папку, например "
                f"content/{town_id}.",
            )
        )


def _destination(kind: str, options: dict[str, Any]) -> tuple[str, str]:
    """Where a deploy target writes: (the place: a kind of target and its server,
    bucket or repository; the folder in it), so that two targets can be compared."""
    if kind == "dir":
        return "dir", _real(options["path"])
    if kind == "rsync":
        server = f"rsync {str(options['host']).lower()}:{options.get('port', 22)}"
        path = str(options["path"])
        if path.startswith("/"):
            return server, posixpath.normpath(path)
        rest = path[2:] if path.startswith("~/") else path
        # below the login's home: another login's ~/www is another folder
        return f"{server} ~{options.get('user') or ''}", "/" + posixpath.normpath(rest)
    if kind == "s3":
        return (
            f"s3 {options.get('endpoint') or ''} {options['bucket']}",
            "/" + str(options.get("prefix") or "").strip("/"),
        )
    return f"git {options['repository']} {options.get('branch', 'gh-pages')}", "/"


def _names_town(town: str, place: str, folder: str) -> bool:
    """A deploy destination names its town: the town's id is one of the words of its
    folder, repository or bucket (``/var/www/vyborg``, ``git@host:vyborg/site.git``)."""
    words = re.split(r"[/:@ ]+", f"{place} {folder}")
    return town in {word.removesuffix(".git") for word in words}


def _shared_deploy(root: Path, towns: dict[str, Town], problems: list[Problem]) -> None:
    """Deploy targets of two towns that write to the same place (or one inside the
    other) would publish one town over the other. When only one of the two names its
    own town (``/var/www/vyborg`` for vyborg), that one keeps deploying and the other is
    refused; otherwise neither can be told right, and both are. A refused target is
    kept from deploying (``invoke deploy`` says why) and its file gets a warning; the
    towns still build."""
    places = [
        (town_id, name, *_destination(str(options["type"]), options))
        for town_id, town in towns.items()
        for name, options in town.deploy.items()
    ]
    refused: dict[tuple[str, str], list[str]] = {}
    for town_id, name, place, folder in places:
        for other, other_name, other_place, other_folder in places:
            if (
                other == town_id
                or place.casefold() != other_place.casefold()
                or not _overlap(folder, other_folder)
            ):
                continue
            if _names_town(town_id, place, folder) and not _names_town(
                other, other_place, other_folder
            ):
                continue  # this one is the town's own place; the other is refused
            refused.setdefault((town_id, name), []).append(
                f"sites/{other}.yaml (deploy.{other_name})"
            )
    for (town_id, name), others in sorted(refused.items()):
        town = towns[town_id]
        en = (
            f"this target writes where another town's does ({', '.join(others)}): one "
            "town would be published over the other. It is not used until it writes to "
            f"a place of its own, named after the town (like …/{town_id})."
        )
        ru = (
            f"эта цель публикует туда же, куда цель другого города ({', '.join(others)}):"
            " один город был бы опубликован поверх другого. Она не используется, пока не "
            f"будет публиковать в своё место, названное по городу (например …/{town_id})."
        )
        deploy = {**town.deploy, name: {**town.deploy[name], "_refused": Message(en, ru)}}
        towns[town_id] = dataclasses.replace(town, deploy=deploy)
        problems.append(
            Problem(
                file=display_path(town.file, root),
                key=f"deploy.{name}",
                line=town.key_lines.get(("deploy", name)),
                severity="warning",
                en=en,
                ru=ru,
            )
        )


def _untranslated(root: Path, towns: dict[str, Town], problems: list[Problem]) -> None:
    """A warning for each town language its theme has no interface translation for: its
    pages would be in that language with the menus and buttons in English."""
    for town in towns.values():
        translations = root / "themes" / town.theme / "translations"
        if not translations.is_dir():
            continue  # a theme without catalogs is not translated into any language
        for i, lang in enumerate(town.languages):
            if lang == SOURCE_LANGUAGE or catalog_path(translations, lang).is_file():
                continue
            shown = f"themes/{town.theme}/translations"
            problems.append(
                Problem(
                    file=display_path(town.file, root),
                    key=f"languages.{i}",
                    line=town.key_lines.get(("languages", i)),
                    severity="warning",
                    en=f"the theme has no interface translation into “{lang}”: those pages "
                    "have their texts and dates in that language, but the menus and buttons "
                    f"in English. Copy {shown}/messages.pot to {shown}/{lang}/LC_MESSAGES/"
                    "messages.po and translate each msgstr; “./gardarika.sh i18n-update” "
                    "then lists what is left.",
                    ru=f"у темы нет перевода интерфейса на «{lang}»: тексты и даты этих "
                    "страниц будут на этом языке, а меню и кнопки — по-английски. "
                    f"Скопируйте {shown}/messages.pot в {shown}/{lang}/LC_MESSAGES/"
                    "messages.po и переведите каждую строку msgstr; «./gardarika.sh "
                    "i18n-update» затем покажет, что осталось.",
                )
            )


def declared(root: Path, town: str) -> dict[str, Any]:
    """What ``sites/<town>.yaml`` says as written, unchecked (``{}`` when it cannot be
    read): for a town whose settings have errors, what it claims all the same (its
    repository, its content folder), which the others must not take."""
    path = Path(root) / "sites" / f"{town}.yaml"
    if not path.is_file():
        path = path.with_suffix(".yml")
    try:
        doc, _ = read_yaml(path, f"sites/{path.name}")
    except (OSError, ValueError, RecursionError):
        return {}
    data = doc.data if doc is not None else None
    return data if isinstance(data, dict) else {}


def claimed_folders(network: Network) -> dict[str, Path]:
    """The content folders that towns whose settings have errors hold: their own
    ``content/<town>`` and the ``content:`` they name as written, where that folder
    exists (a town's texts are there; a folder not there yet protects nothing, and a
    town that names one inside another's is itself the one in the wrong)."""
    claimed: dict[str, Path] = {}
    for town in network.broken:
        folders = [network.root / "content" / town]
        chosen = declared(network.root, town).get("content")
        if isinstance(chosen, str) and chosen.strip() and "\0" not in chosen:
            folders.append(network.root / chosen.strip())
        for folder in folders:
            if os.path.isdir(folder):
                claimed[f"{town} ({display_path(folder, network.root)})"] = folder
    return claimed


def load_network(root: Path) -> Network:
    """Load ``sites/``: every town file and ``network.yaml``.

    Problems do not stop loading: a broken town is listed in ``broken`` with its problems
    so the caller can build the others and still report (and fail on) the broken ones.
    """
    root = Path(root)
    sites_dir = root / "sites"
    problems: list[Problem] = []
    local: tuple[str, ...] | None = None
    credentials: tuple[str, ...] | None = None
    trusted: tuple[str, ...] | None = None
    try:
        network = load_network_config(sites_dir / "network.yaml", root)
        local, credentials = network.local_repositories, network.pull_with_credentials
        trusted = network.trust_html
    except GardarikaError as err:
        problems.extend(err.problems)
        network = NetworkConfig()
    towns: dict[str, Town] = {}
    broken: list[str] = []
    files = sorted(p for p in sites_dir.glob("*.y*ml") if p.stem != "network")
    for path in files:
        if path.suffix not in (".yaml", ".yml"):
            continue
        try:
            town = load_town(path, root, local, credentials, trusted)
        except GardarikaError as err:
            problems.extend(err.problems)
            broken.append(path.stem)
            continue
        if town.id in towns:
            problems.append(
                Problem(
                    file=display_path(path, root),
                    en=f"there is another settings file for “{town.id}”; keep only one.",
                    ru=f"для «{town.id}» есть ещё один файл настроек; оставьте один.",
                )
            )
            broken.append(town.id)
            continue
        towns[town.id] = town
    for clash in [p for p in problems if isinstance(p, _Clash)]:
        for other in clash.others:
            problems.append(
                Problem(
                    file=other,
                    key="content",
                    severity="warning",
                    en=f"{clash.file} names this town's content folder as its own; that town "
                    "is not built until it names a folder of its own.",
                    ru=f"{clash.file} указывает папку материалов этого города как свою; тот "
                    "город не собирается, пока не укажет свою папку.",
                )
            )
    _shared_content(root, towns, problems, broken)
    _shared_deploy(root, towns, problems)
    _untranslated(root, towns, problems)
    known = set(towns) | set(broken)
    for town in towns.values():
        for i, town_id in enumerate(town.neighbours):
            if town_id not in known:
                problems.append(
                    Problem(
                        file=display_path(town.file, root),
                        key=f"neighbours.{i}",
                        line=town.key_lines.get(("neighbours", i)),
                        severity="warning",
                        en=f"there is no town “{town_id}” in sites/; it is left out of the "
                        "neighbours list.",
                        ru=f"города «{town_id}» нет в sites/; он не показан среди соседей.",
                    )
                )
    for key in ("order", "pull_with_credentials", "trust_html"):
        for town_id in getattr(network, key):
            if town_id not in known:
                problems.append(
                    Problem(
                        file="sites/network.yaml",
                        key=key,
                        severity="warning",
                        en=f"there is no town “{town_id}” in sites/.",
                        ru=f"города «{town_id}» нет в sites/.",
                    )
                )
    return Network(root=root, config=network, towns=towns, problems=problems, broken=broken)
