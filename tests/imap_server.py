"""A real IMAP server on loopback for tests: Debian's dovecot 2.3 with its own configuration.

`make dovecot` installs the package. Test modules load the fixtures with

    pytest_plugins = ["tests.imap_server"]

and then take `imap_server` (one server for the whole session) or `clean_imap_server` (the
same server, emptied before the test). The server shares nothing with a system-wide dovecot:
it has its own configuration file, runtime directory, log, mail store and port, all under one
temporary directory, and it listens on 127.0.0.1 only, without TLS.

Dovecot will not run mail processes as root, so the mailbox belongs to `nobody`. pytest's
temporary directories are private to root (mode 0700), where `nobody` cannot reach, so the
mail processes chroot into the mail directory before they drop root (the `/./` in the home
directory below); then the directories above it do not matter.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DOVECOT = Path("/usr/sbin/dovecot")
HOST = "127.0.0.1"
START_TIMEOUT = 10.0  # seconds for dovecot to accept a login
STOP_TIMEOUT = 15.0  # seconds for dovecot to exit after SIGTERM
MAIL_USER = "nobody"  # owner of the mailbox; any non-root account with a uid >= 500 would do

# One line of a LIST response: (flags) "delimiter" name, the name perhaps quoted.
_LIST_LINE = re.compile(rb'\((?P<flags>[^)]*)\) (?P<delimiter>"[^"]*"|NIL) (?P<name>.+)')
_UID = re.compile(rb"\bUID (\d+)")
_FLAGS = re.compile(rb"\bFLAGS \(([^)]*)\)")


class DovecotError(RuntimeError):
    """Dovecot is missing, the wrong version, or did not start."""


@dataclass
class ImapServer:
    """A running dovecot with one mailbox user; the helpers talk to it over IMAP (imaplib)."""

    host: str
    port: int
    username: str
    password: str
    directory: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def log_path(self) -> Path:
        return self.directory / "dovecot.log"

    def connect(self) -> imaplib.IMAP4:
        """A new logged-in connection; the caller logs out."""
        conn = imaplib.IMAP4(self.host, self.port, timeout=10)
        conn.login(self.username, self.password)
        return conn

    @contextmanager
    def session(self) -> Iterator[imaplib.IMAP4]:
        conn = self.connect()
        try:
            yield conn
        finally:
            conn.logout()

    def append(self, raw: bytes, folder: str = "INBOX", seen: bool = False) -> None:
        """Deliver a message (the raw RFC 5322 bytes, CRLF line endings) into folder."""
        with self.session() as conn:
            typ, data = conn.append(_quote(folder), r"(\Seen)" if seen else None, None, raw)
            _check("APPEND", typ, data)

    def flags(self, folder: str = "INBOX") -> list[tuple[int, set[str]]]:
        """(UID, flags) of every message in folder, by UID.

        \\Recent is left out: it depends on which IMAP session saw the message first, not on
        anything a poller does. The folder is opened read-only, so looking changes nothing."""
        result = []
        for line in self._fetch(folder, "(UID FLAGS)"):
            uid = _UID.search(line)
            flags = _FLAGS.search(line)
            assert uid and flags, line
            names = {flag.decode() for flag in flags.group(1).split()} - {"\\Recent"}
            result.append((int(uid.group(1)), names))
        return sorted(result, key=lambda pair: pair[0])

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        """The raw bytes of every message in folder, by UID, without marking any \\Seen."""
        found = []
        for header, body in self._fetch_literals(folder, "(UID BODY.PEEK[])"):
            uid = _UID.search(header)
            assert uid, header
            found.append((int(uid.group(1)), body))
        return [body for _, body in sorted(found)]

    def folders(self) -> list[str]:
        """The names of all folders, INBOX included."""
        with self.session() as conn:
            return [name for name, _ in _list(conn)]

    def create_folder(self, name: str) -> None:
        with self.session() as conn:
            typ, data = conn.create(_quote(name))
            _check("CREATE", typ, data)

    def clear(self) -> None:
        """Expunge every message in every folder and delete every folder but INBOX.

        UIDs are not reset (UIDVALIDITY stays the same), so tests should not expect UID 1."""
        with self.session() as conn:
            folders = _list(conn)
            for name, selectable in folders:
                if not selectable:
                    continue
                typ, data = conn.select(_quote(name))
                _check("SELECT", typ, data)
                if int(data[0] or 0):
                    typ, data = conn.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                    _check("STORE", typ, data)
                    typ, data = conn.expunge()
                    _check("EXPUNGE", typ, data)
                conn.close()
            # Children before their parents: "A/B" is longer than "A".
            for name, selectable in sorted(folders, key=lambda f: len(f[0]), reverse=True):
                if name.upper() == "INBOX":
                    continue
                typ, data = conn.delete(_quote(name))
                # A \Noselect parent such as "A" of "A/B" only exists while it has children
                # (maildir keeps no directory for it), so it is gone once they are.
                if selectable or b"[NONEXISTENT]" not in (data[0] or b""):
                    _check("DELETE", typ, data)
            left = [name for name, _ in _list(conn)]
            assert left == ["INBOX"], f"clear() left folders behind: {left}"

    def log_tail(self, lines: int = 30) -> str:
        """The end of dovecot's log and of its own stderr (where configuration errors go)."""
        text = []
        for path in (self.log_path, self.directory / "dovecot.stderr"):
            if path.exists():
                text += path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(text)

    def stop(self) -> None:
        """Stop dovecot; its child processes exit with the master."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _fetch(self, folder: str, items: str) -> list[bytes]:
        """The FETCH response lines for every message in folder (opened read-only)."""
        with self.session() as conn:
            typ, data = conn.select(_quote(folder), readonly=True)
            _check("EXAMINE", typ, data)
            if not int(data[0] or 0):
                return []
            typ, data = conn.uid("FETCH", "1:*", items)
            _check("FETCH", typ, data)
            return [item for item in data if isinstance(item, bytes) and item != b")"]

    def _fetch_literals(self, folder: str, items: str) -> list[tuple[bytes, bytes]]:
        """Like _fetch, for items that come back as literals: (response line, literal) pairs."""
        with self.session() as conn:
            typ, data = conn.select(_quote(folder), readonly=True)
            _check("EXAMINE", typ, data)
            if not int(data[0] or 0):
                return []
            typ, data = conn.uid("FETCH", "1:*", items)
            _check("FETCH", typ, data)
            return [item for item in data if isinstance(item, tuple)]


def start_imap_server(
    tmpdir: Path, username: str = "poller", password: str = "imap-test-password"
) -> ImapServer:
    """Write a dovecot configuration into tmpdir, start dovecot and wait until it takes a login."""
    if not DOVECOT.exists():
        raise DovecotError(f"{DOVECOT} is missing: run make dovecot")
    # S603: the commands below are fixed; nothing in them comes from outside.
    version = subprocess.run(  # noqa: S603
        [DOVECOT, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if not version.startswith("2.3."):
        # 2.4 renamed or reshaped most of the settings below (Debian 13 ships it).
        raise DovecotError(f"tests/imap_server.py is written for dovecot 2.3, found {version}")
    if os.geteuid() != 0:
        raise DovecotError("the test IMAP server must be started as root (it chroots)")

    tmpdir = tmpdir.resolve()
    mail = tmpdir / "mail"
    home = mail / username
    home.mkdir(parents=True)
    owner = pwd.getpwnam(MAIL_USER)
    os.chown(home, owner.pw_uid, owner.pw_gid)
    # passwd-file fields: user:password:uid:gid:gecos:home:shell. "/./" in the home directory
    # means: chroot into the part before it, then use the rest as the home inside the chroot.
    (tmpdir / "users").write_text(
        f"{username}:{{PLAIN}}{password}:{owner.pw_uid}:{owner.pw_gid}::{mail}/./{username}::\n"
    )

    # The port is free when we look; if another process takes it before dovecot binds it,
    # dovecot exits and we try another.
    for _ in range(3):
        port = _free_port()
        (tmpdir / "dovecot.conf").write_text(_config(tmpdir, port))
        server = ImapServer(HOST, port, username, password, tmpdir)
        with open(tmpdir / "dovecot.stderr", "wb") as stderr:
            # -F: stay in the foreground, so the master is our child and stop() can end it.
            server.process = subprocess.Popen(  # noqa: S603
                [DOVECOT, "-F", "-c", tmpdir / "dovecot.conf"],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
            )
        try:
            _wait_until_ready(server)
        except DovecotError:
            server.stop()
            if "Address already in use" in server.log_tail():
                continue
            raise
        return server
    raise DovecotError(f"no free port for dovecot:\n{server.log_tail()}")


def _config(tmpdir: Path, port: int) -> str:
    """A complete dovecot 2.3 configuration: nothing is read from /etc/dovecot."""
    return f"""\
