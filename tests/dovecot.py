"""A throwaway Dovecot on loopback for tests: real IMAP, passwd-file users, maildir in a temp dir.

Follows the recipe of research/reliability.md section K. Works as root (imap-login then runs as
``nobody``) and as an ordinary user.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from imapclient import IMAPClient

USER = "dana"
PASSWORD = "s3cret-Pa55word"


#: Configuration for Dovecot with Debian's full-text search plugin (dovecot-fts-xapian), the FTS
#: backend a Debian user is likeliest to have: SEARCH then goes through its index.
FTS_XAPIAN = """
mail_plugins = $mail_plugins fts fts_xapian
plugin {
  fts = xapian
  fts_xapian = partial=3 full=20 verbose=0
  fts_autoindex = yes
  fts_enforced = yes
}
"""


def free_port() -> int:
    """Return a loopback TCP port that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Dovecot:
    """One running Dovecot instance and the means to feed and inspect it."""

    root: Path
    port: int
    extra: str = ""

    @property
    def conf(self) -> Path:
        return self.root / "dovecot.conf"

    def write_config(self) -> None:
        (self.root / "run").mkdir(parents=True, exist_ok=True)
        mail = self.root / "mail"
        mail.mkdir(exist_ok=True)
        # Dovecot's unprivileged processes must traverse these directories.
        os.chmod(self.root, 0o755)  # noqa: S103
        os.chmod(self.root / "run", 0o755)  # noqa: S103
        if os.getuid() == 0:
            login_user, internal_user, internal_group = "nobody", "nobody", "nogroup"
            uid = pwd.getpwnam("nobody").pw_uid
            gid = grp.getgrnam("nogroup").gr_gid
            os.chown(mail, uid, gid)
            service_users = ""
        else:
            login_user = internal_user = pwd.getpwuid(os.getuid()).pw_name
            internal_group = grp.getgrgid(os.getgid()).gr_name
            uid, gid = os.getuid(), os.getgid()
            service_users = (
                f"service auth {{\n  user = {internal_user}\n}}\n"
                "service stats {\n"
                f"  unix_listener stats-reader {{\n    user = {internal_user}\n  }}\n"
                f"  unix_listener stats-writer {{\n    user = {internal_user}\n  }}\n"
                "}\n"
            )
        users = self.root / "users"
        # Users are made up front: Dovecot may not notice a passwd-file changed within the
        # same second, so adding them later is flaky.
        users.write_text("".join(f"{name}:{{PLAIN}}{PASSWORD}::::::\n"
                                 for name in [USER, *(f"user{n}" for n in range(1, 501))]))
        users.chmod(0o644)
        self.conf.write_text(
            f"""instance_name = responder-test-{self.port}
base_dir = {self.root}/run
state_dir = {self.root}/run/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0secs
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{mail}/%u
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
{service_users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Junk {{
    special_use = \\Junk
    auto = subscribe
  }}
}}
{self.extra}
"""
        )

    def start(self) -> None:
        """Start the server and wait for its greeting."""
        if shutil.which("dovecot") is None:
            raise RuntimeError("dovecot is not installed: apt-get install -y dovecot-imapd")
        self.write_config()
        subprocess.run(["dovecot", "-c", str(self.conf)], check=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 1) as s,
            ):
                if s.recv(512).startswith(b"* OK"):
                    return
            time.sleep(0.1)
        log = (self.root / "dovecot.log").read_text(errors="replace")
        raise RuntimeError(f"dovecot did not start:\n{log}")

    def stop(self) -> None:
        """Stop the server (and wait until the port is free again)."""
        subprocess.run(["dovecot", "-c", str(self.conf), "stop"], check=False)
        deadline = time.monotonic() + 10
        pid_file = self.root / "run" / "master.pid"
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)

    def doveadm(self, *args: str, stdin: bytes | None = None) -> str:
        """Run doveadm against this instance and return its output."""
        done = subprocess.run(
            ["doveadm", "-c", str(self.conf), *args],
            input=stdin,
            capture_output=True,
            check=True,
        )
        return done.stdout.decode(errors="replace")

    def account(self, number: int) -> Account:
        """Return the mailbox of test user ``user<number>`` (1 to 500), empty until used."""
        return Account(self, f"user{number}")


def server_root(prefix: str) -> Path:
    """A new directory for a server, named ``prefix``...

    Not under pytest's tmp dirs: those are mode 0700, and Dovecot's unprivileged processes
    must traverse the path.
    """
    return Path(tempfile.mkdtemp(prefix=prefix))


D = TypeVar("D", bound=Dovecot)


@contextlib.contextmanager
def started(server: D) -> Iterator[D]:
    """Start ``server``; stop it and remove its directory afterwards."""
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


@contextlib.contextmanager
def running(prefix: str, extra: str = "") -> Iterator[Dovecot]:
    """A Dovecot with ``extra`` configuration in a new directory, stopped and removed after."""
    with started(Dovecot(server_root(prefix), free_port(), extra=extra)) as server:
        yield server


@dataclass
class Account:
    """One mailbox on the test server."""

    server: Dovecot
    user: str

    def deliver(
        self, raw: bytes, folder: str = "INBOX", received: datetime | None = None
    ) -> None:
        """Store one raw message in ``folder``, received at ``received`` (default: now)."""
        with self.client() as c:
            c.append(folder, raw, msg_time=received or datetime.now(UTC))

    def deliver_all(self, paths: list[Path], folder: str = "INBOX") -> None:
        """Store several .eml files in one connection, in the order given, received now."""
        with self.client() as c:
            for path in paths:
                c.append(folder, path.read_bytes(), msg_time=datetime.now(UTC))

    def client(self) -> IMAPClient:
        """Return a logged-in imapclient connection for inspecting the mailbox."""
        c = IMAPClient("127.0.0.1", port=self.server.port, ssl=False, timeout=10)
        c.login(self.user, PASSWORD)
        return c

    def env(self, state_dir: Path, **extra: str) -> dict[str, str]:
        """Return RESPONDER_* settings that point responder at this mailbox."""
        values = {
            "RESPONDER_IMAP_HOST": "127.0.0.1",
            "RESPONDER_IMAP_PORT": str(self.server.port),
            "RESPONDER_IMAP_USER": self.user,
            "RESPONDER_IMAP_PASSWORD": PASSWORD,
            "RESPONDER_IMAP_SECURITY": "plain",
            "RESPONDER_AUTHSERV_ID": "mx.example.org",
            "RESPONDER_STATE_DIR": str(state_dir),
            "RESPONDER_FROM_NAME": "Dana Reyes",
            "RESPONDER_FROM_ADDRESS": "dana@example.org",
            "RESPONDER_PHONE": "+1 555 0100",
            "RESPONDER_SKYPE": "dana.reyes",
            "RESPONDER_SINCE_DAYS": "36500",
        }
        values.update(extra)
        return values

    def folder(self, name: str) -> dict[int, dict[bytes, object]]:
        """Return {uid: {FLAGS, BODY[]}} of every message in ``name`` (read-only, peeking)."""
        with self.client() as c:
            c.select_folder(name, readonly=True)
            uids = c.search(["ALL"])
            if not uids:
                return {}
            data: dict[int, dict[bytes, object]] = c.fetch(uids, [b"FLAGS", b"BODY.PEEK[]"])
            return data

    def folders(self) -> list[str]:
        """Return every folder name."""
        with self.client() as c:
            return [str(name) for flags, _s, name in c.list_folders()
                    if b"\\Noselect" not in flags and b"\\NonExistent" not in flags]
