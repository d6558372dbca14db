"""What every benchmark needs: a throwaway Dovecot, mailboxes loaded from generated Maildirs,
the counting proxy in front of it, child processes measured for time and peak memory, and the
outcome of a pass read back from the server.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from imapclient import IMAPClient  # noqa: E402

from tests.dovecot import PASSWORD, Account, Dovecot, free_port  # noqa: E402

PYTHON = sys.executable


@dataclass
class Child:
    """A finished child process: exit code, output, wall seconds and peak RSS in MB."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float
    started: float  # time.monotonic() just before it started
    cpu: float = 0.0  # user + system seconds of the child


def run_child(argv: list[str], env: Mapping[str, str] | None = None, *,
              stdin: bytes | None = None, timeout: float = 1800) -> Child:
    """Run ``argv`` to the end; measure its wall time and its own peak RSS (wait4)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_")}
    clean.update(env or {})
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(
            argv, env=clean, stdout=out, stderr=err,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        )
        if stdin is not None:
            assert proc.stdin is not None
            proc.stdin.write(stdin)
            proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Child(proc.returncode, out.read().decode(errors="replace"),
                     err.read().decode(errors="replace"), seconds, usage.ru_maxrss / 1024,
                     started,
                     usage.ru_utime + usage.ru_stime)


class Lab:
    """One Dovecot for a whole benchmark run, with helpers to load and inspect mailboxes."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="responder-bench-"))
        self.server = Dovecot(self.root, free_port())
        self._next_user = 1

    def __enter__(self) -> Lab:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def staging(self, name: str) -> Path:
        """Return a directory outside any user's mail, for generated Maildirs."""
        path = self.root / "staging" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def new_account(self, maildir: Path | None = None) -> Account:
        """Return a fresh user; with ``maildir``, its INBOX is a hard-linked copy of it.

        Dovecot indexes the copied files at once (force-resync), as it would have while the
        mail arrived, so no measured pass pays for building the index from nothing.
        """
        account = self.server.account(self._next_user)
        self._next_user += 1
        if maildir is not None:
            home = self.root / "mail" / account.user
            subprocess.run(["cp", "-al", str(maildir), str(home)], check=True)
            if os.getuid() == 0:
                subprocess.run(["chown", "-R", "nobody:nogroup", str(home)], check=True)
            self.server.doveadm("force-resync", "-u", account.user, "INBOX")
        return account

    def deliver(self, account: Account, raws: list[bytes]) -> None:
        """APPEND messages to INBOX, as new mail arriving."""
        with account.client() as c:
            for raw in raws:
                c.append("INBOX", raw, flags=())


def responder_env(account: Account, state: Path, port: int, **extra: str) -> dict[str, str]:
    """Return the RESPONDER_* settings of ``account``, connecting through ``port``."""
    env = account.env(state, RESPONDER_IMAP_PORT=str(port), RESPONDER_LOG_LEVEL="WARNING")
    env.update(extra)
    return env


@dataclass
class Outcome:
    """What a pass left in the mailbox, by Message-ID."""

    drafts_in_reply_to: set[str]
    drafts_total: int
    filed: set[str]
    suspicious: set[str]
    drafted_keyword: set[str]
    inbox_count: int
    linkedin_seen: int  # LinkedIn mail in INBOX marked \Seen (must stay 0)


_VALUE = re.compile(rb":[ \t]*(.*(?:\r?\n[ \t].*)*)", re.S)


def _header(raw: bytes) -> str:
    match = _VALUE.search(raw)
    return "" if match is None else re.sub(r"\s+", " ", match.group(1).decode()).strip()


def _field(c: IMAPClient, uids: list[int], name: str) -> list[str]:
    out = []
    for start in range(0, len(uids), 5000):
        item = f"BODY.PEEK[HEADER.FIELDS ({name})]".encode()
        rows = c.fetch(uids[start : start + 5000], [item])
        for row in rows.values():
            raw = next(v for k, v in row.items() if k.startswith(b"BODY[HEADER"))
            out.append(_header(raw))
    return out


def read_outcome(account: Account, ignore: str = "LinkedIn/Ignored") -> Outcome:
    """Read back drafts, filed mail and flags (directly, not through the proxy)."""
    with account.client() as c:
        c.select_folder("Drafts", readonly=True)
        uids = c.search(["ALL"])
        drafts = _field(c, uids, "IN-REPLY-TO")
        filed: list[str] = []
        if c.folder_exists(ignore):
            c.select_folder(ignore, readonly=True)
            filed = _field(c, c.search(["ALL"]), "MESSAGE-ID")
        info = c.select_folder("INBOX", readonly=True)
        suspicious = _field(c, c.search(["KEYWORD", "$ResponderSuspicious"]), "MESSAGE-ID")
        drafted = _field(c, c.search(["KEYWORD", "$ResponderDrafted"]), "MESSAGE-ID")
        seen = c.search(["SEEN", "HEADER", "Message-ID", "bench"])
    return Outcome(set(drafts), len(drafts), set(filed), set(suspicious), set(drafted),
                   int(info[b"EXISTS"]), len(seen))


def compare(outcome: Outcome, expected: Mapping[str, str]) -> list[str]:
    """Return the differences between a pass's outcome and the generated labels."""
    problems = []
    want = {a: {m for m, x in expected.items() if x == a}
            for a in ("draft", "file", "flag_suspicious")}
    for name, got, key in (
        ("drafts (In-Reply-To)", outcome.drafts_in_reply_to, "draft"),
        ("filed (Message-ID)", outcome.filed, "file"),
        ("flagged suspicious", outcome.suspicious, "flag_suspicious"),
        ("keyword $ResponderDrafted", outcome.drafted_keyword, "draft"),
    ):
        if got != want[key]:
            problems.append(f"{name}: {len(got - want[key])} unexpected, "
                            f"{len(want[key] - got)} missing")
    if outcome.drafts_total != len(outcome.drafts_in_reply_to):
        problems.append(f"{outcome.drafts_total} drafts for "
                        f"{len(outcome.drafts_in_reply_to)} notifications: duplicates")
    if outcome.linkedin_seen:
        problems.append(f"{outcome.linkedin_seen} LinkedIn mails marked \\Seen")
    return problems


__all__ = ["PASSWORD", "PYTHON", "ROOT", "Account", "Child", "Lab", "Outcome", "compare",
           "read_outcome", "responder_env", "run_child"]