# Written by tests/imap_server.py for one test session.
base_dir = {tmpdir}/run
state_dir = {tmpdir}/state
log_path = {tmpdir}/dovecot.log

protocols = imap
listen = {HOST}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}

# Plaintext on loopback: no TLS, and LOGIN / AUTHENTICATE PLAIN allowed without it
# (dovecot 2.4 calls the second setting auth_allow_cleartext).
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Answer a wrong password at once instead of after the default 2 seconds.
auth_failure_delay = 0

# The auth process reads the users file, which lies in a directory only root may enter;
# by default it runs as the "dovecot" user.
service auth {{
  user = root
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {tmpdir}/users
}}
userdb {{
  driver = passwd-file
  args = {tmpdir}/users
}}

# Mail processes chroot into {tmpdir}/mail (the "/./" in the users file), which dovecot
# allows only for directories listed here, then run as the user's uid (not root).
valid_chroot_dirs = {tmpdir}/mail
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
# Test mail is thrown away; don't wait for the disk.
mail_fsync = never
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _wait_until_ready(server: ImapServer) -> None:
    """Return once a login succeeds; raise DovecotError with the log if dovecot fails."""
    assert server.process is not None
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if server.process.poll() is not None:
            raise DovecotError(
                f"dovecot exited with status {server.process.returncode}:\n{server.log_tail()}"
            )
        try:
            with server.session():
                return
        except (OSError, imaplib.IMAP4.error) as error:
            if time.monotonic() > deadline:
                raise DovecotError(
                    f"dovecot did not accept a login on {server.host}:{server.port} within "
                    f"{START_TIMEOUT:.0f}s ({error!r}):\n{server.log_tail()}"
                ) from error
            time.sleep(0.1)


def _quote(mailbox: str) -> str:
    """A mailbox name as an IMAP quoted string (imaplib sends arguments as they are)."""
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list(conn: imaplib.IMAP4) -> list[tuple[str, bool]]:
    """(name, selectable) of every folder."""
    typ, data = conn.list()
    _check("LIST", typ, data)
    folders = []
    for line in data:
        match = _LIST_LINE.fullmatch(line) if isinstance(line, bytes) else None
        assert match, f"unexpected LIST response {line!r}"
        name = match.group("name")
        if name.startswith(b'"'):
            name = re.sub(rb"\\(.)", rb"\1", name[1:-1])
        selectable = b"\\noselect" not in match.group("flags").lower()
        folders.append((name.decode(), selectable))
    return folders


def _check(command: str, typ: str, data: list) -> None:
    if typ != "OK":
        raise imaplib.IMAP4.error(f"{command} failed: {typ} {data!r}")


@pytest.fixture(scope="session")
def imap_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImapServer]:
    """One dovecot for the whole test session. Fails (never skips) if dovecot is missing."""
    if not DOVECOT.exists():
        pytest.fail(f"{DOVECOT} is missing: run make dovecot", pytrace=False)
    server = start_imap_server(tmp_path_factory.mktemp("dovecot"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def clean_imap_server(imap_server: ImapServer) -> ImapServer:
    """The session's dovecot, with every message and folder but INBOX removed first."""
    imap_server.clear()
    return imap_server
